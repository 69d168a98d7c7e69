"""Relay connections with keyset pagination.

Every list is sorted by one or more keys that end in a unique column, so that rows
with equal sort values still have a fixed order and a cursor always points between
the same two rows. A cursor stores the sort values of its row. The next page starts
after those values (a keyset condition), never at an OFFSET. Deep pages therefore
cost the same as the first, and a row inserted meanwhile does not shift the page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import partial
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from .errors import ClientError

NodeType = TypeVar("NodeType")

# Rows per page when the client gives neither `first` nor `last`.
DEFAULT_PAGE_SIZE = 100
# Cursors that this API returns are far shorter, so longer input is rejected
# before it is decoded.
MAX_CURSOR_LENGTH = 1000
# An invalid cursor is quoted in the error only up to this length.
QUOTED_CURSOR_LENGTH = 40


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeType]):
    node: NodeType
    # Encoded only when a client selects it.
    _cursor: strawberry.Private[Callable[[], str]]

    @strawberry.field
    def cursor(self) -> str:
        return self._cursor()


@strawberry.type
class Connection(Generic[NodeType]):
    edges: list[Edge[NodeType]]
    page_info: PageInfo
    _count_total: strawberry.Private[Callable[[], int]]

    @strawberry.field(description="Number of items in the whole list, on every page.")
    def total_count(self) -> int:
        return self._count_total()


@dataclass(frozen=True)
class PageArgs:
    """Validated Relay arguments: the page size and the cursors, still encoded."""

    limit: int
    backward: bool = False
    after: str | None = None
    before: str | None = None

    @classmethod
    def parse(
        cls,
        first: int | None,
        after: str | None,
        last: int | None,
        before: str | None,
        max_page_size: int,
    ) -> PageArgs:
        if first is not None and last is not None:
            raise ClientError(
                "Both first and last were given. Page forward with first/after "
                "or backward with last/before."
            )
        for name, value in (("first", first), ("last", last)):
            if value is None:
                continue
            if value < 0:
                raise ClientError(f"{name} is {value}; it must be 0 or more.")
            if value > max_page_size:
                raise ClientError(
                    f"{name} is {value}, above the maximum page size of "
                    f"{max_page_size}. Request at most {max_page_size} items and "
                    "fetch the next page with the endCursor."
                )
        if last is not None:
            return cls(limit=last, backward=True, after=after, before=before)
        limit = first if first is not None else min(DEFAULT_PAGE_SIZE, max_page_size)
        return cls(limit=limit, after=after, before=before)


@dataclass(frozen=True)
class SortKey:
    """One column of a list's order; the last key of a list must be unique."""

    expression: ColumnElement[Any]
    descending: bool = False


def encode_cursor(kind: str, values: Sequence[Any]) -> str:
    payload = json.dumps([kind, [_to_json(value) for value in values]])
    return base64.urlsafe_b64encode(payload.encode()).decode()


def decode_cursor(kind: str, cursor: str, keys: Sequence[SortKey]) -> list[Any]:
    """Return the sort values stored in a cursor of the list `kind`.

    A cursor comes back from the client, so it is checked like any input: the list
    kind, one value per sort key, and each value of its key's type.
    """
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("cursor too long")
        payload = json.loads(base64.urlsafe_b64decode(cursor))
        if not isinstance(payload, list) or len(payload) != 2:
            raise ValueError("not a [kind, values] pair")
        cursor_kind, raw_values = payload
        if cursor_kind != kind or not isinstance(raw_values, list):
            raise ValueError("another list's cursor")
        if len(raw_values) != len(keys):
            raise ValueError("wrong number of values")
        return [
            _from_json(raw, key.expression)
            for raw, key in zip(raw_values, keys, strict=True)
        ]
    except (ValueError, TypeError, RecursionError, binascii.Error) as error:
        quoted = cursor
        if len(cursor) > QUOTED_CURSOR_LENGTH:
            quoted = cursor[:QUOTED_CURSOR_LENGTH] + "..."
        raise ClientError(
            f"Invalid cursor {quoted!r} for a {kind} list. Use a startCursor, "
            "endCursor or edge cursor returned by the same list."
        ) from error


def _to_json(value: Any) -> Any:
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _from_json(raw: Any, expression: ColumnElement[Any]) -> Any:
    """Return a cursor value as its sort key's type; ValueError when it is not one.

    Sort keys are never NULL, so neither is a value. Strings with NUL and whole
    numbers beyond 64 bits are refused too: the databases reject them as parameters.
    """
    python_type = expression.type.python_type
    if python_type in (date, datetime, time):
        if not isinstance(raw, str):
            raise ValueError(f"{raw!r} is not a {python_type.__name__}")
        return python_type.fromisoformat(raw)
    if python_type is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"{raw!r} is not a whole number")
        if not -(2**63) <= raw < 2**63:
            raise ValueError(f"{raw!r} is out of the 64-bit range")
        return raw
    if python_type is str:
        if not isinstance(raw, str) or "\x00" in raw:
            raise ValueError(f"{raw!r} is not a string without NUL")
        return raw
    # A new sort key of another type needs a case here.
    raise ValueError(f"no cursor values for sort keys of type {python_type.__name__}")


def keyset_condition(
    keys: Sequence[SortKey], values: Sequence[Any], *, after: bool
) -> ColumnElement[bool]:
    """Return the rows strictly after (or before) `values` in the order of `keys`.

    For keys (a, b) and values (x, y) after means `a > x OR (a = x AND b > y)`,
    with `<` for a descending key. This form runs on SQLite and PostgreSQL alike
    and allows mixed directions, which row-value comparison does not.
    """
    alternatives = []
    for index, key in enumerate(keys):
        greater = after != key.descending
        column, value = key.expression, values[index]
        step = column > value if greater else column < value
        equal_prefix = [
            keys[prior].expression == values[prior] for prior in range(index)
        ]
        alternatives.append(and_(*equal_prefix, step))
    return or_(*alternatives)


def page_order(keys: Sequence[SortKey], backward: bool) -> list[ColumnElement[Any]]:
    """Return ORDER BY terms; a backward page reads the order in reverse."""
    order = []
    for key in keys:
        descending = key.descending != backward
        order.append(key.expression.desc() if descending else key.expression.asc())
    return order


def cursor_conditions(
    kind: str, keys: Sequence[SortKey], page: PageArgs
) -> list[ColumnElement[bool]]:
    conditions = []
    if page.after is not None:
        values = decode_cursor(kind, page.after, keys)
        conditions.append(keyset_condition(keys, values, after=True))
    if page.before is not None:
        values = decode_cursor(kind, page.before, keys)
        conditions.append(keyset_condition(keys, values, after=False))
    return conditions


def build_connection(
    rows: Sequence[Any],
    page: PageArgs,
    cursor_of: Callable[[Any], str],
    to_node: Callable[[Any], NodeType],
    count_total: Callable[[], int],
) -> Connection[NodeType]:
    """Build a connection from up to limit + 1 rows fetched in page order."""
    has_more = len(rows) > page.limit
    rows = list(rows[: page.limit])
    if page.backward:
        rows.reverse()
    edges = [Edge(node=to_node(row), _cursor=partial(cursor_of, row)) for row in rows]
    # Looking the other way costs a query; a cursor given means rows exist there.
    if page.backward:
        has_next, has_previous = page.before is not None, has_more
    else:
        has_next, has_previous = has_more, page.after is not None
    page_info = PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=cursor_of(rows[0]) if rows else None,
        end_cursor=cursor_of(rows[-1]) if rows else None,
    )
    return Connection(edges=edges, page_info=page_info, _count_total=count_total)


def paginate(
    session: Session,
    statement: Select,
    keys: Sequence[SortKey],
    page: PageArgs,
    kind: str,
    to_node: Callable[[Any], NodeType],
    page_columns: Sequence[Any] = (),
) -> Connection[NodeType]:
    """Run one page of `statement` sorted by `keys`.

    `to_node` gets each result row; the sort values are appended to it as extra
    columns, which the cursor reads. `page_columns` are added to the page's rows
    only, never to the total count.
    """
    paged = (
        statement.add_columns(
            *page_columns,
            *(key.expression.label(f"sort_{index}") for index, key in enumerate(keys)),
        )
        .where(*cursor_conditions(kind, keys, page))
        .order_by(*page_order(keys, page.backward))
        .limit(page.limit + 1)
    )
    rows = session.execute(paged).all() if page.limit else []

    def count_total() -> int:
        counted = select(func.count()).select_from(statement.order_by(None).subquery())
        return session.execute(counted).scalar_one()

    return build_connection(
        rows,
        page,
        cursor_of=lambda row: encode_cursor(kind, row[-len(keys) :]),
        to_node=to_node,
        count_total=count_total,
    )
