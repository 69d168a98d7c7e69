"""Payload errors for expected failures and client errors for invalid query arguments.

Mutations report expected failures (validation, not found, already logged) in their
payload's `errors` list. Queries have no payload, so an invalid argument there raises
ClientError: a top-level GraphQL error that MaskErrors lets through, with a `code`
extension. Every other exception is unexpected and reaches the client masked.
"""

from __future__ import annotations

import strawberry

from segments_module.errors import ErrorCode, FieldError, ServiceError
from segments_module.services.validation import CONTROL_CHARACTERS

ErrorCodeEnum = strawberry.enum(
    ErrorCode, name="ErrorCode", description="Why an input was rejected."
)


@strawberry.type(
    description="An expected failure of a mutation, tied to an input field."
)
class Error:
    field: str | None = strawberry.field(
        description="Dotted path of the input field, e.g. criteria.contact.countryCode."
    )
    code: ErrorCodeEnum
    message: str

    @classmethod
    def from_field_error(cls, error: FieldError) -> Error:
        return cls(field=error.field, code=error.code, message=error.message)


def errors_of(error: ServiceError) -> list[Error]:
    return [Error.from_field_error(field_error) for field_error in error.errors]


class ClientError(Exception):
    """An invalid query argument; shown to the client with its message and code."""

    def __init__(
        self,
        message: str,
        code: ErrorCode = ErrorCode.INVALID,
        field_errors: list[FieldError] | None = None,
    ):
        super().__init__(message)
        # graphql-core copies `extensions` of the original error into the response.
        self.extensions: dict[str, object] = {"code": code.value}
        if field_errors:
            self.extensions["errors"] = [
                {"field": item.field, "code": item.code.value, "message": item.message}
                for item in field_errors
            ]

    @classmethod
    def from_service_error(cls, error: ServiceError) -> ClientError:
        first = error.errors[0]
        return cls(str(error), first.code, error.errors)


def check_text_argument(field: str, value: str | None) -> None:
    """Raise a ClientError when a query's text argument contains a control character.

    No stored code or number contains one, and PostgreSQL rejects NUL in a parameter.
    """
    if value is None or not CONTROL_CHARACTERS.search(value):
        return
    message = (
        f"{field} contains a control character such as NUL. Send the value without "
        "control characters."
    )
    raise ClientError(
        message, field_errors=[FieldError(field, ErrorCode.INVALID, message)]
    )
