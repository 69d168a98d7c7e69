"""Limits on a request that apply before GraphQL parses it: body size, user header."""

from __future__ import annotations

import logging

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

# Real documents with their variables are a few kilobytes, and 1 MB leaves room for
# long criteria. Without a cap, a client could send tens of megabytes that
# Strawberry would parse and keep in memory on every request.
MAX_BODY_BYTES = 1_000_000


def error_response(message: str, code: str, status_code: int) -> JSONResponse:
    """Return a GraphQL-shaped error body for a request rejected before execution."""
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status_code,
    )


class BodySizeLimit:
    """ASGI middleware that returns HTTP 413 for a request body over `max_bytes`.

    A Content-Length over the limit is rejected before any byte is read. Otherwise
    the body is read here, at most `max_bytes` of it, and passed on whole, so a
    chunked upload without a length is bounded too.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self.too_large()(scope, receive, send)
            return

        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self.too_large()(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break

        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def too_large(self) -> JSONResponse:
        logger.info("Request body over %s bytes rejected", self.max_bytes)
        return error_response(
            f"The request body is over the limit of {self.max_bytes:,} bytes. "
            "Send smaller variables, or split the work into several requests.",
            "REQUEST_TOO_LARGE",
            413,
        )
