"""The download route of attachments: GET /attachments/{no}[/{file name}]."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

from sqlalchemy import Engine, func, select
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse
from starlette.routing import Route

from segments_module.config import Settings
from segments_module.db import session_scope
from segments_module.errors import ErrorCode, ServiceError
from segments_module.models import Attachment
from segments_module.services.attachments import (
    MAX_ATTACHMENT_NO,
    attachment_file_path,
    get_attachment,
    read_attachment,
)
from segments_module.services.env import Env

from ..context import UserHeaderError, actor_from_request
from ..limits import error_response

logger = logging.getLogger(__name__)

# Characters kept in the plain `filename` fallback for clients without RFC 5987
# support. The exact name is in `filename*`.
UNSAFE_FALLBACK_CHARACTERS = re.compile(r"[^A-Za-z0-9 ._()-]")
# Files in the database larger than this are sent in chunks of this size.
DOWNLOAD_CHUNK_BYTES = 1024 * 1024


def content_disposition(file_name: str) -> str:
    """Return an attachment Content-Disposition header value (RFC 6266).

    `filename*` has the exact name, UTF-8 and percent-encoded (RFC 5987), and
    `filename` an ASCII approximation for older clients.
    """
    ascii_name = (
        unicodedata.normalize("NFKD", file_name).encode("ascii", "ignore").decode()
    )
    fallback = UNSAFE_FALLBACK_CHARACTERS.sub("_", ascii_name).strip() or "download"
    return (
        f'attachment; filename="{fallback}"; '
        f"filename*=UTF-8''{quote(file_name, safe='')}"
    )


def _response_headers(file_name: str) -> dict[str, str]:
    return {
        "Content-Disposition": content_disposition(file_name),
        # Browsers must take the stored content type as is, and never render the
        # file inside a page.
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        # replaceAttachment changes the bytes behind the same URL.
        "Cache-Control": "private, no-cache",
    }


def attachment_routes(engine: Engine, settings: Settings) -> list[Route]:
    """Return the download routes, which read through `engine` with `settings`."""

    def download(request: Request) -> Response:
        """Send an attachment's bytes, streamed from the folder or from the row.

        TODO: any user may download any attachment; access rules are not
        implemented yet.
        """
        try:
            actor = actor_from_request(request)
        except UserHeaderError as error:
            logger.info("Download rejected: %s", error)
            return error_response(str(error), "INVALID_HEADER", 400)

        no_text = request.path_params["no"]
        if not (no_text.isascii() and no_text.isdigit()) or len(no_text) > 10:
            return _not_found(no_text)
        no = int(no_text)
        if not 0 < no <= MAX_ATTACHMENT_NO:
            return _not_found(no_text)

        try:
            with session_scope(engine) as session:
                env = Env(session=session, actor=actor, settings=settings)
                attachment = get_attachment(env, no)
                shown_name = request.path_params.get("file_name")
                if shown_name is not None and shown_name != attachment.file_name:
                    # A link names the file it was made for; one that names
                    # another file is stale and must not serve this one.
                    return _not_found(no_text)
                headers = _response_headers(attachment.file_name)
                media_type = attachment.content_type or "application/octet-stream"
                path = attachment_file_path(env, attachment)
                if path is None and attachment.size <= DOWNLOAD_CHUNK_BYTES:
                    data = read_attachment(env, attachment)
                    return Response(data, media_type=media_type, headers=headers)
                size = attachment.size
        except ServiceError as error:
            status = 404 if error.errors[0].code is ErrorCode.NOT_FOUND else 500
            return error_response(str(error), error.errors[0].code.value, status)

        if path is None:
            # A large file in the database goes out in chunks, each read with its
            # own query, so the server never keeps the whole file in memory.
            headers["Content-Length"] = str(size)
            return StreamingResponse(
                _database_chunks(engine, no, size),
                media_type=media_type,
                headers=headers,
            )
        if path.is_file() and path.stat().st_size != size:
            logger.error("File of attachment %s at %s was changed", no, path)
            return error_response(
                f"The file of attachment {no} was changed outside the module, so it "
                "is not sent. Restore it from a backup or upload the document again.",
                ErrorCode.INVALID.value,
                500,
            )
        if not path.is_file():
            logger.error("File of attachment %s is missing at %s", no, path)
            return error_response(
                f"The file of attachment {no} is missing from the attachment folder. "
                "Restore the folder from a backup or upload the document again.",
                ErrorCode.NOT_FOUND.value,
                404,
            )
        # NOTE: a streamed file is not checked against its stored SHA-256;
        # read_attachment checks it.
        return FileResponse(path, media_type=media_type, headers=headers)

    return [
        Route("/attachments/{no}", download, methods=["GET"]),
        Route("/attachments/{no}/{file_name:path}", download, methods=["GET"]),
    ]


def _database_chunks(engine: Engine, no: int, size: int) -> Iterator[bytes]:
    """Yield the content of attachment `no` in chunks of DOWNLOAD_CHUNK_BYTES."""
    for offset in range(0, size, DOWNLOAD_CHUNK_BYTES):
        with session_scope(engine) as session:
            # SQL substr counts from 1, in bytes for SQLite BLOB and PostgreSQL bytea.
            chunk = session.scalar(
                select(
                    func.substr(Attachment.content, offset + 1, DOWNLOAD_CHUNK_BYTES)
                ).where(Attachment.no == no)
            )
        if not chunk:
            logger.error("attachment %s ended at byte %s of %s", no, offset, size)
            return
        yield bytes(chunk)


def _not_found(no_text: str) -> Response:
    return error_response(
        f"Attachment {no_text[:40]!r} was not found. Check the attachment no.",
        ErrorCode.NOT_FOUND.value,
        404,
    )
