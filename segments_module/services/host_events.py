"""Handlers for host changes to a contact.

The host calls these (or `handle_host_event`) in its own transaction. Open segment
lines follow the contact; the interaction log is a ledger and is never touched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import delete, update

from ..models import SegmentHistory, SegmentLine
from .env import Env

logger = logging.getLogger(__name__)


class HostEventKind(str, Enum):
    CONTACT_DELETED = "contact_deleted"
    COMPANY_CHANGED = "company_changed"
    EXCLUDED = "excluded"
    PRIVACY_BLOCKED = "privacy_blocked"


@dataclass(frozen=True)
class HostEvent:
    kind: HostEventKind
    contact_no: str
    company_no: str | None = None


def remove_contact_from_open_segments(env: Env, contact_no: str) -> int:
    """Delete the contact's open lines and the history that could bring them back."""
    env.session.execute(
        delete(SegmentHistory).where(SegmentHistory.contact_no == contact_no)
    )
    removed = env.session.execute(
        delete(SegmentLine).where(SegmentLine.contact_no == contact_no)
    ).rowcount
    return removed


def on_contact_deleted(env: Env, contact_no: str) -> int:
    removed = remove_contact_from_open_segments(env, contact_no)
    logger.info(
        "contact %s deleted in the host: %s open lines removed", contact_no, removed
    )
    return removed


def on_contact_excluded(env: Env, contact_no: str) -> int:
    """Exclude from Segment now set: the contact leaves open segments."""
    removed = remove_contact_from_open_segments(env, contact_no)
    logger.info("contact %s excluded: %s open lines removed", contact_no, removed)
    return removed


def on_contact_privacy_blocked(env: Env, contact_no: str) -> int:
    removed = remove_contact_from_open_segments(env, contact_no)
    logger.info(
        "contact %s privacy blocked: %s open lines removed", contact_no, removed
    )
    return removed


def on_contact_company_changed(env: Env, contact_no: str, company_no: str) -> int:
    """Point the contact's open lines at its new company."""
    changed = env.session.execute(
        update(SegmentLine)
        .where(SegmentLine.contact_no == contact_no)
        .values(contact_company_no=company_no)
    ).rowcount
    logger.info(
        "contact %s moved to company %s: %s open lines updated",
        contact_no,
        company_no,
        changed,
    )
    return changed


def handle_host_event(env: Env, event: HostEvent) -> int:
    """Apply one host event; return the number of open lines it changed."""
    if event.kind == HostEventKind.COMPANY_CHANGED:
        return on_contact_company_changed(env, event.contact_no, event.company_no or "")
    handlers = {
        HostEventKind.CONTACT_DELETED: on_contact_deleted,
        HostEventKind.EXCLUDED: on_contact_excluded,
        HostEventKind.PRIVACY_BLOCKED: on_contact_privacy_blocked,
    }
    return handlers[event.kind](env, event.contact_no)
