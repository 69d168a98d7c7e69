"""Deliver logged interactions: e-mail each letter, or print them as one document.

Delivery runs after Log Segment has committed. A delivery job first claims its
entries (Delivery Status In Progress, the job's id on each), so two jobs never
send the same entry. Then, letter by letter, it merges the entry's document,
sends it when the correspondence type is Email, and commits the entry's new
status at once: blank when sent, Error with the reason when not. When the server
failed after it received the message, the entry stays In Progress with the
reason, because the letter may have arrived. Resending picks up entries in Error,
and those unconfirmed ones only when asked, so no message goes out twice unless
the user accepts that risk.

Hard Copy letters go into one combined document (and a PDF when LibreOffice is
installed) that the job offers for download. Entries with a blank correspondence
type have nothing to send: they get their merged document and a blank status.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

from sqlalchemy import and_, func, or_, select, update

from ..delivery import (
    DeliveryError,
    LetterBodyTemplate,
    Mailer,
    SmtpSettings,
    build_message,
    message_id_for,
)
from ..errors import ErrorCode, ServiceError
from ..merge import (
    CombinedDocumentWriter,
    PdfUnavailable,
    TemplateError,
    convert_to_pdf,
)
from ..models import CorrespondenceType, DeliveryStatus, InteractionLogEntry
from . import jobs
from .attachments import DOCX_CONTENT_TYPE, delete_attachments, store_attachment
from .documents import (
    LetterBuilder,
    entry_letters,
    iterate_letters,
    letter_file_name,
    workspace_session,
)
from .env import Actor, Env
from .logged_segments import get_logged_segment

logger = logging.getLogger(__name__)

# Outcomes of a letter, counted for the job's summary.
EMAILED = "emailed"
PRINTED = "printed"
NOTHING_TO_SEND = "nothing to send"
FAILED = "failed"

IN_PROGRESS = DeliveryStatus.IN_PROGRESS.value
ERROR = DeliveryStatus.ERROR.value
SMTP_NOT_SET_UP = (
    "E-mail delivery is not set up. Set SEGMENTS_SMTP_HOST and SEGMENTS_SMTP_SENDER "
    "(and SEGMENTS_SMTP_PORT, SEGMENTS_SMTP_SECURITY and the login if the server "
    "needs them), then resend the interactions."
)
MAX_RESEND_ENTRIES = 10_000
# A delivery error quotes the server's reply, which a server could make long.
MAX_ERROR_LENGTH = 2000
# DeliveryError kinds that concern one letter rather than the server.
LETTER_ERRORS = (
    "recipient rejected",
    "sender rejected",
    "message rejected",
    "not supported",
)


def start_delivery(
    workspace: jobs.Workspace,
    runner: jobs.JobRunner | None,
    actor: Actor,
    logged_segment_entry_no: int,
    callback: Callable[[int, int, int], None] | None = None,
) -> int | None:
    """Claim the logged segment's entries waiting for delivery and deliver them.

    Returns the job id, or None when no entry is waiting.
    """
    entry = InteractionLogEntry
    with workspace_session(workspace, write=True) as session:
        env = workspace.env(session, actor)
        claim = _claim(
            env,
            logged_segment_entry_no,
            entry.logged_segment_entry_no == logged_segment_entry_no,
            entry.delivery_status == IN_PROGRESS,
            entry.delivery_job_id.is_(None),
        )
    return _run(workspace, runner, actor, claim, callback)


def resend_interactions(
    workspace: jobs.Workspace,
    runner: jobs.JobRunner | None,
    actor: Actor,
    *,
    entry_nos: Sequence[int] = (),
    logged_segment_entry_no: int | None = None,
    include_unconfirmed: bool = False,
    callback: Callable[[int, int, int], None] | None = None,
) -> int | None:
    """Deliver again the entries in Error, of a logged segment or by entry no.

    Entries that were delivered are left alone. With `include_unconfirmed`, entries
    still In Progress whose delivery job has ended or was cut off are sent too:
    the SMTP server may have accepted their messages, so they can arrive twice.
    Returns the job id, or None when no entry is waiting.
    """
    entry = InteractionLogEntry
    if not entry_nos and logged_segment_entry_no is None:
        raise ServiceError.single(
            "entryNos",
            ErrorCode.REQUIRED,
            "Name the interaction log entries to resend, or a logged segment whose "
            "failed deliveries to resend.",
        )
    if len(entry_nos) > MAX_RESEND_ENTRIES:
        raise ServiceError.single(
            "entryNos",
            ErrorCode.INVALID,
            f"{len(entry_nos)} entry numbers were sent, over the limit of "
            f"{MAX_RESEND_ENTRIES}. Resend by logged segment instead.",
        )
    if entry_nos and logged_segment_entry_no is not None:
        raise ServiceError.single(
            "entryNos",
            ErrorCode.INVALID,
            "Give either entry numbers or a logged segment, not both.",
        )
    with workspace_session(workspace, write=True) as session:
        env = workspace.env(session, actor)
        waiting = entry.delivery_status == ERROR
        if include_unconfirmed:
            unconfirmed = and_(
                entry.delivery_status == IN_PROGRESS,
                or_(
                    entry.delivery_job_id.is_(None),
                    entry.delivery_job_id.not_in(jobs.active_job_ids(env)),
                ),
            )
            waiting = or_(waiting, unconfirmed)
        conditions = [waiting]
        if entry_nos:
            _check_entries_exist(env, entry_nos)
            conditions.append(entry.entry_no.in_(list(entry_nos)))
        if logged_segment_entry_no is not None:
            get_logged_segment(env, logged_segment_entry_no, "loggedSegmentEntryNo")
            conditions.append(entry.logged_segment_entry_no == logged_segment_entry_no)
        claim = _claim(env, logged_segment_entry_no, *conditions)
    return _run(workspace, runner, actor, claim, callback)


def _check_entries_exist(env: Env, entry_nos: Sequence[int]) -> None:
    requested = set(entry_nos)
    found = set(
        env.session.scalars(
            select(InteractionLogEntry.entry_no).where(
                InteractionLogEntry.entry_no.in_(list(requested))
            )
        )
    )
    missing = sorted(requested - found)
    if missing:
        listed = ", ".join(map(str, missing[:10]))
        raise ServiceError.single(
            "entryNos",
            ErrorCode.NOT_FOUND,
            f"Interaction log entries {listed} were not found"
            + (f" ({len(missing)} in all)" if len(missing) > 10 else "")
            + ". Check the entry numbers.",
        )


def _claim(
    env: Env, logged_segment_entry_no: int | None, *conditions
) -> tuple[int, int] | None:
    """Mark the entries that match `conditions` as a new job's, In Progress.

    Returns the job id and the number of entries claimed, or None when none match.
    """
    waiting = env.session.scalar(
        select(func.count()).select_from(InteractionLogEntry).where(*conditions)
    )
    if not waiting:
        return None
    job = jobs.create_job(
        env,
        jobs.DELIVERY,
        0,
        logged_segment_entry_no=logged_segment_entry_no,
    )
    claimed = env.session.execute(
        update(InteractionLogEntry)
        .where(*conditions)
        .values(delivery_status=IN_PROGRESS, delivery_error="", delivery_job_id=job.id)
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    ).rowcount
    job.total = claimed
    logger.info(
        "delivery job %s claimed %s entries of logged segment %s",
        job.id,
        claimed,
        logged_segment_entry_no,
    )
    return job.id, claimed


def _run(workspace, runner, actor, claim, callback) -> int | None:
    """Run the claimed job here or on the runner; return its id, or None."""
    if claim is None:
        return None
    job_id, total = claim

    def work() -> None:
        run_delivery(workspace, actor, job_id, callback)

    if runner is None or total <= jobs.INLINE_LETTER_LIMIT:
        jobs.run_inline(job_id, work)
    else:
        runner.submit(job_id, work)
    return job_id


def run_delivery(
    workspace: jobs.Workspace,
    actor: Actor,
    job_id: int,
    callback: Callable[[int, int, int], None] | None = None,
) -> None:
    """Deliver every entry job `job_id` claimed, committing each entry's status."""
    with workspace_session(workspace) as session:
        total = session.get(jobs.Job, job_id).total
    progress = jobs.Progress(workspace, job_id, total, callback)
    progress.start()
    smtp, smtp_problem = _smtp_settings(workspace)
    counts = Counter()
    in_flight: list[int] = []
    try:
        with tempfile.TemporaryDirectory(prefix="segments-delivery-") as folder:
            outputs = _deliver_letters(
                workspace,
                actor,
                job_id,
                smtp,
                smtp_problem,
                progress,
                Path(folder),
                counts,
                in_flight,
            )
    except Exception as error:
        reason = f"The delivery stopped unexpectedly ({type(error).__name__})."
        _end_stopped_delivery(workspace, job_id, in_flight, reason)
        progress.fail(reason)
        raise
    progress.finish(delivery_summary(counts, progress.done), **outputs)


def delivery_summary(counts: Counter, total: int) -> str:
    """Say how many letters went out by e-mail and on paper, and what did not."""
    delivered = counts[EMAILED] + counts[PRINTED]
    parts = [
        f"{counts[name]} {text}"
        for name, text in (
            (EMAILED, "by e-mail"),
            (PRINTED, "in the hard-copy document"),
            (NOTHING_TO_SEND, "with nothing to send (blank correspondence type)"),
            (FAILED, "failed"),
        )
        if counts[name]
    ]
    letters = "letter" if total == 1 else "letters"
    summary = f"Delivered {delivered} of {total} {letters}"
    return summary + (": " + ", ".join(parts) + "." if parts else ".")


def _end_stopped_delivery(
    workspace: jobs.Workspace, job_id: int, in_flight: list[int], reason: str
) -> None:
    """Put the job's untried letters in Error, so that a plain resend takes them.

    The letter that was being sent when the delivery stopped may have arrived:
    it stays In Progress with a reason, for a resend with includeUnconfirmed.
    """
    entry = InteractionLogEntry
    waiting = [entry.delivery_job_id == job_id, entry.delivery_status == IN_PROGRESS]
    with workspace_session(workspace, write=True) as session:
        if in_flight:
            session.execute(
                update(entry)
                .where(*waiting, entry.entry_no.in_(in_flight))
                .values(
                    delivery_error=f"{reason} It stopped while this letter was "
                    "being sent, so it may have arrived."
                )
                .execution_options(synchronize_session=False)
            )
            waiting.append(entry.entry_no.not_in(in_flight))
        session.execute(
            update(entry)
            .where(*waiting)
            .values(delivery_status=ERROR, delivery_error=f"{reason} Not tried.")
            .execution_options(synchronize_session=False)
        )


def _smtp_settings(workspace: jobs.Workspace) -> tuple[SmtpSettings, str]:
    """Return the SMTP settings, and why e-mail cannot be sent ("" when it can).

    Invalid SEGMENTS_SMTP_* variables fail the Email letters with the variable's
    error, instead of stopping the delivery with its entries In Progress.
    """
    if workspace.smtp_settings is not None:
        smtp = workspace.smtp_settings
    else:
        try:
            smtp = SmtpSettings.from_env()
        except ValueError as error:
            logger.error("e-mail delivery is not possible: %s", error)
            return SmtpSettings.from_env(environ={}), str(error)
    return smtp, "" if smtp.configured else SMTP_NOT_SET_UP


def _deliver_letters(
    workspace: jobs.Workspace,
    actor: Actor,
    job_id: int,
    smtp: SmtpSettings,
    smtp_problem: str,
    progress: jobs.Progress,
    folder: Path,
    counts: Counter,
    in_flight: list[int],
) -> dict:
    """Deliver the job's letters, counting each outcome in `counts`.

    `in_flight` contains the entry whose letter is being sent, until its status is
    committed, so that a stop in between can tell that letter from the others.
    """
    entry = InteractionLogEntry.__table__
    combined_path = folder / f"hard-copy-{job_id}.docx"
    combined: CombinedDocumentWriter | None = None
    with (
        workspace_session(workspace) as read_session,
        nullcontext() if smtp_problem else Mailer(smtp) as mailer,
    ):
        env = workspace.env(read_session, actor)
        builder = LetterBuilder(env)
        bodies = _BodyCache(_mail_domain(smtp))
        breaker = _ServerBreaker()
        statement = entry_letters(
            env,
            entry.c.delivery_job_id == job_id,
            entry.c.delivery_status == IN_PROGRESS,
        )
        for row in iterate_letters(env, statement):
            try:
                template = builder.template(row.attachment_no)
                values = builder.values(row)
                result = template.render(values, locale=builder.locale(row))
            except (ServiceError, TemplateError) as error:
                failure = Failure(str(error))
                _record(workspace, actor, job_id, row.entry_no, None, failure)
                counts[FAILED] += 1
                progress.advance(failed=True)
                continue
            builder.note_warnings(result.warnings)

            failure = None
            if row.correspondence_type == CorrespondenceType.EMAIL.value:
                if smtp_problem:
                    failure = Failure(smtp_problem)
                elif breaker.open:
                    failure = Failure(breaker.reason())
                else:
                    body = None
                    if not row.send_word_doc_as_attachment:
                        body = bodies.body(row, template, values, builder.locale(row))
                    in_flight[:] = [row.entry_no]
                    failure = _send(mailer, smtp, row, result.content, body)
                    breaker.record(failure)
                counts[FAILED if failure else EMAILED] += 1
            elif row.correspondence_type == CorrespondenceType.HARD_COPY.value:
                if combined is None:
                    combined = CombinedDocumentWriter(combined_path)
                combined.add(template, values, locale=builder.locale(row))
                counts[PRINTED] += 1
            else:
                counts[NOTHING_TO_SEND] += 1
            _record(workspace, actor, job_id, row.entry_no, result.content, failure)
            in_flight.clear()
            progress.advance(failed=failure is not None)

    outputs: dict = {"warnings": "\n".join(builder.all_warnings())}
    if combined is not None:
        combined.close()
        outputs.update(_store_hard_copy(workspace, actor, combined_path, folder))
    logger.info(
        "delivery job %s: %s letters, %s e-mailed, %s printed, %s failed",
        job_id,
        progress.done,
        counts[EMAILED],
        counts[PRINTED],
        counts[FAILED],
    )
    return outputs


class _BodyCache:
    """The HTML e-mail body template of each Word document, converted once."""

    def __init__(self, domain: str):
        self.domain = domain
        self._templates: dict[int, LetterBodyTemplate] = {}

    def body(self, row, template, values, locale: str):
        body_template = self._templates.get(row.attachment_no)
        if body_template is None:
            body_template = LetterBodyTemplate(template, image_domain=self.domain)
            self._templates[row.attachment_no] = body_template
        body, _ = body_template.body(values, locale=locale, title=_subject(row))
        return body


def _mail_domain(smtp: SmtpSettings) -> str:
    return parseaddr(smtp.sender or "")[1].rpartition("@")[2] or "segments.local"


def _subject(row) -> str:
    return row.subject or row.description or ""


# Server failures in a row after which a delivery stops trying the server for
# its other letters, so a server that never replies costs a few timeouts rather
# than one per letter.
MAX_SERVER_FAILURES = 3


class _ServerBreaker:
    """Counts failures of the SMTP server itself, as opposed to one letter's."""

    def __init__(self) -> None:
        self.failures_in_a_row = 0
        self.last_reason = ""

    @property
    def open(self) -> bool:
        return self.failures_in_a_row >= MAX_SERVER_FAILURES

    def record(self, failure: Failure | None) -> None:
        if failure is None or not failure.server:
            self.failures_in_a_row = 0
            return
        self.failures_in_a_row += 1
        self.last_reason = failure.reason

    def reason(self) -> str:
        return (
            f"Not sent, because the SMTP server failed for {MAX_SERVER_FAILURES} "
            f"letters in a row. The last failure: {self.last_reason} Resend once "
            "the server works."
        )[:MAX_ERROR_LENGTH]


@dataclass(frozen=True)
class Failure:
    """The reason a letter was not delivered.

    `unconfirmed` means the message data went out before the failure, so the
    server may have delivered it: the entry then stays In Progress, which a plain
    resend skips.
    """

    reason: str
    unconfirmed: bool = False
    # The server or the connection failed, not this letter (its address, size).
    server: bool = False


def _send(
    mailer: Mailer, smtp: SmtpSettings, row, document: bytes, body=None
) -> Failure | None:
    """Send one letter; return why it failed, or None when the server took it."""
    recipient = row.contact_via or ""
    subject = _subject(row)
    domain = _mail_domain(smtp)
    try:
        message = build_message(
            sender=smtp.sender,
            recipient=recipient,
            subject=subject,
            document=document,
            file_name=letter_file_name(row),
            as_attachment=bool(row.send_word_doc_as_attachment),
            message_id=message_id_for(
                entry_no=row.entry_no, domain=domain, logged_at=row.logged_at
            ),
            body=body,
        )
        mailer.send(message)
    except DeliveryError as error:
        logger.warning("delivery of entry %s failed: %s", row.entry_no, error.kind)
        return Failure(
            error.reason,
            unconfirmed=error.maybe_sent,
            server=not error.maybe_sent and not error.kind.startswith(LETTER_ERRORS),
        )
    except ValueError as error:
        logger.warning("delivery of entry %s failed: invalid message", row.entry_no)
        return Failure(str(error))
    return None


def _record(
    workspace: jobs.Workspace,
    actor: Actor,
    job_id: int,
    entry_no: int,
    document: bytes | None,
    failure: Failure | None,
) -> None:
    """Commit the entry's new status, with its merged letter when that can be stored.

    The status is what keeps a sent letter from going out again, so it is
    committed even when storing the letter fails, e.g. in an unwritable
    attachment folder. The reason then goes into the entry's delivery error.
    """
    if failure is None:
        status = ""
    elif failure.unconfirmed:
        status = IN_PROGRESS
    else:
        status = ERROR
    values: dict = {
        "delivery_status": status,
        "delivery_error": failure.reason[:MAX_ERROR_LENGTH] if failure else "",
    }
    if failure is None:
        values["delivered_at"] = workspace.settings.now().replace(tzinfo=None)
    if document is not None:
        try:
            with workspace_session(workspace, write=True) as session:
                env = workspace.env(session, actor)
                _store_letter(env, entry_no, document, values)
                _update_entry(env, job_id, entry_no, values)
            return
        except ServiceError as error:
            logger.error("letter of entry %s was not stored: %s", entry_no, error)
            note = f"The merged letter could not be stored: {error}"
            values["delivery_error"] = " ".join(
                filter(None, (values["delivery_error"], note))
            )[:MAX_ERROR_LENGTH]
            values.pop("merged_attachment_no", None)
    with workspace_session(workspace, write=True) as session:
        _update_entry(workspace.env(session, actor), job_id, entry_no, values)


def _store_letter(env: Env, entry_no: int, document: bytes, values: dict) -> None:
    """Store the entry's merged letter, replacing the one of an earlier attempt."""
    previous = env.session.scalar(
        select(InteractionLogEntry.merged_attachment_no).where(
            InteractionLogEntry.entry_no == entry_no
        )
    )
    attachment = store_attachment(
        env,
        f"interaction-{entry_no}.docx",
        document,
        validate_word=False,
        read_only=True,
        content_type=DOCX_CONTENT_TYPE,
    )
    values["merged_attachment_no"] = attachment.no
    if previous is not None:
        delete_attachments(env, [previous])


def _update_entry(env: Env, job_id: int, entry_no: int, values: dict) -> None:
    env.session.execute(
        update(InteractionLogEntry)
        .where(
            InteractionLogEntry.entry_no == entry_no,
            InteractionLogEntry.delivery_job_id == job_id,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _store_hard_copy(
    workspace: jobs.Workspace, actor: Actor, combined_path: Path, folder: Path
) -> dict:
    """Store the combined hard-copy document, and its PDF when soffice is installed."""
    outputs: dict = {}
    pdf_path = None
    try:
        pdf_path = convert_to_pdf(combined_path, folder)
    except PdfUnavailable as error:
        logger.info("no PDF of %s: %s", combined_path.name, error)
    with workspace_session(workspace, write=True) as session:
        env = workspace.env(session, actor)
        outputs["result_attachment_no"] = store_attachment(
            env,
            combined_path.name,
            combined_path.read_bytes(),
            validate_word=False,
            read_only=True,
            content_type=DOCX_CONTENT_TYPE,
        ).no
        if pdf_path is not None:
            outputs["pdf_attachment_no"] = store_attachment(
                env,
                pdf_path.name,
                pdf_path.read_bytes(),
                validate_word=False,
                read_only=True,
                content_type="application/pdf",
            ).no
    return outputs
