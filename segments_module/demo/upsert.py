"""Insert-or-update of many rows in one executemany, with the backend's ON CONFLICT."""

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
            f"upserts are written for SQLite and PostgreSQL, not for {dialect!r}"
        ) from None
    return insert(table)


def upsert_rows(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    update_columns: Sequence[str] | None = None,
) -> None:
    """Insert rows, updating `update_columns` of rows whose primary key exists.

    Every row must have the same keys. `update_columns` defaults to every non-key
    column in the rows. When there is none, existing rows are left as they are.
    Columns missing from the rows keep their defaults on insert and their values
    on update.
    """
    if not rows:
        return

    key_columns = [column.name for column in table.primary_key.columns]
    if update_columns is None:
        update_columns = [name for name in rows[0] if name not in key_columns]

    statement = dialect_insert(session, table)
    if update_columns:
        statement = statement.on_conflict_do_update(
            index_elements=key_columns,
            set_={name: statement.excluded[name] for name in update_columns},
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=key_columns)
    session.execute(statement, list(rows))
