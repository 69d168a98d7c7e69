"""Running a service for a mutation: one write transaction, errors into the payload."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from segments_module.db import session_scope
from segments_module.errors import ServiceError
from segments_module.services.env import Env

from .context import Info
from .errors import errors_of

logger = logging.getLogger(__name__)

ResultType = TypeVar("ResultType")
ValueType = TypeVar("ValueType")


async def run_service(
    info: Info,
    call: Callable[[Env], ResultType],
    present: Callable[[ResultType], ValueType],
    failed: Callable[..., ValueType],
) -> ValueType:
    """Run `call` in its own write transaction on a worker thread.

    `call` gets the Env and runs the service; `present` turns its result into the
    payload after a flush, while the session is still open. On ServiceError the
    transaction rolls back and `failed(errors=...)` builds the payload. Any other
    exception propagates and reaches the client masked.
    Afterwards the request's reads start afresh, so nested payload fields read
    what was committed.
    """
    context = info.context

    def run() -> ValueType:
        with session_scope(context.engine, write=True) as session:
            result = call(context.env(session))
            session.flush()
            return present(result)

    try:
        return await run_in_threadpool(run)
    except ServiceError as error:
        log_rejection(info, error)
        return failed(errors=errors_of(error))
    finally:
        context.start_new_reads()


def log_rejection(info: Info, error: ServiceError) -> None:
    """Log a mutation's expected failure with its fields and codes, not its values."""
    logger.info(
        "%s rejected for user %s: %s",
        info.field_name,
        info.context.actor.user_id,
        ", ".join(f"{item.field or '-'} {item.code.value}" for item in error.errors),
    )
