"""Mutations that upload Word documents as attachments or replace their content."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from segments_module.errors import ErrorCode, ServiceError
from segments_module.models import Attachment as AttachmentModel
from segments_module.services import attachments as services
from segments_module.services.env import Env

from ..context import Info
from ..errors import Error, errors_of
from ..mutations import run_service
from .types import Attachment

logger = logging.getLogger(__name__)

# httpx 0.29, following HTML5's form encoding, escapes '"' as %22 and control
# characters as %00 to %1F in a part's filename.
FORM_FILE_NAME_ESCAPE = re.compile(r"%(22|[01][0-9A-Fa-f])")
UPLOAD_HELP = (
    "Send it as a GraphQL multipart request (operations, map and the file) with a "
    "GraphQL-Require-Preflight header."
)


@strawberry.type
class AttachmentPayload:
    attachment: Attachment | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


def _payload(attachment: AttachmentModel) -> AttachmentPayload:
    return AttachmentPayload(attachment=Attachment.from_model(attachment))


async def read_upload(file: object, max_bytes: int) -> tuple[str, bytes]:
    """Return the name and bytes of an uploaded file, reading at most `max_bytes`.

    Raises ServiceError (field "file") when the value is not a multipart file,
    e.g. a string sent in the JSON variables, or when the file is too large.
    """
    if not isinstance(file, UploadFile):
        raise ServiceError.single(
            "file",
            ErrorCode.INVALID,
            f"file must be an uploaded file, not a {type(file).__name__} value. "
            + UPLOAD_HELP,
        )
    name = FORM_FILE_NAME_ESCAPE.sub(
        lambda match: chr(int(match.group(1), 16)), file.filename or ""
    )
    try:
        too_large = file.size is not None and file.size > max_bytes
        # One byte over the limit is enough to know the file is too large.
        data = b"" if too_large else await file.read(max_bytes + 1)
    finally:
        await file.close()
    if too_large or len(data) > max_bytes:
        raise ServiceError.single(
            "file",
            ErrorCode.INVALID,
            f"File {name!r} is over the upload limit of {max_bytes:,} bytes "
            "(SEGMENTS_MAX_UPLOAD_BYTES). Send a smaller file, e.g. with compressed "
            "images.",
        )
    return name, data


async def _run_with_upload(
    info: Info,
    file: object,
    call: Callable[[Env, str, bytes], AttachmentModel],
) -> AttachmentPayload:
    try:
        name, data = await read_upload(file, info.context.settings.max_upload_bytes)
    except ServiceError as error:
        logger.info(
            "%s rejected for user %s: upload not read (file INVALID)",
            info.field_name,
            info.context.actor.user_id,
        )
        return AttachmentPayload(errors=errors_of(error))
    return await run_service(
        info, lambda env: call(env, name, data), _payload, AttachmentPayload
    )


@strawberry.type
class AttachmentMutations:
    @strawberry.mutation(
        description="Store an uploaded Word document (.docx) as a new attachment. "
        + UPLOAD_HELP
    )
    async def upload_attachment(self, info: Info, file: Upload) -> AttachmentPayload:
        return await _run_with_upload(
            info,
            file,
            lambda env, name, data: services.store_attachment(env, name, data),
        )

    @strawberry.mutation(
        description="Replace the document and file name of an attachment that no "
        "logged interaction uses. " + UPLOAD_HELP
    )
    async def replace_attachment(
        self, info: Info, no: int, file: Upload
    ) -> AttachmentPayload:
        return await _run_with_upload(
            info,
            file,
            lambda env, name, data: services.replace_attachment_content(
                env, no, name, data
            ),
        )
