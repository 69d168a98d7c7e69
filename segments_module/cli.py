"""The `segments` command: install, fill and serve the module from a shell.

Every command that touches the database first creates or upgrades the module's
tables, so a new database needs no separate set-up step. Expected failures (a bad
URL, an unreachable server, a missing file, invalid rows) print one line that names
the value and the fix, and exit with status 1 (2 for invalid command-line usage).
"""

from __future__ import annotations

import codecs
import logging
import re
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import click
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
)

from . import __version__, hooks, migrate
from .config import Settings, load_settings
from .db import create_db_engine, normalise_url, session_scope
from .errors import ServiceError
from .manifest import Manifest, ManifestError, load_manifest

URL_EXAMPLES = "sqlite:///segments.sqlite or postgresql://user@127.0.0.1:5432/segments"
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
# Values of --delimiter and the separators they stand for. A tab is hard to type
# in a shell, so "tab" and a backslash followed by t also name it.
DELIMITER_OPTIONS = {",": ",", ";": ";", "|": "|", "tab": "\t", "\\t": "\t", "\t": "\t"}
# Primary SQLite result codes of errors that come from the database file or its
# folder: no permission, read-only, I/O error and cannot open.
SQLITE_FILE_ERROR_CODES = frozenset(
    {
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_CANTOPEN,
    }
)
SQLITE_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


@dataclass
class CliState:
    settings: Settings
    manifest: Manifest
    _engine: Engine | None = None

    @property
    def safe_url(self) -> str:
        return safe_url(self.settings.database_url)

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_engine(self.settings.database_url)
        return self._engine

    def install(self) -> Engine:
        """Create or upgrade the tables and return the engine.

        Rejects an in-memory SQLite database, whose data would be lost when the
        command ends.
        """
        if is_in_memory(self.settings.database_url):
            raise click.ClickException(
                # An SQLite URL has no password to hide.
                f"The database {self.settings.database_url!r} is an in-memory "
                "SQLite database, whose data is lost when the command ends. Pass "
                "a file instead, e.g. --database sqlite:///segments.sqlite."
            )
        engine = self.engine()
        try:
            with database_errors(self.settings.database_url):
                hooks.post_init_hook(engine)
        except ServiceError as error:
            # SchemaConflictError: the host has tables with the module's names.
            raise click.ClickException(
                f"Cannot install the module's tables in {self.safe_url}: "
                f"{_messages(error)}"
            ) from error
        return engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def safe_url(url: str) -> str:
    """Return the URL with its password masked, also when it cannot be parsed."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", url)


def is_in_memory(url: str) -> bool:
    """Tell whether `url` names an in-memory SQLite database (sqlite://, :memory:)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return False  # open_engine reports the invalid URL
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    return (
        database in ("", ":memory:")
        or database.startswith("file::memory:")
        or parsed.query.get("mode") == "memory"
    )


def open_engine(url: str) -> Engine:
    """Create the engine, or fail with a one-line error when the URL is unusable."""
    try:
        backend = make_url(normalise_url(url)).get_backend_name()
        if backend not in SUPPORTED_BACKENDS:
            raise click.ClickException(
                f"Unsupported database in {safe_url(url)!r}: the module supports "
                f"SQLite and PostgreSQL. Use a URL such as {URL_EXAMPLES}."
            )
        return create_db_engine(url)
    except NoSuchModuleError as error:
        raise click.ClickException(
            f"Unsupported database in {safe_url(url)!r}: {error}. "
            f"Use a URL such as {URL_EXAMPLES}."
        ) from error
    except ImportError as error:
        # A driver named in the URL, such as postgresql+asyncpg, is not installed.
        raise click.ClickException(
            f"The database driver of {safe_url(url)!r} is not installed "
            f"({error}). Use a URL such as {URL_EXAMPLES}."
        ) from error
    except (ArgumentError, ValueError) as error:
        # make_url raises ArgumentError, and ValueError for a non-numeric port.
        raise click.ClickException(
            f"Invalid database URL {safe_url(url)!r}: {error}. "
            f"Pass --database with a URL such as {URL_EXAMPLES}."
        ) from error


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Turn driver errors (server down, file not writable) into one-line errors."""
    try:
        yield
    except DBAPIError as error:
        reason = str(error.orig or error).strip().splitlines()[0].rstrip(".")
        fix = _database_fix(error, make_url(url).get_backend_name())
        raise click.ClickException(
            f"Cannot use the database {safe_url(url)}: {reason}. {fix}, or pass "
            "another --database (or SEGMENTS_DATABASE_URL)."
        ) from error


def _database_fix(error: DBAPIError, backend: str) -> str:
    """Return the advice for a driver error, which depends on what failed."""
    if backend == "sqlite":
        code = getattr(error.orig, "sqlite_errorcode", None)
        # An extended result code keeps the primary code in its low byte.
        primary_code = code & 0xFF if code is not None else None
        if primary_code in SQLITE_FILE_ERROR_CODES:
            return "Check that the folder exists and is writable"
        if primary_code == sqlite3.SQLITE_FULL:
            return "Free some disk space"
        if primary_code in SQLITE_BUSY_CODES:
            return "Another program is writing to the database, so try again later"
        if primary_code == sqlite3.SQLITE_NOTADB:
            return "Check that the file is a SQLite database"
    elif isinstance(error, OperationalError):
        # psycopg raises OperationalError when it cannot connect.
        return "Check that the server is running and the URL is right"
    return "Check that the module's tables were created by segments db upgrade"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database",
    "database_url",
    metavar="URL",
    envvar="SEGMENTS_DATABASE_URL",
    help="SQLAlchemy URL of a SQLite or PostgreSQL database, e.g. "
    "postgresql://user@host:5432/name. Also read from SEGMENTS_DATABASE_URL. "
    "Default: sqlite:///segments.sqlite in the current folder.",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Log progress messages (level INFO)."
)
@click.version_option(__version__, prog_name="segments")
@click.pass_context
def main(ctx: click.Context, database_url: str | None, verbose: bool) -> None:
    """Segments and Interactions: build segments of contacts and log interactions."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if database_url is not None and not database_url.strip():
        raise click.BadParameter(
            f"the database URL is empty. Give a URL such as {URL_EXAMPLES}, or leave "
            "the option out to use sqlite:///segments.sqlite.",
            param_hint="--database",
        )
    try:
        manifest = load_manifest()
        settings = load_settings(database_url)
    except ManifestError as error:
        raise click.ClickException(str(error)) from error
    except ValueError as error:
        # An invalid setting in the environment, such as SEGMENTS_TIME_ZONE.
        raise click.ClickException(str(error)) from error

    state = CliState(settings=settings, manifest=manifest)
    ctx.obj = state
    ctx.call_on_close(state.close)


pass_state = click.make_pass_decorator(CliState)


@main.group()
def db() -> None:
    """Create and upgrade the module's database tables."""


@db.command("upgrade")
@pass_state
def db_upgrade(state: CliState) -> None:
    """Create the tables, or upgrade them to the latest revision."""
    engine = state.install()

    with database_errors(state.settings.database_url):
        revision = migrate.current_revision(engine)
    click.echo(f"Database {state.safe_url} is at revision {revision}.")


@db.command("current")
@pass_state
def db_current(state: CliState) -> None:
    """Print the module's revision in the database ("none" before the first upgrade)."""
    with database_errors(state.settings.database_url):
        revision = migrate.current_revision(state.engine())
    click.echo(revision or "none")


@main.group()
def demo() -> None:
    """Load the CRONUS demo data of Business Central."""


@demo.command("load")
@pass_state
def demo_load(state: CliState) -> None:
    """Upgrade the database, then load the demo contacts, templates and segments.

    Only missing demo rows are inserted: rows that exist, changed or not, keep
    their values, so loading twice changes nothing.
    """
    from .demo import load_demo

    engine = state.install()

    with database_errors(state.settings.database_url):
        with session_scope(engine, write=True) as session:
            counts = load_demo(session)
    click.echo(f"Loaded the demo data into {state.safe_url} (rows per table):")
    for table, count in counts.items():
        click.echo(f"  {table}: {count}")


@main.group()
def contacts() -> None:
    """Manage the contacts of the embedded contact store."""


@contacts.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--preset",
    metavar="NAME",
    help="Column layout of the file: datablist (datablist.com customer files) "
    "or bc (the layout of Business Central's CreateContact demo file). "
    "Required unless --map is given.",
)
@click.option(
    "--map",
    "pairs",
    metavar="FIELD=COLUMN",
    multiple=True,
    help="Send a CSV column to a contact field, e.g. email=Email or "
    "'name={First Name} {Last Name}'. Repeat for each field. A field given here "
    "replaces the preset's.",
)
@click.option(
    "--delimiter",
    metavar="CHAR",
    help="Column separator of the file: , ; | or tab. "
    "Default: the one separator that the header line contains.",
)
@click.option(
    "--encoding",
    default="utf-8-sig",
    show_default=True,
    help="Text encoding of the file, e.g. utf-8, cp1252 or latin-1.",
)
@pass_state
def contacts_import(
    state: CliState,
    file: Path,
    preset: str | None,
    pairs: tuple[str, ...],
    delimiter: str | None,
    encoding: str,
) -> None:
    """Import contacts from a CSV FILE and update those whose no. already exists.

    Nothing is written when any row is invalid. Every bad row is printed on stderr
    with its line number, and the command exits with status 1.
    """
    from .importer import PRESETS, ImportRejected, import_contacts, parse_mapping

    if file.is_dir():
        raise click.ClickException(
            f"{str(file)!r} is a directory, not a CSV file. Give the path of the "
            "CSV file."
        )
    if not file.is_file():
        raise click.ClickException(
            f"File {str(file)!r} was not found. Check the path of the CSV file."
        )
    if delimiter is not None and delimiter not in DELIMITER_OPTIONS:
        raise click.BadParameter(
            f"{delimiter!r} is not a supported separator. Use , ; | or tab.",
            param_hint="--delimiter",
        )
    if preset is not None and preset not in PRESETS:
        raise click.BadParameter(
            f"unknown preset {preset!r}. Choose one of: {', '.join(sorted(PRESETS))}.",
            param_hint="--preset",
        )
    if preset is None and not pairs:
        raise click.UsageError(
            "Missing column mapping. To map CSV columns to contact fields, "
            "give --preset, --map FIELD=COLUMN, or both."
        )
    try:
        codecs.lookup(encoding)
    except LookupError as error:
        raise click.BadParameter(
            f"unknown encoding {encoding!r}. Use a Python codec name such as "
            "utf-8 or cp1252.",
            param_hint="--encoding",
        ) from error
    mapping = None
    if pairs:
        base = PRESETS[preset] if preset is not None else None
        try:
            mapping = parse_mapping(_with_preset_pairs(base, pairs))
        except ServiceError as error:
            raise click.BadParameter(_messages(error), param_hint="--map") from error
        if base is not None:
            # Keep the preset's options, such as creating company contacts.
            mapping = replace(base, fields=mapping.fields)
            preset = None

    engine = state.install()

    try:
        with database_errors(state.settings.database_url):
            with session_scope(engine, write=True) as session:
                result = import_contacts(
                    session,
                    file,
                    mapping,
                    preset=preset,
                    encoding=encoding,
                    delimiter=DELIMITER_OPTIONS.get(delimiter or ""),
                )
    except ImportRejected as error:
        for row in error.result.errors:
            click.echo(f"line {row.line_no}: {row.reason}", err=True)
        click.echo(
            f"Invalid rows: {len(error.result.errors)}. No contacts were imported. "
            "Fix the rows and run the import again.",
            err=True,
        )
        click.get_current_context().exit(1)
    except ServiceError as error:
        raise click.ClickException(_messages(error)) from error

    for row in result.warnings:
        click.echo(f"warning: line {row.line_no}: {row.reason}", err=True)
    click.echo(
        f"Imported {file.name}: {result.inserted} contacts inserted, "
        f"{result.updated} updated, {result.companies_created} companies created."
    )


def _with_preset_pairs(base, pairs: tuple[str, ...]) -> list[str]:
    """Return the preset's fields as FIELD=SOURCE pairs, replaced by `pairs`."""
    merged: dict[str, str] = {}
    if base is not None:
        for name, template in base.fields.items():
            # A preset value without braces is fixed text, which --map quotes.
            source = template if "{" in template else f'"{template}"'
            merged[name] = f"{name}={source}"
    for pair in pairs:
        merged[pair.partition("=")[0].strip().lower() or pair] = pair
    return list(merged.values())


def _messages(error: ServiceError) -> str:
    return " ".join(item.message for item in error.errors)


@main.command("export-schema")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="File to write the schema to, e.g. schema.graphql. Default: stdout.",
)
def export_schema(output: Path | None) -> None:
    """Print the GraphQL schema in SDL, or write it to a file."""
    from strawberry.printer import print_schema

    from graphql_api.schema import schema

    text = print_schema(schema) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise click.ClickException(
            f"Cannot write the schema to {str(output)!r}: {error.strerror}. "
            "Check that the folder exists and is writable."
        ) from error
    click.echo(f"Wrote the GraphQL schema to {output}.", err=True)


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Network address to listen on. 0.0.0.0 listens on every interface.",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    help="TCP port to listen on.",
)
@click.option(
    "--demo",
    "with_demo",
    is_flag=True,
    help="Load the CRONUS demo data first when the database has no contacts yet.",
)
@pass_state
def serve(state: CliState, host: str, port: int, with_demo: bool) -> None:
    """Upgrade the database and serve the GraphQL API with GraphiQL."""
    import uvicorn

    from graphql_api.app import create_app

    engine = state.install()
    if with_demo:
        _load_demo_on_first_start(state, engine)
    _check_port_free(host, port)

    try:
        app = create_app(state.settings, engine=engine)
    except ValueError as error:
        # An invalid SEGMENTS_SMTP_* variable, read when the app is built.
        raise click.ClickException(str(error)) from error
    shown_host = _url_host(host)
    mount_path = state.manifest.graphql["mount_path"]
    click.echo(f"GraphQL API and GraphiQL: http://{shown_host}:{port}{mount_path}")
    uvicorn.run(app, host=host, port=port)


def _load_demo_on_first_start(state: CliState, engine: Engine) -> None:
    from .contact_store import EmbeddedContactStore
    from .demo import load_demo

    with database_errors(state.settings.database_url):
        with session_scope(engine, write=True) as session:
            contact_table = EmbeddedContactStore().contacts()
            count = session.scalar(select(func.count()).select_from(contact_table))
            if count:
                click.echo(
                    "Skipped the demo data because the database already contains "
                    f"contacts ({count})."
                )
                return
            counts = load_demo(session)
    click.echo(f"Loaded the demo data: {sum(counts.values())} rows.")


def _url_host(host: str) -> str:
    """Return the host to print in a URL: loopback for "every interface"."""
    if host == "0.0.0.0":
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _check_port_free(host: str, port: int) -> None:
    """Fail early with a clear message when the address cannot be bound."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise click.ClickException(
            f"Cannot listen on {host}:{port}: {error.strerror}. "
            "Stop the program that uses the port or choose another with --port."
        ) from error


def _add_document_commands() -> None:
    from .cli_documents import interactions_group, segment, template

    main.add_command(segment)
    main.add_command(template)
    main.add_command(interactions_group)


_add_document_commands()

if __name__ == "__main__":
    main()
