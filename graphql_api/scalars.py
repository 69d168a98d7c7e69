"""Custom scalars."""

from __future__ import annotations

from typing import NewType

import strawberry


def _parse_line_no(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"LineNo must be a whole number, not {value!r}.")
    try:
        return int(value)
    except ValueError as error:
        raise ValueError(f"LineNo must be a whole number, not {value!r}.") from error


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
