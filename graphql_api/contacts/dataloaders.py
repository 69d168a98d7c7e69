"""Contacts by number, read from the contact store in batches."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..dataloaders import BatchLoader


class ContactByNoLoader(BatchLoader[str, Any]):
    """Load contact rows of the store by contact no.; None for a missing contact."""

    def load_batch(self, session: Session, keys: list[str]) -> list[Any]:
        contact = self.context.store.contacts()
        rows = session.execute(select(contact).where(contact.c.no.in_(keys)))
        by_no = {row.no: row for row in rows}
        return [by_no.get(key) for key in keys]
