"""Inserts of many rows in one executemany that skip rows whose key exists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

_INSERT_BY_DIALECT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def dialect_insert(session: Session, table: Table):
    """Return an INSERT of the session's backend, which offers ON CONFLICT clauses."""
    dialect = session.get_bind().dialect.name
    try:
        insert = _INSERT_BY_DIALECT[dialect]
    except KeyError:
        raise NotImplementedError(
            f"ON CONFLICT inserts are written for SQLite and PostgreSQL, not for "
            f"{dialect!r}"
        ) from None
    return insert(table)


def unique_by_key(table: Table, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return one row per primary key, a later row replacing an earlier one."""
    key_columns = [column.name for column in table.primary_key.columns]
    by_key = {tuple(row[name] for name in key_columns): row for row in rows}
    return list(by_key.values())


def insert_missing_rows(
    session: Session, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """Insert the rows whose primary key is not in the table yet.

    Rows whose key exists are left as they are (ON CONFLICT DO NOTHING). `rows`
    must be unique by primary key (see unique_by_key), because otherwise the
    database keeps the first of them rather than the last. Every row must have the
    same keys, and columns missing from the rows get their defaults.
    """
    if not rows:
        return

    key_columns = [column.name for column in table.primary_key.columns]
    statement = dialect_insert(session, table).on_conflict_do_nothing(
        index_elements=key_columns
    )
    session.execute(statement, list(rows))
