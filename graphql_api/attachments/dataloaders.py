"""Attachments by number, without their bytes, loaded in batches."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from segments_module.models import Attachment as AttachmentModel

from ..dataloaders import BatchLoader


class AttachmentByNoLoader(BatchLoader[int, Any]):
    """Load attachment rows by no.; None for a missing one. `content` is not read."""

    def load_batch(self, session: Session, keys: list[int]) -> list[Any]:
        rows = session.scalars(
            select(AttachmentModel)
            .options(defer(AttachmentModel.content))
            .where(AttachmentModel.no.in_(keys))
        )
        by_no = {row.no: row for row in rows}
        return [by_no.get(key) for key in keys]
