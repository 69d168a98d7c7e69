"""The per-request context: database, settings, store, acting user and dataloaders."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeAlias

import strawberry
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from segments_module.config import Settings
from segments_module.contact_store import ContactStore
from segments_module.delivery import SmtpSettings
from segments_module.services.env import Actor, Env
from segments_module.services.jobs import JobRunner, Workspace

from .attachments.dataloaders import AttachmentByNoLoader
from .contacts.dataloaders import ContactByNoLoader
from .interactions.dataloaders import (
    LogEntryCountsByLoggedSegmentLoader,
    LogEntryPageByLoggedSegmentLoader,
    TemplateLanguagesByTemplateCodeLoader,
)
from .segments.dataloaders import (
    CriteriaActionCountBySegmentNoLoader,
    CriteriaLinesBySegmentNoLoader,
    SavedCriteriaLinesByCodeLoader,
    SegmentHistoryCountBySegmentNoLoader,
    SegmentHistoryPageBySegmentNoLoader,
    SegmentLineCountBySegmentNoLoader,
    SegmentLinePageBySegmentNoLoader,
    SegmentLineTotalsBySegmentNoLoader,
)

DEFAULT_USER_ID = "admin"
# The user id is stored in VARCHAR(50) columns (created_by, user_id).
MAX_USER_ID_LENGTH = 50


class UserHeaderError(ValueError):
    """An invalid user header, so the request is rejected with HTTP 400."""


def actor_from_request(request: HTTPConnection | None) -> Actor:
    """Return the user a request acts for, or raise UserHeaderError for a bad X-User-Id.

    TODO: the X-User-Id and X-User-Groups headers are trusted as sent; replace them
    with the host's authentication before the API is exposed beyond a trusted proxy.
    """
    if request is None:
        return Actor(user_id=DEFAULT_USER_ID)
    user_id = _utf8(request.headers.get("x-user-id", "")).strip() or DEFAULT_USER_ID
    _check_user_id(user_id)
    groups = request.headers.get("x-user-groups", "")
    return Actor(
        user_id=user_id,
        groups=frozenset(group.strip() for group in groups.split(",") if group.strip()),
    )


def _utf8(header_value: str) -> str:
    """Return a header as UTF-8 text; ASGI servers hand headers over as Latin-1."""
    try:
        return header_value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return header_value


def _check_user_id(user_id: str) -> None:
    if len(user_id) > MAX_USER_ID_LENGTH:
        raise UserHeaderError(
            f"X-User-Id is {len(user_id)} characters long, over the limit of "
            f"{MAX_USER_ID_LENGTH}. Send a user id of at most {MAX_USER_ID_LENGTH} "
            "characters."
        )
    if any(unicodedata.category(character) == "Cc" for character in user_id):
        raise UserHeaderError(
            "X-User-Id contains a control character. Send a user id of at most "
            f"{MAX_USER_ID_LENGTH} characters without tabs or other control "
            "characters."
        )


class Loaders:
    """The dataloaders of one request; a fresh set after every committed mutation."""

    def __init__(self, context: Context):
        self.contact_by_no = ContactByNoLoader(context)
        self.attachment_by_no = AttachmentByNoLoader(context)
        self.segment_line_count = SegmentLineCountBySegmentNoLoader(context)
        self.segment_line_totals = SegmentLineTotalsBySegmentNoLoader(context)
        self.segment_line_page = SegmentLinePageBySegmentNoLoader(context)
        self.criteria_action_count = CriteriaActionCountBySegmentNoLoader(context)
        self.criteria_lines = CriteriaLinesBySegmentNoLoader(context)
        self.saved_criteria_lines = SavedCriteriaLinesByCodeLoader(context)
        self.segment_history_page = SegmentHistoryPageBySegmentNoLoader(context)
        self.segment_history_count = SegmentHistoryCountBySegmentNoLoader(context)
        self.template_languages = TemplateLanguagesByTemplateCodeLoader(context)
        self.log_entry_page = LogEntryPageByLoggedSegmentLoader(context)
        self.log_entry_counts = LogEntryCountsByLoggedSegmentLoader(context)

    def prime_segments(self, segment_nos: Iterable[str]) -> None:
        """Let the fields of these segments load in one batch per loader."""
        segment_nos = list(segment_nos)
        for loader in (
            self.segment_line_count,
            self.segment_line_totals,
            self.segment_line_page,
            self.criteria_action_count,
            self.criteria_lines,
            self.segment_history_page,
            self.segment_history_count,
        ):
            loader.prime(segment_nos)

    def prime_logged_segments(self, entry_nos: Iterable[int]) -> None:
        entry_nos = list(entry_nos)
        self.log_entry_counts.prime(entry_nos)
        self.log_entry_page.prime(entry_nos)

    def prime_templates(self, template_codes: Iterable[str]) -> None:
        self.template_languages.prime(template_codes)

    def prime_saved_criteria(self, codes: Iterable[str]) -> None:
        self.saved_criteria_lines.prime(codes)


@dataclass
class Context:
    engine: Engine
    settings: Settings
    store: ContactStore
    actor: Actor
    request: HTTPConnection | None = None
    # Runs long merge and delivery jobs; None runs every job inside the request.
    runner: JobRunner | None = None
    # SMTP settings for delivery; None reads the SEGMENTS_SMTP_* variables.
    smtp_settings: SmtpSettings | None = None
    loaders: Loaders = field(init=False)
    _read_session: Session | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self)

    @property
    def session(self) -> Session:
        """The read session of the request, opened at its first use."""
        if self._read_session is None:
            self._read_session = Session(self.engine, expire_on_commit=False)
        return self._read_session

    @property
    def workspace(self) -> Workspace:
        return Workspace(
            engine=self.engine,
            settings=self.settings,
            store=self.store,
            smtp_settings=self.smtp_settings,
        )

    def env(self, session: Session) -> Env:
        return Env(
            session=session, actor=self.actor, settings=self.settings, store=self.store
        )

    def start_new_reads(self) -> None:
        """Forget what this request has read, so later fields see committed writes.

        A read transaction opened before a mutation would keep its snapshot on
        SQLite, and the loaders would keep their cached rows.
        """
        self.close()
        self.loaders = Loaders(self)

    def close(self) -> None:
        if self._read_session is not None:
            self._read_session.close()
            self._read_session = None


Info: TypeAlias = strawberry.Info[Context, None]
