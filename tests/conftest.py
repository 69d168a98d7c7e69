"""Database fixtures: every test that takes `engine` runs on SQLite and PostgreSQL.

PostgreSQL comes from SEGMENTS_TEST_POSTGRES_URL (default: the local server on
127.0.0.1:5432, database `test`). The suite creates a database of its own there and
drops it at the end. Without a reachable server those runs are skipped with the
reason, unless SEGMENTS_TEST_REQUIRE_POSTGRES=1 (set by .ci/run), which fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from segments_module.config import Settings
from segments_module.db import create_db_engine, session_scope
from segments_module.models import Base
from segments_module.services.env import Actor, Env

# Fixtures of a real SMTP server on loopback: smtp_server, smtp_server_factory, ...
pytest_plugins = ["tests.smtp_server"]

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def postgres_admin_url() -> str:
    return os.environ.get("SEGMENTS_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def postgres_required() -> bool:
    return os.environ.get("SEGMENTS_TEST_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Create a database for this test run on the PostgreSQL server, then drop it."""
    admin_url = postgres_admin_url()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except Exception as error:  # noqa: BLE001 - any connection failure means "absent"
        admin.dispose()
        reason = f"PostgreSQL not reachable at {make_url(admin_url)!r}: {error}"
        if postgres_required():
            pytest.fail(reason)
        pytest.skip(reason)

    name = f"segments_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = create_db_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url

    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """A URL of an empty database with the module's tables, one per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'segments.sqlite'}"
        engine = create_db_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        yield url
        return

    url = request.getfixturevalue("postgres_url")
    yield url
    engine = create_db_engine(url)
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def actor() -> Actor:
    return Actor(user_id="marketing.user", groups=frozenset({"segments.group_user"}))


@pytest.fixture
def env_factory(engine, actor):
    """Return a context manager that yields an Env in one committed transaction."""

    def make(write: bool = True):
        from contextlib import contextmanager

        @contextmanager
        def scope():
            with session_scope(engine, write=write) as session:
                yield Env(session=session, actor=actor, settings=Settings())

        return scope()

    return make


@pytest.fixture
def demo_engine(engine) -> Engine:
    """The engine with the CRONUS demo data loaded."""
    from segments_module.demo import load_demo

    with session_scope(engine, write=True) as session:
        load_demo(session)
    return engine


def shared_data(relative: str) -> Path:
    """Return a file under ../shared/data, skipping the test when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"third-party test data not found at {path}")
    return path


def require_soffice() -> None:
    """Skip the calling test when LibreOffice is missing, or fail in CI.

    .ci/run installs LibreOffice and sets SEGMENTS_TEST_REQUIRE_SOFFICE=1, so that
    the PDF tests cannot silently skip there.
    """
    from segments_module.merge.pdf import find_soffice

    if find_soffice() is not None:
        return
    reason = (
        "LibreOffice (soffice) is not installed: apt-get install "
        "libreoffice-writer-nogui to run this test"
    )
    if os.environ.get("SEGMENTS_TEST_REQUIRE_SOFFICE") == "1":
        pytest.fail(reason)
    pytest.skip(reason)
