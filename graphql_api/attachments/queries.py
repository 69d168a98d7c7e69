"""Queries of attachments."""

from __future__ import annotations

import strawberry
from sqlalchemy import select
from sqlalchemy.orm import defer

from segments_module.models import Attachment as AttachmentModel

from ..context import Info
from .types import Attachment


@strawberry.type
class AttachmentQueries:
    @strawberry.field(description="An attachment by no.; null when there is none.")
    def attachment(self, info: Info, no: int) -> Attachment | None:
        # The bytes can be megabytes, and no field of the type needs them.
        row = info.context.session.scalar(
            select(AttachmentModel)
            .options(defer(AttachmentModel.content))
            .where(AttachmentModel.no == no)
        )
        return None if row is None else Attachment.from_model(row)
