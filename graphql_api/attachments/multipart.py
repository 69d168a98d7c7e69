"""GraphQL multipart requests (file uploads): CSRF header, body size and parsing.

A browser sends a multipart/form-data POST to any site without asking the server
first (no CORS preflight), so a page elsewhere could make a signed-in user's
browser run a mutation. A custom header forces the preflight, and this app sends
no CORS headers, so the browser stops there. Multipart requests must therefore
carry one of PREFLIGHT_HEADERS.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from cross_web import HTTPException
from starlette.datastructures import Headers, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.file_uploads.utils import replace_placeholders_with_files
from strawberry.http.parse_content_type import parse_content_type

from ..limits import MAX_BODY_BYTES, BodySizeLimit, error_response

logger = logging.getLogger(__name__)

PREFLIGHT_HEADERS = ("graphql-require-preflight", "apollo-require-preflight")
# The operations field may be as large as a JSON body. The map, the boundaries and
# the part headers add a few hundred bytes.
MULTIPART_OVERHEAD_BYTES = MAX_BODY_BYTES + 64_000
# Files one request may map into its variables; the mutations take one each.
MAX_MAPPED_FILES = 10
MULTIPART_HELP = (
    "Send a GraphQL multipart request: an operations field with the JSON request, "
    'a map field such as {"0": ["variables.file"]}, and the file in field 0.'
)


def is_multipart(scope: Scope) -> bool:
    """Return True for a POST that Strawberry would parse as multipart/form-data."""
    if scope.get("method") != "POST":
        return False
    content_type = Headers(scope=scope).get("content-type", "")
    try:
        media_type, _ = parse_content_type(content_type)
    except (AssertionError, ValueError):
        return False
    return media_type == "multipart/form-data"


class UploadSizeLimit(BodySizeLimit):
    """The body size limit of multipart requests, with a message about the file."""

    def __init__(self, app: ASGIApp, max_upload_bytes: int):
        super().__init__(app, max_bytes=max_upload_bytes + MULTIPART_OVERHEAD_BYTES)
        self.max_upload_bytes = max_upload_bytes

    def too_large(self):
        logger.info("Upload over %s bytes rejected", self.max_bytes)
        return error_response(
            f"The upload is over the limit of {self.max_upload_bytes:,} bytes per "
            "file (SEGMENTS_MAX_UPLOAD_BYTES). Send a smaller file.",
            "REQUEST_TOO_LARGE",
            413,
        )


class RequestLimits:
    """ASGI middleware: the body size limit of each request, by its content type.

    JSON and other bodies get MAX_BODY_BYTES. Multipart requests must carry a
    preflight header and get `max_upload_bytes` plus MULTIPART_OVERHEAD_BYTES.
    NOTE: BodySizeLimit keeps the whole body in memory until the request is
    parsed, so each upload in progress can hold that much memory.
    """

    def __init__(self, app: ASGIApp, *, max_upload_bytes: int):
        self.json_limit = BodySizeLimit(app, max_bytes=MAX_BODY_BYTES)
        self.upload_limit = UploadSizeLimit(app, max_upload_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_multipart(scope):
            await self.json_limit(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS):
            logger.info("Multipart request without a preflight header rejected")
            response = error_response(
                "A multipart request must carry a non-empty GraphQL-Require-Preflight "
                "header, which protects uploads against cross-site requests. Add "
                "the header, e.g. GraphQL-Require-Preflight: 1.",
                "PREFLIGHT_REQUIRED",
                400,
            )
            await response(scope, receive, send)
            return
        await self.upload_limit(scope, receive, send)


async def parse_multipart_request(
    request: Any, parse_json: Callable[[str | bytes], Any]
) -> dict[str, Any]:
    """Return the GraphQL request of a multipart body, its files in the variables.

    `request` is Strawberry's request adapter and `parse_json` the view's JSON
    parser for the operations field. Raises an HTTP 400 for every malformed body,
    where Strawberry's own parser fails with a 500 on some of them.
    """
    try:
        form = (await request.get_form_data()).form
    except (ValueError, StarletteHTTPException) as error:
        detail = getattr(error, "detail", None) or str(error)
        raise HTTPException(
            400, f"The multipart body could not be parsed: {detail}. {MULTIPART_HELP}"
        ) from error

    operations_text = form.get("operations")
    map_text = form.get("map", "{}")
    if not isinstance(operations_text, str) or not isinstance(map_text, str):
        raise HTTPException(
            400, f"The operations and map fields must be text. {MULTIPART_HELP}"
        )
    operations = parse_json(operations_text)
    if not isinstance(operations, dict):
        raise HTTPException(
            400,
            "The operations field must be one JSON request object; batched "
            f"uploads are not supported. {MULTIPART_HELP}",
        )
    files_map = _parse_map(map_text, form)
    try:
        return replace_placeholders_with_files(operations, files_map, form)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
        raise HTTPException(
            400,
            "A path in the map field is not in the variables of the operations. "
            "Map each file to a variable that is null, e.g. variables.file. "
            + MULTIPART_HELP,
        ) from error


def _parse_map(map_text: str, form: Any) -> dict[str, list[str]]:
    try:
        files_map = json.loads(map_text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise HTTPException(
            400, f"The map field is not valid JSON. {MULTIPART_HELP}"
        ) from error
    valid = isinstance(files_map, dict) and all(
        isinstance(paths, list) and all(isinstance(path, str) for path in paths)
        for paths in files_map.values()
    )
    if not valid:
        raise HTTPException(
            400,
            "The map field must be an object of field names to lists of paths. "
            + MULTIPART_HELP,
        )
    if sum(len(paths) for paths in files_map.values()) > MAX_MAPPED_FILES:
        raise HTTPException(
            400,
            f"The map field maps more than {MAX_MAPPED_FILES} files. Send at most "
            f"{MAX_MAPPED_FILES} files per request.",
        )
    for field_name, paths in files_map.items():
        if not isinstance(form.get(field_name), UploadFile):
            raise HTTPException(
                400,
                f"The map names field {field_name!r}, but the request has no file "
                f"in that field. {MULTIPART_HELP}",
            )
        for path in paths:
            if not path.startswith("variables."):
                raise HTTPException(
                    400,
                    f"The map path {path!r} must start with 'variables.'. "
                    + MULTIPART_HELP,
                )
    return files_map
