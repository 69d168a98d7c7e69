"""The GraphQL type of a stored file."""

from __future__ import annotations

from datetime import datetime

import strawberry

from segments_module.services.attachments import attachment_download_path

from ..context import Info
from ..types import model_values


@strawberry.type(
    description="A stored file: a Word template, a personalised copy or a merged "
    "document."
)
class Attachment:
    no: int = strawberry.field(
        description="Attachment number, as in attachmentNo fields and download URLs."
    )
    file_name: str = strawberry.field(
        description="File name as uploaded or made, without folders."
    )
    file_extension: str = strawberry.field(
        description="Lower-case extension without the dot, e.g. docx."
    )
    content_type: str = strawberry.field(description="MIME type sent with downloads.")
    size: int = strawberry.field(description="Size of the file in bytes.")
    read_only: bool = strawberry.field(
        description="True once a logged interaction uses the file; it cannot change."
    )
    created_at: datetime | None = strawberry.field(
        description="When the file was stored, in the server's time zone setting."
    )

    @classmethod
    def from_model(cls, attachment) -> Attachment:
        return cls(**model_values(cls, attachment))

    @strawberry.field(
        description="Path of the download route on this server, e.g. "
        "/attachments/7/letter.docx. Downloads have no access rules yet."
    )
    def download_url(self, info: Info) -> str:
        request = info.context.request
        root_path = request.scope.get("root_path", "") if request is not None else ""
        return root_path + attachment_download_path(self.no, self.file_name)


def attachment_of(info: Info, no: int | None) -> Attachment | None:
    """Return attachment `no` through the request's loader, or None."""
    if no is None:
        return None
    row = info.context.loaders.attachment_by_no.get(no)
    return Attachment.from_model(row) if row is not None else None
