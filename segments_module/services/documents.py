"""Merge a segment's lines, or logged interactions, with their Word documents.

Letters are read as rows of one SELECT that joins the lines (or log entries) to
the host's contacts and salespeople, in pages, so that memory does not grow with
the segment. Each distinct Word document is compiled once per merge.
"""

from __future__ import annotations

import contextlib
import logging
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pycountry
from sqlalchemy import Select, and_, func, literal, select, update

from ..db import session_scope
from ..errors import ErrorCode, FieldError, ServiceError, not_found
from ..merge import (
    CombinedDocumentWriter,
    MergeTemplate,
    PdfUnavailable,
    TemplateError,
    ZipOfDocumentsWriter,
    convert_to_pdf,
)
from ..models import (
    Attachment,
    InteractionLogEntry,
    InteractionTemplateLanguage,
    Job,
    LoggedSegment,
    SegmentHeader,
    SegmentLine,
)
from . import jobs
from .attachments import (
    DOCX_CONTENT_TYPE,
    copy_attachment,
    delete_attachments,
    read_attachment,
    store_attachment,
)
from .env import Actor, Env
from .merge_fields import (
    SalutationBook,
    company_information,
    letter_values,
    locale_for_language,
)
from .segments import _get_line, _lock_segment, _logged_entry_no

logger = logging.getLogger(__name__)

# Lines without a document listed in one error response.
MAX_LINE_ERRORS = 100
# Rows read per query while merging.
PAGE_SIZE = 500
# Distinct warnings kept on a job; a template with a missing field would
# otherwise repeat the same warning once per letter.
MAX_WARNINGS = 50
# A warning quotes field names and pictures, which a template can make long.
MAX_WARNING_LENGTH = 300

# Outputs of a merge.
COMBINED = "combined"
ZIP = "zip"
PDF = "pdf"
OUTPUTS = (COMBINED, ZIP, PDF)


def _letter_columns(env: Env, source) -> tuple[list, Any]:
    """Return the merge columns of `source` rows joined to contact and salesperson."""
    contact = env.store.contacts().alias("c")
    salesperson = env.store.reference("salesperson").alias("sp")
    columns = [
        source.c.contact_no.label("contact_no"),
        contact.c.type.label("contact_type"),
        *(
            contact.c[name].label(name)
            for name in (
                "name",
                "company_name",
                "address",
                "address_2",
                "post_code",
                "city",
                "county",
                "country_code",
                "job_title",
                "phone_no",
                "email",
                "mobile_phone_no",
                "salutation_code",
            )
        ),
        source.c.salesperson_code.label("salesperson_code"),
        salesperson.c.name.label("salesperson_name"),
        salesperson.c.job_title.label("salesperson_job_title"),
        salesperson.c.phone_no.label("salesperson_phone_no"),
        salesperson.c.email.label("salesperson_email"),
        source.c.date.label("document_date"),
        source.c.campaign_no.label("campaign_no"),
        source.c.description.label("description"),
        source.c.subject.label("subject"),
        source.c.language_code.label("language_code"),
        source.c.attachment_no.label("attachment_no"),
        source.c.correspondence_type.label("correspondence_type"),
        source.c.contact_via.label("contact_via"),
        source.c.send_word_doc_as_attachment.label("send_word_doc_as_attachment"),
    ]
    joined = source.outerjoin(contact, contact.c.no == source.c.contact_no).outerjoin(
        salesperson, salesperson.c.code == source.c.salesperson_code
    )
    return columns, joined


def segment_letters(env: Env, segment_no: str) -> Select:
    """Select the letters of a segment's lines, ordered by line no."""
    line = SegmentLine.__table__
    columns, joined = _letter_columns(env, line)
    return (
        select(
            *columns,
            line.c.segment_no.label("segment_no"),
            line.c.line_no.label("position"),
            literal(None).label("entry_no"),
        )
        .select_from(joined)
        .where(line.c.segment_no == segment_no)
    )


def entry_letters(env: Env, *conditions) -> Select:
    """Select the letters of the interaction log entries that match `conditions`."""
    entry = InteractionLogEntry.__table__
    logged = LoggedSegment.__table__
    columns, joined = _letter_columns(env, entry)
    joined = joined.outerjoin(
        logged, logged.c.entry_no == entry.c.logged_segment_entry_no
    )
    return (
        select(
            *columns,
            entry.c.segment_no.label("segment_no"),
            entry.c.entry_no.label("position"),
            entry.c.entry_no.label("entry_no"),
            logged.c.created_at.label("logged_at"),
        )
        .select_from(joined)
        .where(*conditions)
    )


def iterate_letters(env: Env, statement: Select) -> Iterator[Any]:
    """Yield the rows of `statement` page by page, ordered by their position.

    Keyset paging on the position column keeps each query short, so no
    transaction stays open for the whole merge.
    """
    position = statement.selected_columns.position
    last = None
    while True:
        page = statement.order_by(position).limit(PAGE_SIZE)
        if last is not None:
            page = page.where(position > last)
        rows = env.session.execute(page).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].position
        if len(rows) < PAGE_SIZE:
            return


class LetterBuilder:
    """Turns letter rows into merge values, with templates compiled once."""

    def __init__(self, env: Env):
        self.env = env
        self.company = company_information(env.session)
        self.salutations = SalutationBook(env.session)
        self._templates: dict[int, MergeTemplate] = {}
        self.warnings: list[str] = []
        self.dropped_warnings = 0
        self._seen_warnings: set[str] = set()

    def template(self, attachment_no: int) -> MergeTemplate:
        template = self._templates.get(attachment_no)
        if template is None:
            data = read_attachment(self.env, attachment_no)
            try:
                template = MergeTemplate.from_bytes(
                    data, name=f"attachment {attachment_no}"
                )
            except TemplateError as error:
                raise ServiceError.single(
                    "attachmentNo",
                    ErrorCode.INVALID,
                    f"Attachment {attachment_no} cannot be merged: {error}",
                ) from error
            self._templates[attachment_no] = template
            if not template.field_names:
                self.note_warnings(
                    [
                        f"The Word document of attachment {attachment_no} has no "
                        "merge fields, so each of its letters is the same. A "
                        "conversion from another format may have turned its fields "
                        "into plain text."
                    ]
                )
        return template

    def values(self, row) -> dict[str, Any]:
        data = row._asdict()
        data["country_name"] = _country_name(data.get("country_code") or "")
        data.pop("logged_at", None)
        if data.get("entry_no") is None:
            # Known only once the segment is logged; blank, not a missing value.
            data["entry_no"] = ""
        return letter_values(data, self.company, self.salutations)

    def locale(self, row) -> str:
        return locale_for_language(row.language_code)

    def note_warnings(self, warnings: Sequence[str]) -> None:
        for warning in warnings:
            if len(warning) > MAX_WARNING_LENGTH:
                warning = warning[: MAX_WARNING_LENGTH - 3] + "..."
            if warning in self._seen_warnings:
                continue
            self._seen_warnings.add(warning)
            if len(self.warnings) < MAX_WARNINGS:
                self.warnings.append(warning)
            else:
                self.dropped_warnings += 1

    def all_warnings(self) -> list[str]:
        """Return the kept warnings, and a last one that counts the others."""
        if not self.dropped_warnings:
            return list(self.warnings)
        return [
            *self.warnings,
            f"... and {self.dropped_warnings} more distinct warnings.",
        ]


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code.upper()) if code else None
    return country.name if country else ""


def personalize_line_document(
    env: Env,
    segment_no: str,
    line_no: int,
    file_name: str | None = None,
    data: bytes | None = None,
) -> SegmentLine:
    """Give a segment line its own Word document, e.g. with a paragraph for one contact.

    With a file, the uploaded .docx becomes the line's document. Without one, the
    line gets a writable copy of the document it has now, which the user can
    download, edit and upload again with replaceAttachment. Either way the line's
    document is then unique to it: changes to the header or the template's
    languages no longer replace it.
    """
    header = _lock_segment(env, segment_no)
    line = _get_line(env, header.no, line_no)
    if data is not None:
        attachment = store_attachment(env, file_name or "letter.docx", data)
    elif line.attachment_no is not None:
        attachment = copy_attachment(env, line.attachment_no)
    else:
        raise ServiceError.single(
            "file",
            ErrorCode.REQUIRED,
            f"Line {line_no} of segment {header.no!r} has no Word document to copy. "
            "Upload the line's own document, or choose a template with a document "
            "for the line's language.",
        )
    previous = line.attachment_no if line.attachment_is_unique else None
    line.attachment_no = attachment.no
    line.attachment_is_unique = True
    env.session.flush()
    if previous is not None and not _is_referenced(env, previous):
        # The line's earlier personal copy, which nothing else uses any more.
        delete_attachments(env, [previous])
    logger.info(
        "line %s of segment %s got its own document %s",
        line_no,
        header.no,
        attachment.no,
    )
    return line


def _is_referenced(env: Env, attachment_no: int) -> bool:
    """Return True when any row still uses the attachment, or it is read-only."""
    checks = [
        select(Attachment.no).where(
            Attachment.no == attachment_no, Attachment.read_only.is_(True)
        ),
        select(SegmentLine.line_no).where(SegmentLine.attachment_no == attachment_no),
        select(SegmentHeader.no).where(SegmentHeader.attachment_no == attachment_no),
        select(InteractionTemplateLanguage.language_code).where(
            InteractionTemplateLanguage.attachment_no == attachment_no
        ),
        select(InteractionLogEntry.entry_no).where(
            (InteractionLogEntry.attachment_no == attachment_no)
            | (InteractionLogEntry.merged_attachment_no == attachment_no)
        ),
    ]
    return any(
        env.session.execute(check.limit(1)).first() is not None for check in checks
    )


def letter_file_name(row) -> str:
    """Name a letter's file after its segment, position and contact."""
    contact = re.sub(r"[^A-Za-z0-9_-]+", "_", row.contact_no or "")
    return f"{row.segment_no}-{row.position}-{contact}.docx"


def check_segment_documents(env: Env, segment_no: str) -> tuple[SegmentHeader, int]:
    """Return the segment and its line count, or raise for lines with no document."""
    header = env.session.get(SegmentHeader, segment_no)
    if header is None:
        entry_no = _logged_entry_no(env, segment_no)
        if entry_no is not None:
            raise ServiceError.single(
                "segmentNo",
                ErrorCode.ALREADY_LOGGED,
                f"Segment {segment_no!r} was logged as logged segment {entry_no}. Its "
                "letters are on its interaction log entries (mergedDocument); "
                "resendInteractions delivers failed ones again.",
            )
        raise not_found("segmentNo", "Segment", segment_no)
    line = SegmentLine.__table__
    total = env.session.scalar(
        select(func.count()).select_from(line).where(line.c.segment_no == segment_no)
    )
    if not total:
        raise ServiceError.single(
            "segmentNo",
            ErrorCode.EMPTY_SEGMENT,
            f"Segment {segment_no!r} has no lines. Add contacts before merging it.",
        )
    missing = env.session.execute(
        select(line.c.line_no, line.c.contact_no, line.c.interaction_template_code)
        .where(and_(line.c.segment_no == segment_no, line.c.attachment_no.is_(None)))
        .order_by(line.c.line_no)
        .limit(MAX_LINE_ERRORS)
    ).all()
    if missing:
        errors = [_no_document_error(row) for row in missing]
        if len(missing) == MAX_LINE_ERRORS:
            without = env.session.scalar(
                select(func.count())
                .select_from(line)
                .where(line.c.segment_no == segment_no, line.c.attachment_no.is_(None))
            )
            errors.append(
                FieldError(
                    "lines",
                    ErrorCode.LINE_INVALID,
                    f"{without} lines have no Word document; the first "
                    f"{MAX_LINE_ERRORS} are listed.",
                )
            )
        raise ServiceError(errors)
    return header, total


def _no_document_error(row) -> FieldError:
    if row.interaction_template_code:
        fix = (
            f"Give template {row.interaction_template_code!r} a document for the "
            "line's language, or give the line its own."
        )
    else:
        fix = (
            "The line has no interaction template: choose one on the segment with "
            "updateLines, or give the line its own document."
        )
    return FieldError(
        f"lines[{row.line_no}].attachmentNo",
        ErrorCode.LINE_INVALID,
        f"Line {row.line_no} (contact {row.contact_no!r}) has no Word document. {fix}",
    )


def merge_letters(
    env: Env,
    statement: Select,
    outputs: Sequence[str],
    progress: jobs.Progress,
    folder: Path,
    name: str,
) -> tuple[dict[str, Path], list[str]]:
    """Merge every letter of `statement` into the requested outputs in `folder`.

    Returns the file of each output and the distinct warnings. Letters go straight
    to the files, so memory does not grow with their number.
    """
    builder = LetterBuilder(env)
    files: dict[str, Path] = {}
    combined_path = folder / f"{name}.docx"
    zip_path = folder / f"{name}.zip"
    want_combined = COMBINED in outputs or PDF in outputs
    combined = CombinedDocumentWriter(combined_path) if want_combined else None
    archive = ZipOfDocumentsWriter(zip_path) if ZIP in outputs else None
    try:
        for row in iterate_letters(env, statement):
            template = builder.template(row.attachment_no)
            values = builder.values(row)
            locale = builder.locale(row)
            if combined is not None:
                builder.note_warnings(combined.add(template, values, locale=locale))
            if archive is not None:
                file_name = letter_file_name(row)
                builder.note_warnings(
                    archive.add(file_name, template, values, locale=locale)
                )
            progress.advance()
    except BaseException:
        # The files are thrown away; closing them must not hide the error.
        for writer in (combined, archive):
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.close()
        raise
    if combined is not None:
        combined.close()
    if archive is not None:
        archive.close()

    if COMBINED in outputs:
        files[COMBINED] = combined_path
    if archive is not None:
        files[ZIP] = zip_path
    if PDF in outputs:
        files[PDF] = convert_to_pdf(combined_path, folder)
    return files, builder.all_warnings()


CONTENT_TYPES = {
    COMBINED: DOCX_CONTENT_TYPE,
    ZIP: "application/zip",
    PDF: "application/pdf",
}


def store_outputs(env: Env, files: dict[str, Path]) -> dict[str, int]:
    """Store each output file as an attachment; return their numbers."""
    stored = {}
    for output, path in files.items():
        # NOTE: the file is read into memory to be stored, so a merge of many
        # thousands of letters needs memory for its largest output.
        attachment = store_attachment(
            env,
            path.name,
            path.read_bytes(),
            validate_word=False,
            read_only=True,
            content_type=CONTENT_TYPES[output],
        )
        stored[output] = attachment.no
    return stored


def start_merge(
    workspace: jobs.Workspace,
    runner: jobs.JobRunner | None,
    actor: Actor,
    segment_no: str,
    outputs: Sequence[str] = (COMBINED, ZIP),
    callback=None,
) -> int:
    """Check the segment, create its merge job and run it; return the job id.

    The job runs at once when it has at most jobs.INLINE_LETTER_LIMIT letters or
    when there is no runner (the CLI), else on the runner's worker thread.
    """
    outputs = _check_outputs(outputs)
    with workspace_session(workspace, write=True) as session:
        env = workspace.env(session, actor)
        header, total = check_segment_documents(env, segment_no.upper())
        job = jobs.create_job(env, jobs.MERGE, total, segment_no=header.no)
        job_id, segment_no = job.id, header.no

    def work() -> None:
        run_merge(workspace, actor, job_id, segment_no, outputs, callback)

    if runner is None or total <= jobs.INLINE_LETTER_LIMIT:
        jobs.run_inline(job_id, work)
    else:
        runner.submit(job_id, work)
    return job_id


def run_merge(
    workspace: jobs.Workspace,
    actor: Actor,
    job_id: int,
    segment_no: str,
    outputs: Sequence[str],
    callback=None,
) -> None:
    """Merge the segment's lines for job `job_id`, recording outputs on the job."""
    with workspace_session(workspace) as session:
        env = workspace.env(session, actor)
        exists = env.session.get(SegmentHeader, segment_no) is not None
        total = env.session.scalar(
            select(func.count())
            .select_from(SegmentLine)
            .where(SegmentLine.segment_no == segment_no)
        )
    progress = jobs.Progress(workspace, job_id, total or 0, callback)
    progress.start()
    if not total:
        # The segment changed between the start of the job and its run.
        progress.fail(
            f"Segment {segment_no} was logged or deleted before the merge ran, so "
            "nothing was merged."
            if not exists
            else f"Segment {segment_no} has no lines left to merge."
        )
        return
    try:
        with tempfile.TemporaryDirectory(prefix="segments-merge-") as folder:
            with workspace_session(workspace) as session:
                env = workspace.env(session, actor)
                files, warnings = merge_letters(
                    env,
                    segment_letters(env, segment_no),
                    outputs,
                    progress,
                    Path(folder),
                    segment_no,
                )
            with workspace_session(workspace, write=True) as session:
                env = workspace.env(session, actor)
                not_kept = _why_not_kept(env, segment_no, job_id)
                stored = {}
                if not not_kept:
                    stored = store_outputs(env, files)
                    # Recorded in this transaction, under the segment's lock, so
                    # a merge of the segment that finishes next finds them.
                    session.execute(
                        update(Job)
                        .where(Job.id == job_id)
                        .values(
                            result_attachment_no=stored.get(COMBINED),
                            zip_attachment_no=stored.get(ZIP),
                            pdf_attachment_no=stored.get(PDF),
                        )
                    )
                    jobs.delete_review_outputs(env, segment_no, before_job_id=job_id)
    except (ServiceError, PdfUnavailable, TemplateError) as error:
        progress.fail(str(error))
        logger.warning(
            "merge job %s of segment %s failed: %s", job_id, segment_no, error
        )
        return
    except Exception as error:
        progress.fail(f"The merge failed unexpectedly ({type(error).__name__}).")
        raise
    merged = f"Merged {progress.done} letter{'' if progress.done == 1 else 's'}."
    progress.finish(
        f"{merged} {not_kept}" if not_kept else merged,
        result_attachment_no=stored.get(COMBINED),
        zip_attachment_no=stored.get(ZIP),
        pdf_attachment_no=stored.get(PDF),
        warnings="\n".join(warnings),
    )
    logger.info(
        "merge job %s of segment %s: %s letters", job_id, segment_no, progress.done
    )


def _why_not_kept(env: Env, segment_no: str, job_id: int) -> str:
    """Say why a finished merge's documents must not be stored, or return "".

    The segment row is locked, so merges of one segment that finish together
    decide one after the other.
    """
    header = env.session.get(SegmentHeader, segment_no, with_for_update=True)
    if header is None:
        return (
            f"Segment {segment_no} was logged or deleted during the merge, so its "
            "documents were not kept."
        )
    later = env.session.scalar(
        select(Job.id)
        .where(
            Job.kind == jobs.MERGE,
            Job.segment_no == segment_no,
            Job.id > job_id,
            Job.result_attachment_no.is_not(None)
            | Job.zip_attachment_no.is_not(None)
            | Job.pdf_attachment_no.is_not(None),
        )
        .limit(1)
    )
    if later is not None:
        return (
            f"Merge job {later}, started later, finished first, so this merge's "
            "documents were not kept."
        )
    return ""


def _check_outputs(outputs: Sequence[str]) -> tuple[str, ...]:
    outputs = tuple(dict.fromkeys(output.lower() for output in outputs))
    unknown = [output for output in outputs if output not in OUTPUTS]
    if unknown or not outputs:
        raise ServiceError.single(
            "outputs",
            ErrorCode.INVALID,
            f"The outputs {list(outputs)!r} are not valid. Ask for one or more of "
            f"{', '.join(OUTPUTS)}.",
        )
    return outputs


def workspace_session(workspace: jobs.Workspace, write: bool = False):
    return session_scope(workspace.engine, write=write)
