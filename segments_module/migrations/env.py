"""Alembic environment of the module's own migration branch.

The configuration is built in code (segments_module.migrate.alembic_config), so there
is no alembic.ini. Revisions are recorded in their own version table, which leaves a
host's Alembic history in the same database untouched.
"""

from __future__ import annotations

from alembic import context

from segments_module.db import create_db_engine
from segments_module.migrate import VERSION_TABLE
from segments_module.models import Base

config = context.config
target_metadata = Base.metadata


def include_name(name, type_, parent_names) -> bool:
    # Autogenerate compares only the module's tables: a host's tables in the same
    # database are not the module's to create or drop.
    if type_ == "table":
        return name in target_metadata.tables
    return True


def configure(**kwargs) -> None:
    context.configure(
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        include_name=include_name,
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    configure(
        url=url,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return

    engine = create_db_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _run_on(connection)
    finally:
        engine.dispose()


def _run_on(connection) -> None:
    # SQLite cannot alter most constraints in place; batch mode rebuilds the table.
    configure(
        connection=connection,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
