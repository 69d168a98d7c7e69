"""Alembic migrations and install hooks on empty SQLite and PostgreSQL databases."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from segments_module import hooks, migrate
from segments_module.db import create_db_engine, session_scope
from segments_module.models import Base, Contact, NumberSeries, SegmentHeader

CONTACT_STORE_TABLES = {
    "contact",
    "mailing_group",
    "contact_mailing_group",
    "industry_group",
    "contact_industry_group",
    "business_relation",
    "contact_business_relation",
    "job_responsibility",
    "contact_job_responsibility",
    "profile_questionnaire",
    "profile_questionnaire_line",
    "contact_profile_answer",
    "salesperson",
    "campaign",
    "language",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path) -> Iterator[str]:
    """A URL of a database without any table, one per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return

    server_url = make_url(request.getfixturevalue("postgres_url"))
    name = f"segments_migrate_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server_url.set(database=name).render_as_string(hide_password=False)

    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def empty_engine(empty_database_url):
    engine = create_db_engine(empty_database_url)
    yield engine
    engine.dispose()


def schema_differences(engine) -> list:
    """Return what autogenerate would change to make the database match the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"version_table": migrate.VERSION_TABLE, "compare_type": True},
        )
        return compare_metadata(context, Base.metadata)


def table_names(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_scripts_single_head_on_segments_branch():
    # given
    scripts = ScriptDirectory.from_config(migrate.alembic_config())

    # when
    heads = scripts.get_revisions(migrate.HEAD)
    base = scripts.get_revision(migrate.CONTACT_STORE_REVISION)

    # then
    assert [head.revision for head in heads] == [migrate.DELIVERY_REVISION]
    assert base.branch_labels == {migrate.BRANCH}
    assert base.down_revision is None


def test_upgrade_empty_database_matches_models(empty_engine):
    # given
    assert table_names(empty_engine) == set()

    # when
    migrate.upgrade(empty_engine)

    # then
    assert schema_differences(empty_engine) == []
    assert table_names(empty_engine) == set(Base.metadata.tables) | {
        migrate.VERSION_TABLE
    }
    assert migrate.current_revision(empty_engine) == migrate.DELIVERY_REVISION


def test_upgrade_from_url_string(empty_database_url):
    # when
    migrate.upgrade(empty_database_url)

    # then
    assert migrate.current_revision(empty_database_url) == migrate.DELIVERY_REVISION


def test_upgrade_second_run_changes_nothing(empty_engine):
    # given
    migrate.upgrade(empty_engine)
    with session_scope(empty_engine, write=True) as session:
        session.add(Contact(no="CT000001", name="Kept Contact"))

    # when
    migrate.upgrade(empty_engine)

    # then
    assert migrate.current_revision(empty_engine) == migrate.DELIVERY_REVISION
    assert schema_differences(empty_engine) == []
    with session_scope(empty_engine) as session:
        assert session.scalars(select(Contact.name)).all() == ["Kept Contact"]


def test_upgrade_concurrent_processes_both_succeed(empty_database_url):
    # given: two upgrades that start at once, as two servers would
    errors = []

    def run_upgrade():
        try:
            migrate.upgrade(empty_database_url)
        except Exception as error:  # noqa: BLE001 - the test reports any failure
            errors.append(error)

    threads = [threading.Thread(target=run_upgrade) for _ in range(2)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert errors == []
    assert migrate.current_revision(empty_database_url) == migrate.DELIVERY_REVISION


def test_current_revision_empty_database_is_none(empty_engine):
    assert migrate.current_revision(empty_engine) is None


def test_upgrade_leaves_host_alembic_history(empty_engine):
    # given: a host that keeps its own Alembic history in the same database
    with empty_engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        )
        connection.execute(text("INSERT INTO alembic_version VALUES ('host0042')"))

    # when
    migrate.upgrade(empty_engine)

    # then
    with empty_engine.connect() as connection:
        host_versions = connection.execute(
            text("SELECT version_num FROM alembic_version")
        ).scalars()
        assert list(host_versions) == ["host0042"]
    assert migrate.current_revision(empty_engine) == migrate.DELIVERY_REVISION


def test_upgrade_database_from_create_all(empty_engine):
    # given: tables made by metadata.create_all, without a version row
    Base.metadata.create_all(empty_engine)

    # when
    migrate.upgrade(empty_engine)

    # then
    assert migrate.current_revision(empty_engine) == migrate.DELIVERY_REVISION
    assert schema_differences(empty_engine) == []


def test_post_init_hook_creates_segment_number_series(empty_engine):
    # when
    hooks.post_init_hook(empty_engine)
    hooks.post_init_hook(empty_engine)

    # then
    with session_scope(empty_engine) as session:
        series = session.scalars(select(NumberSeries)).all()
    assert [(row.code, row.last_no_used) for row in series] == [("SEGMENT", "SM10000")]


def test_post_init_hook_keeps_used_number_series(empty_engine):
    # given
    hooks.post_init_hook(empty_engine)
    with session_scope(empty_engine, write=True) as session:
        session.get(NumberSeries, "SEGMENT").last_no_used = "SM10007"

    # when
    hooks.post_init_hook(empty_engine)

    # then
    with session_scope(empty_engine) as session:
        assert session.get(NumberSeries, "SEGMENT").last_no_used == "SM10007"


def test_uninstall_hook_keeps_contact_store(empty_engine):
    # given
    hooks.post_init_hook(empty_engine)
    with session_scope(empty_engine, write=True) as session:
        session.add(Contact(no="CT000001", name="Host Contact"))
        session.add(SegmentHeader(no="SM10001", description="Dropped"))

    # when
    hooks.uninstall_hook(empty_engine)

    # then
    assert table_names(empty_engine) == CONTACT_STORE_TABLES | {migrate.VERSION_TABLE}
    assert migrate.current_revision(empty_engine) == migrate.CONTACT_STORE_REVISION
    with session_scope(empty_engine) as session:
        assert session.scalars(select(Contact.name)).all() == ["Host Contact"]


def test_uninstall_hook_then_reinstall(empty_engine):
    # given
    hooks.post_init_hook(empty_engine)
    hooks.uninstall_hook(empty_engine)

    # when
    hooks.post_init_hook(empty_engine)

    # then
    assert schema_differences(empty_engine) == []
    with session_scope(empty_engine) as session:
        assert session.get(NumberSeries, "SEGMENT").last_no_used == "SM10000"


def test_uninstall_hook_drops_contact_store_on_request(empty_engine):
    # given
    hooks.post_init_hook(empty_engine)

    # when
    hooks.uninstall_hook(empty_engine, drop_contact_store=True)

    # then
    assert table_names(empty_engine) == set()


def test_uninstall_hook_database_from_create_all(empty_engine):
    # given
    Base.metadata.create_all(empty_engine)

    # when
    hooks.uninstall_hook(empty_engine)

    # then
    assert table_names(empty_engine) == CONTACT_STORE_TABLES | {migrate.VERSION_TABLE}


def test_uninstall_hook_empty_database_does_nothing(empty_engine):
    # when
    hooks.uninstall_hook(empty_engine)

    # then
    assert table_names(empty_engine) == set()


def create_contact_store_tables(engine, *, except_table: str = "") -> None:
    tables = [
        Base.metadata.tables[name]
        for name in sorted(CONTACT_STORE_TABLES)
        if name != except_table
    ]
    Base.metadata.create_all(engine, tables=tables)


def test_revision_tables_match_migrations(empty_engine):
    # when
    migrate.upgrade(empty_engine, migrate.CONTACT_STORE_REVISION)

    # then
    revisions = dict(migrate._revision_tables())
    assert revisions[migrate.CONTACT_STORE_REVISION] == CONTACT_STORE_TABLES
    assert table_names(empty_engine) == CONTACT_STORE_TABLES | {migrate.VERSION_TABLE}


def test_upgrade_rejects_unrelated_contact_table(empty_engine):
    # given: a host table named contact, without the other contact store tables
    with empty_engine.begin() as connection:
        connection.execute(text("CREATE TABLE contact (id INTEGER, label TEXT)"))

    # when
    with pytest.raises(migrate.SchemaConflictError) as raised:
        migrate.upgrade(empty_engine)

    # then nothing is recorded or created, and the error names the table and fix
    message = raised.value.errors[0].message
    assert message.startswith(
        "The database has the tables contact but not the other 14 tables of the "
        "module's revision segments_0001 (such as business_relation, campaign, "
        "contact_business_relation), so these tables were not made by the module."
    )
    assert "Use another database or PostgreSQL schema, or drop or rename" in message
    assert raised.value.errors[0].field == "database"
    assert migrate.current_revision(empty_engine) is None
    assert table_names(empty_engine) == {"contact"}


def test_upgrade_rejects_contact_table_without_columns(empty_engine):
    # given: every contact store table, but a contact table of the host's own
    with empty_engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE contact (no VARCHAR(20) PRIMARY KEY, name TEXT)")
        )
    create_contact_store_tables(empty_engine, except_table="contact")

    # when
    with pytest.raises(migrate.SchemaConflictError) as raised:
        migrate.upgrade(empty_engine)

    # then the error names the table and its missing columns
    message = raised.value.errors[0].message
    assert "(contact lacks address, address_2, city, company_name," in message
    assert migrate.current_revision(empty_engine) is None


def test_upgrade_rejects_part_of_module_tables(empty_engine):
    # given: the contact store and one stray table of the module's later revision
    create_contact_store_tables(empty_engine)
    Base.metadata.create_all(
        empty_engine, tables=[Base.metadata.tables["interaction_group"]]
    )

    # when
    with pytest.raises(migrate.SchemaConflictError) as raised:
        migrate.upgrade(empty_engine)

    # then the later revision is named
    assert "revision segments_0002" in raised.value.errors[0].message
    assert migrate.current_revision(empty_engine) is None


def test_upgrade_contact_store_made_by_host(empty_engine):
    # given: the contact store tables, made by a host without Alembic
    create_contact_store_tables(empty_engine)

    # when
    migrate.upgrade(empty_engine)

    # then
    assert migrate.current_revision(empty_engine) == migrate.DELIVERY_REVISION
    assert schema_differences(empty_engine) == []


def test_deleted_attachment_number_never_reused(empty_engine):
    # given a database upgraded from segments_0002 with attachment 5 in it
    migrate.upgrade(empty_engine, migrate.MODULE_TABLES_REVISION)
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO attachment (no, file_name, file_extension, storage_path,"
                " size, read_only) VALUES (5, 'a.docx', 'docx', '', 1, false)"
            )
        )
    migrate.upgrade(empty_engine)

    # when it is deleted and another attachment is stored
    with empty_engine.begin() as connection:
        connection.execute(text("DELETE FROM attachment WHERE no = 5"))
        connection.execute(
            text(
                "INSERT INTO attachment (file_name, file_extension, content_type,"
                " storage_path, size, sha256, read_only, created_by)"
                " VALUES ('b.docx', 'docx', '', '', 1, '', false, '')"
            )
        )
        numbers = connection.execute(text("SELECT no FROM attachment")).scalars()

        # then the new one gets a new number, so old links cannot reach it
        assert list(numbers) != [5]
