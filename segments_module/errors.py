"""Expected failures of the services, each naming the field, the value and the fix.

The GraphQL layer turns them into payload `errors`; anything else is unexpected and
masked to the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ErrorCode(str, Enum):
    INVALID = "INVALID"
    INVALID_FILTER = "INVALID_FILTER"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    ALREADY_LOGGED = "ALREADY_LOGGED"
    EMPTY_SEGMENT = "EMPTY_SEGMENT"
    LINE_INVALID = "LINE_INVALID"
    NOTHING_TO_UNDO = "NOTHING_TO_UNDO"
    READ_ONLY = "READ_ONLY"


@dataclass(frozen=True)
class FieldError:
    """One problem: the input field (a dotted path), a code and a readable message."""

    field: str | None
    code: ErrorCode
    message: str


class ServiceError(Exception):
    """An expected failure; the transaction that raised it is rolled back."""

    def __init__(self, errors: list[FieldError] | FieldError):
        self.errors = errors if isinstance(errors, list) else [errors]
        super().__init__("; ".join(error.message for error in self.errors))

    @classmethod
    def single(cls, field: str | None, code: ErrorCode, message: str) -> ServiceError:
        return cls(FieldError(field, code, message))


def not_found(field: str, what: str, value: object) -> ServiceError:
    return ServiceError.single(
        field,
        ErrorCode.NOT_FOUND,
        f"{what} {value!r} was not found. Check the value or create it first.",
    )
