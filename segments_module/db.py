"""Engine and session set-up for SQLite and PostgreSQL.

Services never open sessions: the request or the command owns the session and passes
it in. Writes on SQLite start with BEGIN IMMEDIATE so that two writers queue on the
busy timeout instead of failing on a stale snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str) -> str:
    """Return the URL with the psycopg 3 driver for plain postgresql:// URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def create_db_engine(url: str, **kwargs) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and real transactions."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)

    engine = create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_connection.isolation_level = None
        # SQLite's own lower() folds A-Z only; "@" filters need every letter folded,
        # as PostgreSQL does.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if make_url(url).database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get("sqlite_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def is_sqlite(session_or_engine) -> bool:
    bind = getattr(session_or_engine, "bind", session_or_engine)
    return bind.dialect.name == "sqlite"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """Yield a session in one transaction: commit on success, roll back on error.

    `write=True` takes the database write lock at the start on SQLite.
    """
    bind = engine.execution_options(sqlite_write=True) if write else engine
    session = Session(bind, expire_on_commit=False)
    try:
        with session.begin():
            yield session
    finally:
        session.close()


def execute_counted(session: Session, statement) -> int:
    """Execute a write statement and return its row count, INSERT ... SELECT included.

    Drivers report -1 for an INSERT's count unless asked to keep it.
    """
    return session.execute(statement.execution_options(preserve_rowcount=True)).rowcount
