"""The `segments` command, run through click's CliRunner on a temporary SQLite file."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import click
import pytest
import uvicorn
from click.testing import CliRunner
from sqlalchemy import func, select, text
from strawberry.printer import print_schema

from graphql_api.schema import schema
from segments_module import migrate
from segments_module.cli import main
from segments_module.db import create_db_engine, session_scope
from segments_module.models import Contact, SegmentHeader
from tests.conftest import shared_data

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def database_file(tmp_path) -> Path:
    return tmp_path / "cli.sqlite"


@pytest.fixture
def run(database_file, monkeypatch):
    """Return a function that runs `segments --database <tmp file> ARGS...`."""
    monkeypatch.delenv("SEGMENTS_DATABASE_URL", raising=False)

    def invoke(*args: str, database: str | None = None):
        url = database or f"sqlite:///{database_file}"
        return CliRunner().invoke(main, ["--database", url, *args])

    return invoke


def count_rows(database_file: Path, model) -> int:
    engine = create_db_engine(f"sqlite:///{database_file}")
    try:
        with session_scope(engine) as session:
            return session.scalar(select(func.count()).select_from(model))
    finally:
        engine.dispose()


def all_commands(group: click.Group, prefix: str = ""):
    for name, command in group.commands.items():
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from all_commands(command, f"{prefix}{name} ")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cli_every_command_and_option_has_help():
    commands = [("segments", main), *all_commands(main)]

    for name, command in commands:
        assert command.help, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts}"


def test_cli_help_lists_commands():
    result = CliRunner().invoke(main, ["--help"])

    assert result.exit_code == 0
    for name in ("db", "demo", "contacts", "export-schema", "serve"):
        assert name in result.output


def test_db_upgrade_creates_tables(run, database_file):
    # when
    result = run("db", "upgrade")

    # then
    assert result.exit_code == 0, result.output
    assert "is at revision segments_0003" in result.output
    assert migrate.current_revision(f"sqlite:///{database_file}") == "segments_0003"


def test_db_current_before_and_after_upgrade(run):
    before = run("db", "current")
    run("db", "upgrade")
    after = run("db", "current")

    assert before.output == "none\n"
    assert after.output == "segments_0003\n"


def test_db_upgrade_reads_url_from_environment(tmp_path, monkeypatch):
    # given
    database = tmp_path / "from_env.sqlite"
    monkeypatch.setenv("SEGMENTS_DATABASE_URL", f"sqlite:///{database}")

    # when
    result = CliRunner().invoke(main, ["db", "upgrade"])

    # then
    assert result.exit_code == 0, result.output
    assert database.is_file()


def test_db_upgrade_default_file_in_current_folder(tmp_path, monkeypatch):
    # given
    monkeypatch.delenv("SEGMENTS_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)

    # when
    result = CliRunner().invoke(main, ["db", "upgrade"])

    # then
    assert result.exit_code == 0, result.output
    assert (tmp_path / "segments.sqlite").is_file()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "Error: Invalid database URL 'not a url'"),
        ("oracle9://db/x", "Error: Unsupported database in 'oracle9://db/x'"),
        ("postgresql://u:pw@127.0.0.1:port/x", "Error: Invalid database URL"),
        (
            "postgresql://postgres@127.0.0.1:1/segments",
            "Error: Cannot use the database postgresql://postgres@127.0.0.1:1"
            "/segments: connection failed",
        ),
        (
            "sqlite:////no/such/folder/x.sqlite",
            "Error: Cannot use the database sqlite:////no/such/folder/x.sqlite: "
            "unable to open database file. Check that the folder exists",
        ),
    ],
)
def test_db_upgrade_bad_database_one_line_error(run, url, expected):
    # when
    result = run("db", "upgrade", database=url)

    # then
    assert result.exit_code == 1
    assert result.output.startswith(expected)
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_db_upgrade_error_hides_password(run):
    result = run("db", "upgrade", database="postgresql://app:s3cret@127.0.0.1:1/x")

    assert result.exit_code == 1
    assert "s3cret" not in result.output
    assert "app:***@127.0.0.1" in result.output


def test_demo_load_prints_counts(run, database_file):
    # when
    result = run("demo", "load")

    # then
    assert result.exit_code == 0, result.output
    contacts = count_rows(database_file, Contact)
    assert contacts > 0
    assert f"  contact: {contacts}\n" in result.output
    assert count_rows(database_file, SegmentHeader) > 0


def test_demo_load_twice_keeps_counts(run, database_file):
    # given
    run("demo", "load")
    contacts = count_rows(database_file, Contact)

    # when
    result = run("demo", "load")

    # then
    assert result.exit_code == 0, result.output
    assert count_rows(database_file, Contact) == contacts


def test_contacts_import_inserts_rows(run, database_file, tmp_path):
    # given
    csv_path = tmp_path / "contacts.csv"
    csv_path.write_text(
        "Id,Full Name,Mail\nC-1,Ada Lovelace,ada@example.com\nC-2,Alan Turing,\n",
        encoding="utf-8",
    )

    # when
    result = run(
        "contacts",
        "import",
        str(csv_path),
        "--map",
        "no=Id",
        "--map",
        "name=Full Name",
        "--map",
        "email=Mail",
    )

    # then
    assert result.exit_code == 0, result.output
    assert "2 contacts inserted" in result.stdout
    assert count_rows(database_file, Contact) == 2


def test_contacts_import_datablist_preset(run, database_file):
    # given
    csv_path = shared_data("contacts/datablist_customers-100.csv")

    # when
    result = run("contacts", "import", str(csv_path), "--preset", "datablist")

    # then
    assert result.exit_code == 0, result.output
    assert "100 contacts inserted, 0 updated" in result.stdout
    persons_and_companies = count_rows(database_file, Contact)
    assert persons_and_companies > 100


def test_contacts_import_invalid_rows_write_nothing(run, database_file, tmp_path):
    # given
    csv_path = tmp_path / "contacts.csv"
    csv_path.write_text(
        "Id,Full Name,Mail\n"
        "C-1,Ada Lovelace,ada@example.com\n"
        ",No Number,\n"
        "C-3,Bad Mail,not-an-address\n",
        encoding="utf-8",
    )

    # when
    result = run(
        "contacts",
        "import",
        str(csv_path),
        "--map",
        "no=Id",
        "--map",
        "name=Full Name",
        "--map",
        "email=Mail",
    )

    # then
    assert result.exit_code == 1
    error_lines = result.stderr.splitlines()
    assert error_lines[0].startswith("line 3: ")
    assert error_lines[1].startswith("line 4: ")
    assert "Invalid rows: 2. No contacts were imported." in result.stderr
    assert result.stdout == ""
    assert count_rows(database_file, Contact) == 0


def test_contacts_import_preset_with_map_override(run, database_file, tmp_path):
    # given
    csv_path = tmp_path / "contacts.csv"
    header = (
        "No.,Name,Address,Territory Code,Language Code,Salesperson Code,"
        "Country Code,Post Code,Type,Company No.,Salutation Code,Job Title,"
        "Correspondence Type,Role\n"
    )
    csv_path.write_text(
        header
        + "CT1,Cronus Ltd,Main St,,,,GB,,0,CT1,,,0,\n"
        + "CT2,Ann Smith,Main St,,,,GB,,1,CT1,,Buyer,0,CEO\n",
        encoding="utf-8",
    )

    # when: the Role column replaces the preset's Job Title column
    result = run(
        "contacts", "import", str(csv_path), "--preset", "bc", "--map", "job_title=Role"
    )

    # then
    assert result.exit_code == 0, result.output
    assert "2 contacts inserted" in result.stdout
    engine = create_db_engine(f"sqlite:///{database_file}")
    with session_scope(engine) as session:
        person = session.get(Contact, "CT2")
        assert person.job_title == "CEO"
        assert person.company_no == "CT1"
    engine.dispose()


def test_contacts_import_missing_column_one_line(run, tmp_path):
    # given
    csv_path = tmp_path / "contacts.csv"
    csv_path.write_text("Id,Full Name\nC-1,Ada Lovelace\n", encoding="utf-8")

    # when
    result = run(
        "contacts", "import", str(csv_path), "--map", "no=Id", "--map", "name=Name"
    )

    # then
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "'Name'" in result.output
    assert result.output.count("\n") == 1


def test_contacts_import_without_mapping_rejected(run, tmp_path):
    csv_path = tmp_path / "contacts.csv"
    csv_path.write_text("No.,Name\n", encoding="utf-8")

    result = run("contacts", "import", str(csv_path))

    assert result.exit_code == 2
    assert "give --preset, --map FIELD=COLUMN, or both" in result.output


def test_contacts_import_missing_file(run, tmp_path):
    # given
    missing = tmp_path / "none.csv"

    # when
    result = run("contacts", "import", str(missing), "--preset", "bc")

    # then
    assert result.exit_code == 1
    assert result.output == (
        f"Error: File {str(missing)!r} was not found. Check the path of the CSV file.\n"
    )


def test_contacts_import_unknown_preset(run, tmp_path):
    # given
    csv_path = tmp_path / "contacts.csv"
    csv_path.write_text("No.,Name\n", encoding="utf-8")

    # when
    result = run("contacts", "import", str(csv_path), "--preset", "salesforce")

    # then
    assert result.exit_code == 2
    assert "unknown preset 'salesforce'. Choose one of: " in result.output
    assert "datablist" in result.output


def test_contacts_import_unknown_encoding(run, tmp_path):
    # given
    csv_path = tmp_path / "contacts.csv"
    csv_path.write_text("No.,Name\n", encoding="utf-8")

    # when
    result = run(
        "contacts", "import", str(csv_path), "--preset", "bc", "--encoding", "klingon"
    )

    # then
    assert result.exit_code == 2
    assert "unknown encoding 'klingon'" in result.output


def test_export_schema_prints_sdl(run):
    # when
    result = run("export-schema")

    # then
    assert result.exit_code == 0, result.output
    assert result.stdout == print_schema(schema) + "\n"
    assert "type Query" in result.stdout


def test_export_schema_writes_file(run, tmp_path):
    # given
    output = tmp_path / "schema.graphql"

    # when
    result = run("export-schema", "--output", str(output))

    # then
    assert result.exit_code == 0, result.output
    assert output.read_text(encoding="utf-8") == print_schema(schema) + "\n"


def test_export_schema_missing_folder(run, tmp_path):
    # given
    output = tmp_path / "no" / "schema.graphql"

    # when
    result = run("export-schema", "--output", str(output))

    # then
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Cannot write the schema to '{output}'")
    assert result.output.count("\n") == 1


def test_serve_demo_loads_on_first_start(run, database_file, monkeypatch):
    # given
    started = {}
    monkeypatch.setattr(
        uvicorn, "run", lambda app, host, port: started.update(host=host, port=port)
    )
    port = free_port()

    # when
    result = run("serve", "--port", str(port), "--demo")

    # then
    assert result.exit_code == 0, result.output
    assert started == {"host": "127.0.0.1", "port": port}
    assert f"http://127.0.0.1:{port}/graphql" in result.output
    assert "Loaded the demo data" in result.output
    assert count_rows(database_file, Contact) > 0


def test_serve_demo_skipped_when_contacts_exist(run, database_file, monkeypatch):
    # given
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port: None)
    run("db", "upgrade")
    engine = create_db_engine(f"sqlite:///{database_file}")
    with session_scope(engine, write=True) as session:
        session.add(Contact(no="OWN-1", name="Own Contact"))
    engine.dispose()

    # when
    result = run("serve", "--port", str(free_port()), "--demo")

    # then
    assert result.exit_code == 0, result.output
    assert "database already contains contacts (1)" in result.output
    assert count_rows(database_file, Contact) == 1


def test_serve_port_in_use(run):
    # given
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        # when
        result = run("serve", "--port", str(port))

    # then
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Cannot listen on 127.0.0.1:{port}: ")
    assert "--port" in result.output


def wait_for_listening(process: subprocess.Popen) -> str:
    """Read the server's output until uvicorn reports that it accepts connections."""
    output = ""
    for line in process.stdout:
        output += line
        # uvicorn logs this line once its socket is bound.
        if "Uvicorn running on" in line:
            return output
    pytest.fail(f"segments serve exited with {process.wait()}: {output}")


def test_serve_subprocess_graphiql_and_query(tmp_path):
    # given
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/graphql"
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "PYTHONUNBUFFERED": "1",
        "SEGMENTS_DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite'}",
    }
    command = [sys.executable, "-m", "segments_module.cli", "serve"]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = ""
    try:
        output = wait_for_listening(process)

        # when
        page_request = urllib.request.Request(base_url, headers={"Accept": "text/html"})
        with urllib.request.urlopen(page_request, timeout=10) as response:
            page_status = response.status
            page = response.read().decode()
        query_request = urllib.request.Request(
            base_url,
            data=json.dumps({"query": "{ __typename }"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(query_request, timeout=10) as response:
            answer = json.loads(response.read())
    finally:
        process.terminate()
        remaining, _ = process.communicate()
        output += remaining

    # then
    assert page_status == 200
    assert "graphiql" in page.lower()
    assert answer == {"data": {"__typename": "Query"}}
    assert f"GraphQL API and GraphiQL: {base_url}" in output


def test_database_unsupported_backend_one_line(run):
    # when
    result = run("db", "upgrade", database="mysql://u@127.0.0.1/x")

    # then
    assert result.exit_code == 1
    assert result.output == (
        "Error: Unsupported database in 'mysql://u@127.0.0.1/x': the module "
        "supports SQLite and PostgreSQL. Use a URL such as "
        "sqlite:///segments.sqlite or postgresql://user@127.0.0.1:5432/segments.\n"
    )


def test_database_empty_url_rejected(tmp_path, monkeypatch):
    # given
    monkeypatch.delenv("SEGMENTS_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)

    # when
    result = CliRunner().invoke(main, ["--database", "", "db", "upgrade"])

    # then no default database is created
    assert result.exit_code == 2
    assert "Invalid value for --database: the database URL is empty." in (result.output)
    assert not (tmp_path / "segments.sqlite").exists()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///:memory:"])
@pytest.mark.parametrize(
    "command",
    [
        ["db", "upgrade"],
        ["demo", "load"],
        ["contacts", "import", "{csv}", "--map", "no=No", "--map", "name=Name"],
        ["serve", "--port", "1"],
    ],
)
def test_database_in_memory_rejected(run, tmp_path, monkeypatch, url, command):
    # given a server that would not start, should serve get past the check
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port: None)
    csv_path = tmp_path / "contacts.csv"
    csv_path.write_text("No,Name\nP1,Ann\n", encoding="utf-8")
    args = [str(csv_path) if arg == "{csv}" else arg for arg in command]

    # when
    result = run(*args, database=url)

    # then
    assert result.exit_code == 1
    assert result.output == (
        f"Error: The database {url!r} is an in-memory SQLite database, whose data "
        "is lost when the command ends. Pass a file instead, e.g. "
        "--database sqlite:///segments.sqlite.\n"
    )


def test_db_upgrade_unrelated_contact_table(run, database_file):
    # given: a host database with a contact table of its own
    engine = create_db_engine(f"sqlite:///{database_file}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE contact (id INTEGER, label TEXT)"))
    engine.dispose()

    # when
    result = run("demo", "load")

    # then one line names the table and the fix, and nothing is recorded
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: Cannot install the module's tables in sqlite:///{database_file}: "
        "The database has the tables contact but not the other 14 tables"
    )
    assert "Use another database or PostgreSQL schema" in result.output
    assert "writable" not in result.output
    assert result.output.count("\n") == 1
    assert migrate.current_revision(f"sqlite:///{database_file}") is None


def test_demo_load_missing_table_no_folder_hint(run, database_file):
    # given: a version row whose tables are missing
    engine = create_db_engine(f"sqlite:///{database_file}")
    with engine.begin() as connection:
        connection.execute(
            text(
                f"CREATE TABLE {migrate.VERSION_TABLE} "
                "(version_num VARCHAR(32) PRIMARY KEY)"
            )
        )
        connection.execute(
            text(f"INSERT INTO {migrate.VERSION_TABLE} VALUES ('segments_0003')")
        )
    engine.dispose()

    # when
    result = run("demo", "load")

    # then the error does not blame the folder
    assert result.exit_code == 1
    assert "no such table: number_series" in result.output
    assert "Check that the module's tables were created by segments db upgrade" in (
        result.output
    )
    assert "writable" not in result.output


def test_serve_invalid_time_zone(run, monkeypatch):
    # given
    monkeypatch.setenv("SEGMENTS_TIME_ZONE", "Mars/Base")
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port: None)

    # when
    result = run("serve", "--port", str(free_port()))

    # then
    assert result.exit_code == 1
    assert result.output == (
        "Error: SEGMENTS_TIME_ZONE 'Mars/Base' is not a known time zone. Set it to "
        "an IANA time zone name such as Europe/Berlin, or unset it to use UTC.\n"
    )


def test_contacts_import_directory(run, tmp_path):
    # when
    result = run("contacts", "import", str(tmp_path), "--preset", "datablist")

    # then
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {str(tmp_path)!r} is a directory, not a CSV file. Give the path "
        "of the CSV file.\n"
    )


@pytest.mark.parametrize(("option", "separator"), [(";", ";"), ("tab", "\t")])
def test_contacts_import_delimiter_option(
    run, database_file, tmp_path, option, separator
):
    # given a header with two possible separators
    csv_path = tmp_path / "contacts.csv"
    header = separator.join(["No", "Name", "Company, Inc"])
    csv_path.write_text(f"{header}\nP1{separator}Ann{separator}X\n", encoding="utf-8")
    args = ["contacts", "import", str(csv_path), "--map", "no=No", "--map", "name=Name"]

    # when it is imported without and with --delimiter
    without = run(*args)
    with_option = run(*args, "--delimiter", option)

    # then the first run asks for --delimiter and the second imports the row
    assert without.exit_code == 1
    assert "Give the separator with --delimiter" in without.output
    assert with_option.exit_code == 0, with_option.output
    assert count_rows(database_file, Contact) == 1


def test_contacts_import_unknown_delimiter(run, tmp_path):
    # given
    csv_path = tmp_path / "contacts.csv"
    csv_path.write_text("No,Name\n", encoding="utf-8")

    # when
    result = run(
        "contacts", "import", str(csv_path), "--preset", "bc", "--delimiter", ":"
    )

    # then
    assert result.exit_code == 2
    assert "':' is not a supported separator. Use , ; | or tab." in result.output


def test_contacts_import_help_preset_required_without_map():
    result = CliRunner().invoke(main, ["contacts", "import", "--help"])

    assert result.exit_code == 0
    assert "Required unless --map is given." in " ".join(result.output.split())
