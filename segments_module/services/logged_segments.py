"""Log Segment, cancel and un-cancel, and follow-up segments.

Logging runs in the caller's transaction: it locks the segment, checks every line,
writes the logged segment and one interaction log entry per line, and deletes the
segment. Two concurrent calls log the segment once: the second waits on the lock,
then finds the segment gone; the unique segment no. of logged segments backs this up.
"""

from __future__ import annotations

import logging
import time as timer
from typing import Any

from sqlalchemy import Integer, String, and_, func, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..db import execute_counted
from ..errors import ErrorCode, FieldError, ServiceError, not_found
from ..models import (
    Attachment,
    CorrespondenceType,
    DeliveryStatus,
    InteractionLogEntry,
    InteractionTemplate,
    LoggedSegment,
    SegmentHeader,
    SegmentLine,
)
from .env import Env
from .results import LogResult
from .segments import _delete_segment_rows, _lock_segment, create_segment_from_logged

logger = logging.getLogger(__name__)

# Failing lines listed in one response; the rest are counted in a final error.
MAX_LINE_ERRORS = 100

# Line columns copied to the log entry under the same name.
COPIED_LINE_COLUMNS = (
    "contact_no",
    "description",
    "subject",
    "information_flow",
    "initiated_by",
    "attempt_failed",
    "evaluation",
    "language_code",
    "correspondence_type",
    "contact_via",
    "attachment_no",
    "interaction_group_code",
    "interaction_template_code",
    "salesperson_code",
    "cost",
    "duration",
    "campaign_no",
    "campaign_target",
    "campaign_response",
    "send_word_doc_as_attachment",
)


def log_segment(
    env: Env,
    segment_no: str,
    create_follow_up: bool = False,
    deliver: bool = False,
    email_available: bool = True,
) -> LogResult:
    """Log the segment: one interaction log entry per line, then delete the segment.

    With `deliver`, every line must have a Word document and each entry starts with
    Delivery Status In Progress. The caller runs the delivery once this transaction
    has committed (services.delivery). With `email_available` False, because no
    SMTP server is set up, a delivery of Email lines is rejected before anything is
    logged. The documents the lines use become read-only either way, because the
    log refers to them.
    """
    started = timer.perf_counter()
    header = _lock_segment(env, segment_no)
    segment_no = header.no
    _check_header(env, header)
    _check_lines(env, header, deliver)
    if deliver and not email_available:
        _check_no_email_lines(env, header)

    now = env.settings.now()
    logged = LoggedSegment(
        segment_no=header.no,
        description=header.description,
        creation_date=now.date(),
        created_at=now.replace(tzinfo=None),
        user_id=env.actor.user_id,
        campaign_no=header.campaign_no,
    )
    env.session.add(logged)
    try:
        env.session.flush()
    except IntegrityError as error:
        raise ServiceError.single(
            "segmentNo",
            ErrorCode.ALREADY_LOGGED,
            f"Segment {segment_no!r} was already logged.",
        ) from error

    written = _write_log_entries(env, header, logged, now, deliver)
    _mark_documents_read_only(env, header.no)
    _delete_segment_rows(env, header.no)
    env.session.add(logged)

    follow_up = None
    if create_follow_up:
        follow_up = create_segment_from_logged(
            env, logged, f"Follow-up on segment {segment_no}"
        )
    logger.info(
        "segment %s logged as entry %s by %s: %s interactions in %.3fs, deliver=%s",
        segment_no,
        logged.entry_no,
        env.actor.user_id,
        written,
        timer.perf_counter() - started,
        deliver,
    )
    return LogResult(logged, follow_up, written)


def _check_header(env: Env, header: SegmentHeader) -> None:
    if not (header.description or "").strip():
        raise ServiceError.single(
            "description",
            ErrorCode.REQUIRED,
            f"Segment {header.no!r} has no description. Enter a description before "
            "logging it.",
        )
    count = env.session.scalar(
        select(func.count())
        .select_from(SegmentLine)
        .where(SegmentLine.segment_no == header.no)
    )
    if not count:
        raise ServiceError.single(
            "segmentNo",
            ErrorCode.EMPTY_SEGMENT,
            f"Segment {header.no!r} has no lines. Add contacts before logging it.",
        )


def _check_lines(env: Env, header: SegmentHeader, deliver: bool = False) -> None:
    """Find every failing line with one query, and report them all."""
    line = SegmentLine.__table__
    contact = env.store.contacts().alias("c")
    salesperson = env.store.reference("salesperson").alias("sp")
    campaign = env.store.reference("campaign").alias("cp")
    template = InteractionTemplate.__table__.alias("t")

    rules: list[tuple[str, Any, str]] = [
        (
            "date",
            line.c.date.is_(None),
            "has no date. Set a date on the line or the header.",
        ),
        (
            "contactNo",
            contact.c.no.is_(None),
            "refers to contact {contact!r}, which no longer exists. Delete the line.",
        ),
        (
            "contactNo",
            func.coalesce(contact.c.privacy_blocked, False),
            "refers to contact {contact!r}, which is privacy blocked. Delete the line.",
        ),
        (
            "interactionTemplateCode",
            func.coalesce(line.c.interaction_template_code, "") == "",
            "has no interaction template. Choose one on the line, or on the header "
            "with updateLines so that the lines take it.",
        ),
        (
            "interactionTemplateCode",
            and_(
                func.coalesce(line.c.interaction_template_code, "") != "",
                template.c.code.is_(None),
            ),
            "uses interaction template {template!r}, which does not exist. Choose an "
            "existing template.",
        ),
        (
            "salespersonCode",
            and_(
                func.coalesce(line.c.salesperson_code, "") != "",
                salesperson.c.code.is_(None),
            ),
            "uses salesperson {salesperson!r}, which does not exist. "
            "Choose an existing salesperson or leave it blank.",
        ),
        (
            "campaignNo",
            and_(func.coalesce(line.c.campaign_no, "") != "", campaign.c.no.is_(None)),
            "uses campaign {campaign!r}, which does not exist. Choose an existing "
            "campaign or leave it blank.",
        ),
        (
            "contactVia",
            and_(
                line.c.correspondence_type == CorrespondenceType.EMAIL.value,
                func.coalesce(line.c.contact_via, "") == "",
            ),
            "has correspondence type Email but no e-mail address. Add an address to "
            "contact {contact!r} or choose Hard Copy.",
        ),
    ]
    if deliver:
        rules.append(
            (
                "attachmentNo",
                line.c.attachment_no.is_(None),
                "has no Word document to deliver. Give template {template!r} a "
                "document for the line's language, or give the line its own.",
            )
        )
    joined = (
        line.outerjoin(contact, contact.c.no == line.c.contact_no)
        .outerjoin(salesperson, salesperson.c.code == line.c.salesperson_code)
        .outerjoin(campaign, campaign.c.no == line.c.campaign_no)
        .outerjoin(template, template.c.code == line.c.interaction_template_code)
    )
    statement = (
        select(
            line.c.line_no,
            line.c.contact_no,
            line.c.interaction_template_code,
            line.c.salesperson_code,
            line.c.campaign_no,
            *(
                condition.label(f"rule_{index}")
                for index, (_, condition, _) in enumerate(rules)
            ),
        )
        .select_from(joined)
        .where(
            line.c.segment_no == header.no,
            or_(*(condition for _, condition, _ in rules)),
        )
        .order_by(line.c.line_no)
    )

    errors: list[FieldError] = []
    failing_lines = 0
    for row in env.session.execute(statement):
        failing_lines += 1
        for index, (field, _, message) in enumerate(rules):
            if not getattr(row, f"rule_{index}") or len(errors) >= MAX_LINE_ERRORS:
                continue
            text = message.format(
                contact=row.contact_no,
                template=row.interaction_template_code,
                salesperson=row.salesperson_code,
                campaign=row.campaign_no,
            )
            errors.append(
                FieldError(
                    f"lines[{row.line_no}].{field}",
                    ErrorCode.LINE_INVALID,
                    f"Line {row.line_no} {text}",
                )
            )
    if not errors:
        return
    if len(errors) >= MAX_LINE_ERRORS:
        errors.append(
            FieldError(
                "lines",
                ErrorCode.LINE_INVALID,
                f"{failing_lines} lines fail the checks; the first {MAX_LINE_ERRORS} "
                "problems are listed.",
            )
        )
    raise ServiceError(errors)


def _write_log_entries(
    env: Env, header: SegmentHeader, logged: LoggedSegment, now, deliver: bool
) -> int:
    line = SegmentLine.__table__
    contact = env.store.contacts().alias("c")
    values = {name: line.c[name] for name in COPIED_LINE_COLUMNS}
    values.update(
        # The company as it is now in the host, not as stored on the line.
        contact_company_no=func.coalesce(
            contact.c.company_no, line.c.contact_company_no, ""
        ),
        date=line.c.date,
        time=literal(now.time().replace(tzinfo=None, microsecond=0)),
        user_id=literal(env.actor.user_id, String()),
        segment_no=literal(header.no, String()),
        logged_segment_entry_no=literal(logged.entry_no, Integer()),
        delivery_status=literal(
            DeliveryStatus.IN_PROGRESS.value if deliver else "", String()
        ),
        canceled=literal(False),
    )
    for name in (
        "description",
        "subject",
        "information_flow",
        "initiated_by",
        "evaluation",
        "language_code",
        "correspondence_type",
        "contact_via",
        "interaction_group_code",
        "interaction_template_code",
        "salesperson_code",
        "campaign_no",
    ):
        values[name] = func.coalesce(line.c[name], "")
    for name in (
        "attempt_failed",
        "campaign_target",
        "campaign_response",
        "send_word_doc_as_attachment",
    ):
        values[name] = func.coalesce(line.c[name], False)
    for name in ("cost", "duration"):
        values[name] = func.coalesce(line.c[name], 0)

    statement = (
        select(*(expression.label(name) for name, expression in values.items()))
        .select_from(line.outerjoin(contact, contact.c.no == line.c.contact_no))
        .where(line.c.segment_no == header.no)
        .order_by(line.c.line_no)
    )
    count = execute_counted(
        env.session,
        insert(InteractionLogEntry.__table__).from_select(list(values), statement),
    )
    return count


def _check_no_email_lines(env: Env, header: SegmentHeader) -> None:
    email_lines = env.session.scalar(
        select(func.count())
        .select_from(SegmentLine)
        .where(
            SegmentLine.segment_no == header.no,
            SegmentLine.correspondence_type == CorrespondenceType.EMAIL.value,
        )
    )
    if email_lines:
        raise ServiceError.single(
            "deliver",
            ErrorCode.INVALID,
            f"Segment {header.no!r} has {email_lines} Email lines, but e-mail "
            "delivery is not set up. Set SEGMENTS_SMTP_HOST and SEGMENTS_SMTP_SENDER "
            "and restart, or log without delivery.",
        )


def _mark_documents_read_only(env: Env, segment_no: str) -> None:
    """Freeze the Word documents the segment's lines use, in one UPDATE."""
    used = select(SegmentLine.attachment_no).where(
        SegmentLine.segment_no == segment_no,
        SegmentLine.attachment_no.is_not(None),
    )
    env.session.execute(
        update(Attachment)
        .where(Attachment.no.in_(used), Attachment.read_only.is_(False))
        .values(read_only=True)
        .execution_options(synchronize_session=False)
    )


def get_logged_segment(
    env: Env, entry_no: int, field: str = "entryNo"
) -> LoggedSegment:
    logged = env.session.get(LoggedSegment, entry_no)
    if logged is None:
        raise not_found(field, "Logged segment", entry_no)
    return logged


def set_logged_segment_canceled(
    env: Env, entry_no: int, canceled: bool
) -> LoggedSegment:
    """Cancel or un-cancel a logged segment and all its interaction log entries."""
    logged = get_logged_segment(env, entry_no)
    env.session.execute(
        update(LoggedSegment)
        .where(LoggedSegment.entry_no == entry_no)
        .values(canceled=canceled)
        .execution_options(synchronize_session=False)
    )
    changed = env.session.execute(
        update(InteractionLogEntry)
        .where(InteractionLogEntry.logged_segment_entry_no == entry_no)
        .values(canceled=canceled)
        .execution_options(synchronize_session=False)
    ).rowcount
    logged.canceled = canceled
    logger.info(
        "logged segment %s canceled=%s by %s: %s entries",
        entry_no,
        canceled,
        env.actor.user_id,
        changed,
    )
    return logged


def create_follow_up_segment(env: Env, logged_segment_entry_no: int) -> SegmentHeader:
    """Start a new segment with the contacts of any logged segment."""
    logged = get_logged_segment(
        env, logged_segment_entry_no, field="loggedSegmentEntryNo"
    )
    return create_segment_from_logged(
        env, logged, f"Follow-up on segment {logged.segment_no}"
    )
