"""Custom scalars."""

from __future__ import annotations

from typing import NewType

import strawberry
from graphql import GraphQLError


def _parse_line_no(value: object) -> int:
    # A GraphQLError reaches the client; any other exception would be masked.
    message = f"LineNo must be a whole number, not {str(value)[:40]!r}."
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise GraphQLError(message)
    try:
        number = int(value)
    except ValueError as error:
        raise GraphQLError(message) from error
    if not -(2**63) <= number < 2**63:
        raise GraphQLError(
            f"LineNo {str(value)[:40]} is out of range. Check the line no."
        )
    return number


# Lines are numbered in steps of 10000, so a segment of more than 214,748 lines
# passes GraphQL's 32-bit Int. JSON numbers carry these exactly up to 2**53.
LineNo = NewType("LineNo", int)

SCALAR_MAP = {
    LineNo: strawberry.scalar(
        name="LineNo",
        description="A segment line number: a whole number that may exceed 32 bits.",
        serialize=int,
        parse_value=_parse_line_no,
    )
}
