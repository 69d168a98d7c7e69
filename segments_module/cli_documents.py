"""The `segments segment` and `segments template` commands: merge, log and deliver.

They run jobs in the command's own process, with a progress bar, and write the
documents a job produced into a folder.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import select

from .db import session_scope
from .delivery import SmtpSettings
from .errors import ServiceError
from .models import Attachment, InteractionLogEntry, Job
from .services import delivery, documents, interactions, jobs
from .services.attachments import read_attachment, store_attachment
from .services.env import Actor
from .services.logged_segments import log_segment

# The user recorded on what these commands write.
CLI_USER = "cli"


def _state():
    from .cli import CliState

    return click.get_current_context().find_object(CliState)


def _workspace(smtp: bool = False) -> jobs.Workspace:
    """Open the database; with `smtp`, check the SEGMENTS_SMTP_* variables first.

    Checking them before logging means a typo in a variable stops the command
    rather than leaving every e-mail of the logged segment in Error.
    """
    smtp_settings = None
    if smtp:
        try:
            smtp_settings = SmtpSettings.from_env()
        except ValueError as error:
            raise click.ClickException(str(error)) from error
    state = _state()
    engine = state.install()
    return jobs.Workspace(
        engine=engine, settings=state.settings, smtp_settings=smtp_settings
    )


def _fail(error: ServiceError) -> click.ClickException:
    return click.ClickException(" ".join(item.message for item in error.errors))


@contextmanager
def _progress_bar(label: str) -> Iterator:
    """Yield a job callback that draws a progress bar once the total is known."""
    bar = None

    def callback(done: int, total: int, failures: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(1)

    try:
        yield callback
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _save_outputs(workspace: jobs.Workspace, job_id: int, folder: Path) -> Job:
    """Write the job's documents into `folder`; return the job."""
    folder.mkdir(parents=True, exist_ok=True)
    with session_scope(workspace.engine) as session:
        env = workspace.env(session, Actor(CLI_USER))
        job = session.get(Job, job_id)
        for no in (
            job.result_attachment_no,
            job.zip_attachment_no,
            job.pdf_attachment_no,
        ):
            if no is None:
                continue
            attachment = session.get(Attachment, no)
            target = folder / attachment.file_name
            target.write_bytes(read_attachment(env, attachment))
            click.echo(f"Wrote {target}")
        for warning in filter(None, job.warnings.split("\n")):
            click.echo(f"warning: {warning}", err=True)
        return job


@click.group("segment")
def segment() -> None:
    """Merge and log segments."""


@segment.command("merge")
@click.argument("segment_no")
@click.option(
    "--output",
    "outputs",
    type=click.Choice(documents.OUTPUTS),
    multiple=True,
    help="Document to make: combined (all letters in one .docx, each on its own "
    "page), zip (one .docx per contact) or pdf (the combined document as PDF, "
    "needs LibreOffice). Repeat for several. Default: combined and zip.",
)
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to write the documents to.",
)
def segment_merge(segment_no: str, outputs: tuple[str, ...], folder: Path) -> None:
    """Merge every line of a segment with its Word document, for review."""
    workspace = _workspace()
    with _progress_bar(f"Merging {segment_no}") as callback:
        try:
            job_id = documents.start_merge(
                workspace,
                None,
                Actor(CLI_USER),
                segment_no,
                outputs or (documents.COMBINED, documents.ZIP),
                callback,
            )
        except ServiceError as error:
            raise _fail(error) from error
    job = _save_outputs(workspace, job_id, folder)
    if job.status != jobs.DONE:
        raise click.ClickException(job.message)
    click.echo(job.message)


@segment.command("log")
@click.argument("segment_no")
@click.option(
    "--follow-up", is_flag=True, help="Create a follow-up segment with the contacts."
)
@click.option(
    "--deliver",
    is_flag=True,
    help="Merge each letter, e-mail the Email ones over SMTP (SEGMENTS_SMTP_*) and "
    "write the Hard Copy ones into one document.",
)
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for the hard-copy document when delivering.",
)
def segment_log(segment_no: str, follow_up: bool, deliver: bool, folder: Path) -> None:
    """Log a segment: one interaction log entry per line."""
    workspace = _workspace(smtp=deliver)
    actor = Actor(CLI_USER)
    try:
        with session_scope(workspace.engine, write=True) as session:
            result = log_segment(
                workspace.env(session, actor),
                segment_no,
                follow_up,
                deliver,
                email_available=bool(
                    workspace.smtp_settings and workspace.smtp_settings.configured
                ),
            )
            entry_no = result.logged_segment.entry_no
            follow_up_no = (
                result.follow_up_segment.no if result.follow_up_segment else None
            )
    except ServiceError as error:
        raise _fail(error) from error
    click.echo(
        f"Logged segment {segment_no.upper()} as logged segment {entry_no} with "
        f"{result.no_of_interactions} interactions."
    )
    if follow_up_no:
        click.echo(f"Follow-up segment: {follow_up_no}")
    if deliver:
        _deliver_logged(workspace, actor, entry_no, folder)


def _deliver_logged(
    workspace: jobs.Workspace, actor: Actor, entry_no: int, folder: Path
) -> None:
    """Deliver a logged segment's letters and report the outcome."""
    with _progress_bar("Delivering") as callback:
        job_id = delivery.start_delivery(workspace, None, actor, entry_no, callback)
    if job_id is None:
        return

    job = _save_outputs(workspace, job_id, folder)
    click.echo(job.message)
    if job.failures:
        _print_failure_reasons(workspace, job_id)
        click.echo(
            f"{job.failures} deliveries failed. Fix the cause and run: segments "
            f"interactions resend {entry_no}",
            err=True,
        )


def _print_failure_reasons(workspace: jobs.Workspace, job_id: int) -> None:
    """Print the distinct reasons the job's failed letters give, at most five."""
    with session_scope(workspace.engine) as session:
        reasons = session.scalars(
            select(InteractionLogEntry.delivery_error)
            .where(
                InteractionLogEntry.delivery_job_id == job_id,
                InteractionLogEntry.delivery_status != "",
            )
            .distinct()
            .limit(5)
        ).all()
    for reason in reasons:
        click.echo(f"failed: {reason}", err=True)


@click.group("interactions")
def interactions_group() -> None:
    """Work with logged interactions."""


@interactions_group.command("resend")
@click.argument("logged_segment_entry_no", type=int)
@click.option(
    "--include-unconfirmed",
    is_flag=True,
    help="Also send the letters left In Progress by a delivery that ended or was "
    "cut off. The SMTP server may have accepted them, so they can arrive twice.",
)
def interactions_resend(
    logged_segment_entry_no: int, include_unconfirmed: bool
) -> None:
    """Deliver again the interactions of a logged segment whose delivery failed."""
    workspace = _workspace(smtp=True)
    with _progress_bar("Resending") as callback:
        try:
            job_id = delivery.resend_interactions(
                workspace,
                None,
                Actor(CLI_USER),
                logged_segment_entry_no=logged_segment_entry_no,
                include_unconfirmed=include_unconfirmed,
                callback=callback,
            )
        except ServiceError as error:
            raise _fail(error) from error
    if job_id is None:
        click.echo("No interaction of this logged segment is waiting for a resend.")
        return
    job = _save_outputs(workspace, job_id, Path("."))
    click.echo(job.message)


@click.group("template")
def template() -> None:
    """Manage interaction templates."""


@template.command("attach")
@click.argument("template_code")
@click.argument("language_code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def template_attach(template_code: str, language_code: str, file: Path) -> None:
    """Use a Word document (.docx) for one language of a template.

    LANGUAGE_CODE is a language code of the language table, such as ENG or DEU.
    Lines whose contact has that language get this document.
    """
    workspace = _workspace()
    actor = Actor(CLI_USER)
    try:
        with session_scope(workspace.engine, write=True) as session:
            env = workspace.env(session, actor)
            attachment = store_attachment(env, file.name, file.read_bytes())
            interactions.set_template_language(
                env,
                template_code,
                language_code,
                {"attachment_no": attachment.no},
            )
            no = attachment.no
    except ServiceError as error:
        raise _fail(error) from error
    click.echo(
        f"Template {template_code.upper()} language {language_code.upper()} uses "
        f"attachment {no} ({file.name})."
    )
