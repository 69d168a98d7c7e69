"""Alembic migrations of the module, run from code.

The module keeps its revisions on their own branch ("segments") and in their own
version table, so a host that uses Alembic for its own tables keeps its history.
Revision segments_0001 creates the embedded contact store's tables, and
segments_0002 creates the module's own tables. The uninstall hook downgrades to
segments_0001, so contacts that a host may own survive an uninstall.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import make_url

from .db import create_db_engine
from .errors import ErrorCode, FieldError, ServiceError
from .models import Base
from .models import contacts as contact_store_models

logger = logging.getLogger(__name__)

SCRIPT_LOCATION = "segments_module:migrations"
VERSION_TABLE = "segments_alembic_version"
BRANCH = "segments"
HEAD = f"{BRANCH}@head"
# Key of the PostgreSQL advisory lock that lets one process migrate at a time.
MIGRATION_LOCK_KEY = 0x5E6_0001
CONTACT_STORE_REVISION = "segments_0001"
MODULE_TABLES_REVISION = "segments_0002"
DELIVERY_REVISION = "segments_0003"
# Tables that segments_0003 creates.
DELIVERY_TABLES = frozenset({"company_information", "job", "salutation_formula"})


class SchemaConflictError(ServiceError):
    """The error raised when tables with the module's names match no revision."""

    def __init__(self, message: str):
        super().__init__(FieldError("database", ErrorCode.INVALID, message))


def _revision_tables() -> tuple[tuple[str, frozenset[str]], ...]:
    """Return each revision with every table that exists once it is applied.

    segments_0001 creates the tables of models/contacts.py, segments_0002 the
    segment and interaction tables, and segments_0003 the delivery tables. NOTE: the
    columns are read from today's models, which match segments_0003, so a database
    that an older create_all made without a version row needs a manual stamp.
    """
    contact_store = frozenset(
        mapper.local_table.name
        for mapper in Base.registry.mappers
        if mapper.class_.__module__ == contact_store_models.__name__
    )
    return (
        (CONTACT_STORE_REVISION, contact_store),
        (MODULE_TABLES_REVISION, frozenset(Base.metadata.tables) - DELIVERY_TABLES),
        (DELIVERY_REVISION, frozenset(Base.metadata.tables)),
    )


def alembic_config(connection: Connection | None = None, url: str = "") -> Config:
    """Build the Alembic configuration. Migrations run on `connection` when given."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if url:
        # Config values are interpolated, so a literal % must be doubled.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def upgrade(database: str | Engine, revision: str = HEAD) -> None:
    """Create or upgrade the module's tables up to `revision` (default: the head)."""
    with _connection(database) as connection:
        _stamp_unversioned_tables(connection)
        logger.info("Upgrading %s to %s", _safe_url(connection), revision)
        command.upgrade(alembic_config(connection), revision)


def downgrade(database: str | Engine, revision: str) -> None:
    """Downgrade the module's tables to `revision` ("base" removes all of them)."""
    with _connection(database) as connection:
        logger.info("Downgrading %s to %s", _safe_url(connection), revision)
        command.downgrade(alembic_config(connection), revision)


def stamp(database: str | Engine, revision: str) -> None:
    """Record `revision` as the module's current one without running migrations."""
    with _connection(database) as connection:
        command.stamp(alembic_config(connection), revision)


def stamp_unversioned_tables(database: str | Engine) -> str | None:
    """Record and return the revision of tables made without Alembic, if any.

    A revision is recorded only when the database has exactly the tables that the
    revisions up to it create, each with the columns the module expects. Raises
    SchemaConflictError, having recorded nothing, when only some of them exist or
    a table lacks columns, as when a host has an unrelated table named contact.
    """
    with _connection(database) as connection:
        return _stamp_unversioned_tables(connection)


def current_revision(database: str | Engine) -> str | None:
    """Return the module's revision in the database, or None when it has none."""
    with _connection(database) as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": VERSION_TABLE}
        )
        return context.get_current_revision()


def _stamp_unversioned_tables(connection: Connection) -> str | None:
    context = MigrationContext.configure(
        connection, opts={"version_table": VERSION_TABLE}
    )
    if context.get_current_revision() is not None:
        return None

    inspector = inspect(connection)
    existing = set(inspector.get_table_names()) & set(Base.metadata.tables)
    if not existing:
        return None

    revision = _revision_with_tables(existing)
    _check_columns(inspector, existing)
    logger.warning(
        "The module's tables exist without a version row, so revision %s is recorded",
        revision,
    )
    command.stamp(alembic_config(connection), revision)
    return revision


def _revision_with_tables(existing: set[str]) -> str:
    """Return the revision that creates exactly the `existing` tables, or raise."""
    revisions = _revision_tables()
    for revision, tables in revisions:
        if existing == tables:
            return revision

    # Name the first revision that would create every existing table.
    revision, tables = next(
        (item for item in revisions if existing <= item[1]), revisions[-1]
    )
    missing = sorted(tables - existing)
    raise SchemaConflictError(
        f"The database has the tables {_names(existing)} but not the other "
        f"{len(missing)} tables of the module's revision {revision} (such as "
        f"{_names(missing[:3])}), so these tables were not made by the module. "
        "Use another database or PostgreSQL schema, or drop or rename these tables."
    )


def _check_columns(inspector, tables: set[str]) -> None:
    """Raise SchemaConflictError when a table lacks columns that the module needs."""
    problems = []
    for table in sorted(tables):
        found = {column["name"] for column in inspector.get_columns(table)}
        missing = [
            column.name
            for column in Base.metadata.tables[table].columns
            if column.name not in found
        ]
        if missing:
            problems.append(f"{table} lacks {_names(missing)}")
    if problems:
        raise SchemaConflictError(
            "The database has tables with the module's names but not its columns "
            f"({'; '.join(problems)}), so they were not made by the module. Use "
            "another database or PostgreSQL schema, or drop or rename these tables."
        )


def _names(names) -> str:
    return ", ".join(sorted(names))


@contextmanager
def _connection(database: str | Engine) -> Iterator[Connection]:
    """Yield a connection in a transaction that commits when the block succeeds.

    The transaction holds the database's write lock, so two processes that start
    at once (two servers, say) migrate one after the other, and the second one
    then finds nothing left to do.
    """
    engine = create_db_engine(database) if isinstance(database, str) else database
    try:
        # sqlite_write makes segments_module.db begin with BEGIN IMMEDIATE.
        with engine.execution_options(sqlite_write=True).begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"),
                    {"key": MIGRATION_LOCK_KEY},
                )
            yield connection
    finally:
        if isinstance(database, str):
            engine.dispose()


def _safe_url(connection: Connection) -> str:
    return make_url(connection.engine.url).render_as_string(hide_password=True)
