"""Fresh benchmark databases: a new SQLite file or a new PostgreSQL database.

Each benchmark run works on a database of its own. The SQLite file is created under
benchmarks/results/; the PostgreSQL database `segments_bench_<random>` is created on
the server named by SEGMENTS_BENCH_POSTGRES_URL (default: the local server) and
dropped when the context manager exits.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from segments_module.db import create_db_engine

logger = logging.getLogger(__name__)

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BACKENDS = ("sqlite", "postgresql")


def postgres_admin_url() -> str:
    return os.environ.get("SEGMENTS_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN_URL)


@contextmanager
def fresh_database(backend: str, *, keep: bool = False) -> Iterator[str]:
    """Yield the URL of a new, empty database on `backend` ("sqlite" or "postgresql").

    The database is removed on exit unless `keep` is true.
    """
    if backend == "sqlite":
        with _fresh_sqlite(keep) as url:
            yield url
    elif backend == "postgresql":
        with _fresh_postgres(keep) as url:
            yield url
    else:
        raise ValueError(
            f"Backend {backend!r} is not supported. Use one of {BACKENDS}."
        )


@contextmanager
def _fresh_sqlite(keep: bool) -> Iterator[str]:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"bench_{uuid.uuid4().hex[:8]}.sqlite"
    logger.info("creating SQLite database %s", path)
    try:
        yield f"sqlite:///{path}"
    finally:
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def _fresh_postgres(keep: bool) -> Iterator[str]:
    admin_url = postgres_admin_url()
    name = f"segments_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    logger.info("created PostgreSQL database %s", name)
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        if not keep:
            with admin.connect() as connection:
                connection.execute(
                    text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                )
            logger.info("dropped PostgreSQL database %s", name)
        admin.dispose()


def open_engine(url: str) -> Engine:
    """Open `url` with the module's engine settings (WAL, foreign keys on SQLite)."""
    return create_db_engine(url)


def database_version(engine: Engine) -> str:
    """Return the server version as a short text, e.g. "SQLite 3.40.1"."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return (
                "SQLite " + connection.execute(text("SELECT sqlite_version()")).scalar()
            )
        return "PostgreSQL " + connection.execute(text("SHOW server_version")).scalar()


def settle(engine: Engine) -> None:
    """Checkpoint the WAL (SQLite) or vacuum and analyse (PostgreSQL) between steps.

    Run outside any measurement, so that each measured step starts from a clean state
    and no background vacuum or checkpoint falls into the next step.
    """
    if engine.dialect.name == "sqlite":
        # The raw connection runs in autocommit mode: a checkpoint inside a
        # transaction could not reset the WAL.
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.driver_connection.execute("ANALYZE")
        finally:
            raw.close()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE)")
        # CHECKPOINT needs superuser or the pg_checkpoint role.
        connection.exec_driver_sql("CHECKPOINT")
