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

logger = logging.getLogger(__name__)

SCRIPT_LOCATION = "segments_module:migrations"
VERSION_TABLE = "segments_alembic_version"
BRANCH = "segments"
HEAD = f"{BRANCH}@head"
# Key of the PostgreSQL advisory lock that lets one process migrate at a time.
MIGRATION_LOCK_KEY = 0x5E6_0001
CONTACT_STORE_REVISION = "segments_0001"
MODULE_TABLES_REVISION = "segments_0002"

# Tables that exist without a version row (made by metadata.create_all, or by a
# host that created the contact tables itself) and the revision that creates them.
# NOTE: create_all of today's models matches segments_0002. Once a later revision
# changes a table, a database made by an older create_all needs a manual stamp.
UNVERSIONED_TABLE_REVISIONS = (
    ("segment_header", MODULE_TABLES_REVISION),
    ("contact", CONTACT_STORE_REVISION),
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
    """Record and return the revision of tables made without Alembic, if any."""
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
    for table, revision in UNVERSIONED_TABLE_REVISIONS:
        if inspector.has_table(table):
            logger.warning(
                "Table %s exists without a version row; recording revision %s",
                table,
                revision,
            )
            command.stamp(alembic_config(connection), revision)
            return revision
    return None


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
