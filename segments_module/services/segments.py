"""Segment actions: the header, Add/Reduce/Refine, manual lines, Go Back, reuse.

Every criteria action gets the next action number, is recorded as criteria lines
(one Action line, then one Filter line per filter) and leaves one history row per
line it inserted or deleted; Go Back replays that history backwards. All line work
is set-based SQL (INSERT ... SELECT, DELETE ... WHERE EXISTS).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    delete,
    exists,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    union_all,
    update,
)

from ..criteria.compiler import criteria_condition, describe_criteria, validate_criteria
from ..criteria.model import ContactCriteria
from ..db import execute_counted
from ..errors import ErrorCode, ServiceError, not_found
from ..models import (
    LINE_VALUE_COLUMNS,
    CorrespondenceType,
    CriteriaAction,
    CriteriaLineType,
    Evaluation,
    HistoryKind,
    InformationFlow,
    InitiatedBy,
    InteractionLogEntry,
    InteractionTemplate,
    InteractionTemplateLanguage,
    LoggedSegment,
    SavedSegmentCriteria,
    SavedSegmentCriteriaLine,
    SegmentCriteriaLine,
    SegmentHeader,
    SegmentHistory,
    SegmentLine,
)
from .defaults import (
    INHERITED_HEADER_FIELDS,
    apply_default_language,
    copy_template_to_header,
    insert_lines,
    reinitialise_lines,
)
from .env import Env
from .jobs import delete_review_outputs
from .numbering import next_segment_no
from .results import ActionResult, AddContactsOptions, SkippedContact
from .validation import clean_input, clean_text

logger = logging.getLogger(__name__)

HEADER_FIELDS: frozenset[str] = frozenset(
    column.name
    for column in SegmentHeader.__table__.columns
    if column.name not in ("version", "created_by", "created_at")
)
HEADER_OPTIONS = {
    "correspondence_type_default": CorrespondenceType,
    "information_flow": InformationFlow,
    "initiated_by": InitiatedBy,
}
LINE_EDITABLE_FIELDS: frozenset[str] = frozenset(
    {
        "interaction_template_code",
        "language_code",
        "description",
        "subject",
        "evaluation",
        "attachment_no",
        "correspondence_type",
        "date",
        "time",
        "salesperson_code",
        "campaign_no",
        "campaign_target",
        "campaign_response",
        "cost",
        "duration",
        "information_flow",
        "initiated_by",
        "attempt_failed",
    }
)
LINE_OPTIONS = {
    "correspondence_type": CorrespondenceType,
    "information_flow": InformationFlow,
    "initiated_by": InitiatedBy,
    "evaluation": Evaluation,
}


# --- Header ---------------------------------------------------------------------


def get_segment(env: Env, no: str, *, field: str = "segmentNo") -> SegmentHeader:
    """Return the open segment `no`; a logged one is reported as already logged."""
    no = clean_text(field, no, code=True)
    header = env.session.get(SegmentHeader, no)
    if header is not None:
        return header
    if _logged_entry_no(env, no) is not None:
        raise ServiceError.single(
            field,
            ErrorCode.ALREADY_LOGGED,
            f"Segment {no!r} was already logged. Open it under Logged Segments, or "
            "create a follow-up segment from it.",
        )
    raise not_found(field, "Segment", no)


def _lock_segment(env: Env, no: str, field: str = "segmentNo") -> SegmentHeader:
    """Take the segment's row lock by writing to it first, then return it.

    Writing before reading makes a second writer wait for the first to commit on
    both PostgreSQL (row lock) and SQLite (write lock), instead of acting on a stale
    read.
    """
    no = clean_text(field, no, code=True)
    result = env.session.execute(
        update(SegmentHeader)
        .where(SegmentHeader.no == no)
        .values(version=SegmentHeader.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        get_segment(env, no, field=field)  # raises not found or already logged
    header = env.session.get(SegmentHeader, no, populate_existing=True)
    assert header is not None
    return header


def _logged_entry_no(env: Env, segment_no: str) -> int | None:
    return env.session.scalar(
        select(LoggedSegment.entry_no).where(LoggedSegment.segment_no == segment_no)
    )


HEADER_REFERENCES = (
    "salesperson_code",
    "campaign_no",
    "interaction_template_code",
    "interaction_group_code",
    "language_code_default",
    "attachment_no",
)
LINE_REFERENCES = (
    "salesperson_code",
    "campaign_no",
    "interaction_template_code",
    "language_code",
    "attachment_no",
)


def _clean_header_values(env: Env, values: dict[str, Any]) -> dict[str, Any]:
    return clean_input(
        env,
        values,
        table=SegmentHeader.__table__,
        allowed=HEADER_FIELDS,
        options=HEADER_OPTIONS,
        references=HEADER_REFERENCES,
    )


def _check_campaign_flags(header: SegmentHeader) -> None:
    """Campaign Target and Campaign Response need a campaign, as in BC."""
    if (header.campaign_target or header.campaign_response) and not header.campaign_no:
        field = "campaignTarget" if header.campaign_target else "campaignResponse"
        raise ServiceError.single(
            f"input.{field}",
            ErrorCode.INVALID,
            f"{field} needs a campaign. Set campaignNo or clear {field}.",
        )


def create_segment(env: Env, values: dict[str, Any]) -> SegmentHeader:
    """Create a segment header; a blank number takes the next from the series."""
    values = _clean_header_values(env, dict(values))
    no = (values.pop("no", "") or "").strip()
    if no:
        if env.session.get(SegmentHeader, no) is not None:
            raise ServiceError.single(
                "input.no",
                ErrorCode.DUPLICATE,
                f"Segment {no!r} already exists. Choose another number or leave it "
                "blank to take the next one.",
            )
        if _logged_entry_no(env, no) is not None:
            raise ServiceError.single(
                "input.no",
                ErrorCode.ALREADY_LOGGED,
                f"Segment {no!r} was already logged, so its number cannot be used "
                "again. Leave the number blank to take the next one.",
            )
    else:
        no = next_segment_no(env)

    header = SegmentHeader(
        no=no,
        date=env.settings.today(),
        created_by=env.actor.user_id,
        created_at=env.settings.now().replace(tzinfo=None),
    )
    template_code = values.pop("interaction_template_code", "")
    if template_code:
        copy_template_to_header(env.session, header, template_code)
    for key, value in values.items():
        setattr(header, key, value)
    if "language_code_default" in values and "attachment_no" not in values:
        _apply_default_language(env, header, values)
    _check_campaign_flags(header)
    env.session.add(header)
    env.session.flush()
    logger.info("segment %s created by %s", no, env.actor.user_id)
    return header


def update_segment(
    env: Env, no: str, values: dict[str, Any], update_lines: bool = False
) -> SegmentHeader:
    """Change header fields; with `update_lines`, lines that inherit them follow.

    Lines whose template equals the header's are updated; a template change
    updates every line, as Business Central does after its confirmation prompt.
    """
    header = _lock_segment(env, no, field="no")
    no = header.no
    values = _clean_header_values(env, dict(values))
    values.pop("no", None)
    old_template = header.interaction_template_code

    new_template = values.pop("interaction_template_code", old_template)
    template_changed = new_template != old_template
    if template_changed:
        copy_template_to_header(env.session, header, new_template)
    changed = {key for key, value in values.items() if getattr(header, key) != value}
    for key, value in values.items():
        setattr(header, key, value)
    if "language_code_default" in changed and "attachment_no" not in values:
        _apply_default_language(env, header, values)
        changed |= {"attachment_no", "subject_default"}
    _check_campaign_flags(header)
    env.session.flush()

    if update_lines and template_changed:
        reinitialise_lines(env, header, template_code=None)
    elif update_lines and changed & INHERITED_HEADER_FIELDS:
        reinitialise_lines(env, header, template_code=old_template)
    return header


def _apply_default_language(env: Env, header: SegmentHeader, values: dict) -> None:
    """Let a new default language bring its document, and its subject unless given."""
    subject = header.subject_default
    apply_default_language(env.session, header)
    if "subject_default" in values:
        header.subject_default = subject


def delete_segment(env: Env, no: str) -> None:
    no = _lock_segment(env, no, field="no").no
    _delete_segment_rows(env, no)
    logger.info("segment %s deleted by %s", no, env.actor.user_id)


def _delete_segment_rows(env: Env, no: str) -> None:
    delete_review_outputs(env, no)
    # Children first, in bulk, so a large segment does not cascade row by row.
    for model in (SegmentHistory, SegmentCriteriaLine, SegmentLine):
        env.session.execute(delete(model).where(model.segment_no == no))
    env.session.execute(delete(SegmentHeader).where(SegmentHeader.no == no))
    env.session.expunge_all()


# --- Criteria actions ---------------------------------------------------------------


def add_contacts(
    env: Env,
    segment_no: str,
    criteria: ContactCriteria,
    options: AddContactsOptions = AddContactsOptions(),
) -> ActionResult:
    """Add every contact that matches `criteria` as a new line."""
    validate_criteria(criteria)
    header = _lock_segment(env, segment_no)
    segment_no = header.no
    action_no = _next_action_no(env, segment_no)
    added = _add(env, header, action_no, criteria, options)
    _record_action(
        env, segment_no, action_no, CriteriaAction.ADD, criteria, options=options
    )
    return ActionResult(header, added)


def reduce_contacts(
    env: Env, segment_no: str, criteria: ContactCriteria, entire_companies: bool = False
) -> ActionResult:
    """Remove the lines whose contact matches `criteria`."""
    return _remove_action(
        env, segment_no, criteria, entire_companies, CriteriaAction.REDUCE
    )


def refine_contacts(
    env: Env, segment_no: str, criteria: ContactCriteria, entire_companies: bool = False
) -> ActionResult:
    """Keep only the lines whose contact matches `criteria`."""
    return _remove_action(
        env, segment_no, criteria, entire_companies, CriteriaAction.REFINE
    )


def _remove_action(
    env: Env,
    segment_no: str,
    criteria: ContactCriteria,
    entire_companies: bool,
    action: CriteriaAction,
) -> ActionResult:
    validate_criteria(criteria)
    header = _lock_segment(env, segment_no)
    segment_no = header.no
    action_no = _next_action_no(env, segment_no)
    removed = _remove(env, header, action_no, criteria, entire_companies, action)
    _record_action(
        env, segment_no, action_no, action, criteria, entire_companies=entire_companies
    )
    return ActionResult(header, removed)


def _suppressed(contact, options: AddContactsOptions):
    """Exclusion and privacy block apply to the whole result, whatever the criteria."""
    conditions = [not_(func.coalesce(contact.c.privacy_blocked, False))]
    if not options.ignore_exclusion:
        conditions.append(not_(func.coalesce(contact.c.exclude_from_segment, False)))
    return and_(*conditions)


def _add(
    env: Env,
    header: SegmentHeader,
    action_no: int,
    criteria: ContactCriteria,
    options: AddContactsOptions,
) -> int:
    started = time.perf_counter()
    today = env.settings.today()
    contact = env.store.contacts().alias("x")

    if options.expand_contact or options.allow_company_with_persons:
        matched = env.store.contacts().alias("m")
        match = criteria_condition(criteria, env.store, matched, today=today)
        included = [contact.c.no.in_(select(matched.c.no).where(match))]
        if options.expand_contact:
            # Every contact of the matched contacts' companies.
            included.append(
                contact.c.company_no.in_(select(matched.c.company_no).where(match))
            )
        if options.allow_company_with_persons:
            included.append(
                contact.c.no.in_(
                    select(matched.c.company_no).where(
                        match, matched.c.type == "Person"
                    )
                )
            )
        condition = or_(*included)
    else:
        condition = criteria_condition(criteria, env.store, contact, today=today)

    conditions = [condition, _suppressed(contact, options)]
    if not options.allow_existing_contacts:
        conditions.append(
            ~exists().where(
                SegmentLine.segment_no == header.no,
                SegmentLine.contact_no == contact.c.no,
            )
        )
    source = select(
        contact.c.no.label("contact_no"), literal(0, Integer()).label("seq")
    ).where(*conditions)
    added, base = insert_lines(env, header, source)
    _write_insert_history(env, header.no, action_no, base)
    logger.info(
        "segment %s action %s added %s lines in %.3fs",
        header.no,
        action_no,
        added,
        time.perf_counter() - started,
    )
    return added


def _write_insert_history(
    env: Env, segment_no: str, action_no: int, base: int, *, snapshot: bool = False
) -> None:
    """Record the lines numbered above `base` as inserted by `action_no`."""
    line = SegmentLine.__table__
    columns = list(LINE_VALUE_COLUMNS) if snapshot else ["contact_no"]
    execute_counted(
        env.session,
        insert(SegmentHistory.__table__).from_select(
            ["segment_no", "action_no", "line_no", "kind", *columns],
            select(
                line.c.segment_no,
                literal(action_no, Integer()),
                line.c.line_no,
                literal(HistoryKind.INSERT.value, String()),
                *(line.c[name] for name in columns),
            ).where(line.c.segment_no == segment_no, line.c.line_no > base),
        ),
    )


def _remove(
    env: Env,
    header: SegmentHeader,
    action_no: int,
    criteria: ContactCriteria,
    entire_companies: bool,
    action: CriteriaAction,
) -> int:
    """Delete lines by criteria, keeping their values as history; return the count."""
    started = time.perf_counter()
    today = env.settings.today()
    line = SegmentLine.__table__
    owner = env.store.contacts().alias("owner")

    if entire_companies:
        # A line matches when any contact of its company on this segment matches.
        other_line = SegmentLine.__table__.alias("other_line")
        other = env.store.contacts().alias("other")
        company_matches = exists(
            select(literal(1))
            .select_from(other_line.join(other, other.c.no == other_line.c.contact_no))
            .where(
                other_line.c.segment_no == header.no,
                other.c.company_no == owner.c.company_no,
                criteria_condition(criteria, env.store, other, today=today),
            )
        )
        owner_condition = company_matches
    else:
        owner_condition = criteria_condition(criteria, env.store, owner, today=today)

    # Match on the contact as it is now in the host, never on a stored company no.
    matches = exists(
        select(literal(1))
        .select_from(owner)
        .where(owner.c.no == line.c.contact_no, owner_condition)
    )
    doomed = matches if action == CriteriaAction.REDUCE else not_(matches)
    removed = _delete_lines_where(env, header.no, action_no, doomed)
    logger.info(
        "segment %s action %s removed %s lines in %.3fs",
        header.no,
        action_no,
        removed,
        time.perf_counter() - started,
    )
    return removed


def _delete_lines_where(env: Env, segment_no: str, action_no: int, condition) -> int:
    """Snapshot the matching lines as Delete history rows, then delete them."""
    line = SegmentLine.__table__
    history = SegmentHistory.__table__
    execute_counted(
        env.session,
        insert(history).from_select(
            ["segment_no", "action_no", "line_no", "kind", *LINE_VALUE_COLUMNS],
            select(
                line.c.segment_no,
                literal(action_no, Integer()),
                line.c.line_no,
                literal(HistoryKind.DELETE.value, String()),
                *(line.c[name] for name in LINE_VALUE_COLUMNS),
            ).where(line.c.segment_no == segment_no, condition),
        ),
    )
    result = env.session.execute(
        delete(line).where(
            line.c.segment_no == segment_no,
            exists().where(
                history.c.segment_no == segment_no,
                history.c.action_no == action_no,
                history.c.line_no == line.c.line_no,
            ),
        )
    )
    return result.rowcount


def _next_action_no(env: Env, segment_no: str) -> int:
    last = env.session.scalar(
        select(func.max(SegmentCriteriaLine.action_no)).where(
            SegmentCriteriaLine.segment_no == segment_no
        )
    )
    return (last or 0) + 1


def _record_action(
    env: Env,
    segment_no: str,
    action_no: int,
    action: CriteriaAction,
    criteria: ContactCriteria,
    *,
    options: AddContactsOptions = AddContactsOptions(),
    entire_companies: bool = False,
    manual: bool = False,
) -> None:
    """Write the Action line and one Filter line per filter of the action."""
    last_line = env.session.scalar(
        select(func.coalesce(func.max(SegmentCriteriaLine.line_no), 0)).where(
            SegmentCriteriaLine.segment_no == segment_no
        )
    )
    common = dict(
        segment_no=segment_no,
        action_no=action_no,
        action=action.value,
        allow_existing_contacts=options.allow_existing_contacts,
        expand_contact=options.expand_contact,
        allow_company_with_persons=options.allow_company_with_persons,
        ignore_exclusion=options.ignore_exclusion,
        entire_companies=entire_companies,
        manual=manual,
    )
    rows = [
        dict(
            common,
            line_no=last_line + 10_000,
            type=CriteriaLineType.ACTION.value,
            criteria_json=criteria.to_json(),
            view=action.value,
        )
    ]
    for index, description in enumerate(describe_criteria(criteria), start=2):
        rows.append(
            dict(
                common,
                line_no=last_line + 10_000 * index,
                type=CriteriaLineType.FILTER.value,
                path=description.path,
                source=description.source,
                field=description.field,
                filter=description.filter,
                view=description.view,
            )
        )
    env.session.execute(insert(SegmentCriteriaLine), rows)


# --- Manual lines ------------------------------------------------------------------


def _contact_filter_value(contact_no: str) -> str:
    """Quote a contact no. so filter characters in it are taken literally."""
    if any(character in contact_no for character in "|&.<>=*?@'()"):
        return "'" + contact_no.replace("'", "''") + "'"
    return contact_no


def _contact_row(env: Env, contact_no: str, field: str = "contactNo"):
    contact_no = clean_text(field, contact_no).strip()
    contacts = env.store.contacts()
    # Contact numbers are BC Code values; a host may store them as typed, so the
    # exact value is tried first.
    row = (
        env.session.execute(
            select(contacts)
            .where(contacts.c.no.in_({contact_no, contact_no.upper()}))
            .order_by(contacts.c.no != contact_no)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise not_found(field, "Contact", contact_no)
    return row


def add_segment_line(
    env: Env, segment_no: str, contact_no: str, values: dict[str, Any] | None = None
) -> ActionResult:
    """Insert one line by hand, recorded as an Add Contacts action on its contact no."""
    header = _lock_segment(env, segment_no)
    segment_no = header.no
    contact = _contact_row(env, contact_no)
    contact_no = contact["no"]
    if contact["privacy_blocked"]:
        raise ServiceError.single(
            "contactNo",
            ErrorCode.INVALID,
            f"Contact {contact_no!r} is privacy blocked and cannot be added to a "
            "segment. Lift the privacy block in the contact first.",
        )
    action_no = _next_action_no(env, segment_no)
    source = select(
        literal(contact_no, String()).label("contact_no"),
        literal(0, Integer()).label("seq"),
    )
    _, base = insert_lines(env, header, source)
    line_no = base + 10_000
    if values:
        update_segment_line(env, segment_no, line_no, values)
    _write_insert_history(env, segment_no, action_no, base, snapshot=True)
    options = AddContactsOptions(allow_existing_contacts=True, ignore_exclusion=True)
    criteria = ContactCriteria(contact={"no": _contact_filter_value(contact_no)})
    _record_action(
        env,
        segment_no,
        action_no,
        CriteriaAction.ADD,
        criteria,
        options=options,
        manual=True,
    )
    return ActionResult(header, 1)


def _get_line(env: Env, segment_no: str, line_no: int) -> SegmentLine:
    segment_no = clean_text("segmentNo", segment_no, code=True)
    line = env.session.get(SegmentLine, (segment_no, line_no))
    if line is None:
        raise ServiceError.single(
            "lineNo",
            ErrorCode.NOT_FOUND,
            f"Segment {segment_no!r} has no line {line_no}. Check the line no. in the "
            "segment's lines.",
        )
    return line


def delete_segment_line(env: Env, segment_no: str, line_no: int) -> ActionResult:
    """Delete one line by hand, recorded as a Reduce action so Go Back restores it."""
    header = _lock_segment(env, segment_no)
    segment_no = header.no
    line = _get_line(env, segment_no, line_no)
    contact_no = line.contact_no or ""
    action_no = _next_action_no(env, segment_no)
    removed = _delete_lines_where(
        env, segment_no, action_no, SegmentLine.__table__.c.line_no == line_no
    )
    env.session.expire_all()
    criteria = ContactCriteria(contact={"no": _contact_filter_value(contact_no)})
    _record_action(
        env, segment_no, action_no, CriteriaAction.REDUCE, criteria, manual=True
    )
    return ActionResult(header, removed)


def update_segment_line(
    env: Env, segment_no: str, line_no: int, values: dict[str, Any]
) -> SegmentLine:
    """Override a line's interaction fields for its contact.

    A new template brings its group, cost, duration, flow and campaign flags. A new
    template or language brings that language's subject and document. An edited
    document becomes unique to the line.
    """
    values = clean_input(
        env,
        values,
        table=SegmentLine.__table__,
        allowed=LINE_EDITABLE_FIELDS,
        options=LINE_OPTIONS,
        references=LINE_REFERENCES,
    )
    line = _get_line(env, segment_no, line_no)

    template_code = values.get("interaction_template_code")
    if template_code is not None and template_code != line.interaction_template_code:
        template = env.session.get(InteractionTemplate, template_code)
        if template is not None:
            line.interaction_group_code = template.interaction_group_code
            line.cost = template.unit_cost
            line.duration = template.unit_duration
            line.information_flow = template.information_flow
            line.initiated_by = template.initiated_by
            line.campaign_target = template.campaign_target
            line.campaign_response = template.campaign_response

    language_source_changed = (
        "interaction_template_code" in values or "language_code" in values
    )
    for key, value in values.items():
        setattr(line, key, value)
    if language_source_changed:
        language = env.session.get(
            InteractionTemplateLanguage,
            (line.interaction_template_code or "", line.language_code or ""),
        )
        if language is not None:
            if "subject" not in values and language.subject:
                line.subject = language.subject
            if "attachment_no" not in values and not line.attachment_is_unique:
                line.attachment_no = language.attachment_no
    if "attachment_no" in values:
        line.attachment_is_unique = True

    if values.get("correspondence_type") == CorrespondenceType.EMAIL.value:
        contact = _contact_row(env, line.contact_no or "", field="lineNo")
        if not contact["email"]:
            raise ServiceError.single(
                "input.correspondenceType",
                ErrorCode.INVALID,
                f"Contact {line.contact_no!r} has no e-mail address, so the "
                "correspondence type cannot be Email. Add an address to the contact "
                "or choose Hard Copy.",
            )
        line.contact_via = contact["email"]
        line.correspondence_type_note = ""
    elif "correspondence_type" in values:
        line.contact_via = ""
        line.correspondence_type_note = ""
    env.session.flush()
    return line


# --- Go Back ---------------------------------------------------------------------


def go_back(env: Env, segment_no: str) -> ActionResult:
    """Undo the last criteria action: drop its lines, restore the ones it deleted."""
    header = _lock_segment(env, segment_no)
    segment_no = header.no
    action_no = env.session.scalar(
        select(func.max(SegmentCriteriaLine.action_no)).where(
            SegmentCriteriaLine.segment_no == segment_no
        )
    )
    if action_no is None:
        raise ServiceError.single(
            "segmentNo",
            ErrorCode.NOTHING_TO_UNDO,
            f"Segment {segment_no!r} has no criteria action to undo.",
        )
    affected = _undo_history(env, segment_no, action_no)
    env.session.execute(
        delete(SegmentCriteriaLine).where(
            SegmentCriteriaLine.segment_no == segment_no,
            SegmentCriteriaLine.action_no == action_no,
        )
    )
    logger.info("segment %s action %s undone", segment_no, action_no)
    return ActionResult(header, affected)


def _undo_history(env: Env, segment_no: str, action_no: int) -> int:
    line = SegmentLine.__table__
    history = SegmentHistory.__table__
    of_action = and_(
        history.c.segment_no == segment_no, history.c.action_no == action_no
    )
    removed = env.session.execute(
        delete(line).where(
            line.c.segment_no == segment_no,
            exists().where(
                of_action,
                history.c.kind == HistoryKind.INSERT.value,
                history.c.line_no == line.c.line_no,
            ),
        )
    ).rowcount
    restored = execute_counted(
        env.session,
        insert(line).from_select(
            ["segment_no", "line_no", *LINE_VALUE_COLUMNS],
            select(
                history.c.segment_no,
                history.c.line_no,
                *(history.c[name] for name in LINE_VALUE_COLUMNS),
            ).where(of_action, history.c.kind == HistoryKind.DELETE.value),
        ),
    )
    env.session.execute(delete(history).where(of_action))
    env.session.expire_all()
    return removed + restored


# --- Saved criteria, reuse and refresh ----------------------------------------------


def save_segment_criteria(
    env: Env, segment_no: str, code: str, description: str = ""
) -> SavedSegmentCriteria:
    """Copy the segment's criteria lines under a new code."""
    segment_no = get_segment(env, segment_no).no
    code = clean_text("code", code, code=True, max_length=10)
    description = clean_text("description", description, max_length=100)
    if not code:
        raise ServiceError.single(
            "code",
            ErrorCode.REQUIRED,
            "A code is required to save criteria. Enter a code.",
        )
    if env.session.get(SavedSegmentCriteria, code) is not None:
        raise ServiceError.single(
            "code",
            ErrorCode.DUPLICATE,
            f"Saved criteria {code!r} already exist. Choose another code.",
        )
    lines = env.session.scalars(
        select(SegmentCriteriaLine)
        .where(SegmentCriteriaLine.segment_no == segment_no)
        .order_by(SegmentCriteriaLine.line_no)
    ).all()
    if not lines:
        raise ServiceError.single(
            "segmentNo",
            ErrorCode.INVALID,
            f"Segment {segment_no!r} has no criteria actions to save. Add, reduce or "
            "refine contacts by criteria first.",
        )
    saved = SavedSegmentCriteria(
        code=code,
        description=description or "",
        user_id=env.actor.user_id,
        created_at=datetime.now(),
    )
    env.session.add(saved)
    env.session.flush()
    copied = [
        column.name
        for column in SegmentCriteriaLine.__table__.columns
        if column.name != "segment_no"
    ]
    env.session.execute(
        insert(SavedSegmentCriteriaLine),
        [
            dict({name: getattr(line, name) for name in copied}, code=code)
            for line in lines
        ],
    )
    return saved


def _replay(
    env: Env, header: SegmentHeader, line, action_no: int
) -> tuple[CriteriaAction, int]:
    """Run one recorded action again under `action_no`; return its action and count."""
    criteria = ContactCriteria.from_json(line.criteria_json)
    action = CriteriaAction(line.action)
    if action == CriteriaAction.ADD:
        options = AddContactsOptions(
            allow_existing_contacts=line.allow_existing_contacts,
            expand_contact=line.expand_contact,
            allow_company_with_persons=line.allow_company_with_persons,
            ignore_exclusion=line.ignore_exclusion,
        )
        return action, _add(env, header, action_no, criteria, options)
    return action, _remove(
        env, header, action_no, criteria, line.entire_companies, action
    )


def reuse_segment_criteria(env: Env, segment_no: str, code: str) -> ActionResult:
    """Replay each saved action, in order, with its filters and all its options."""
    code = clean_text("code", code, code=True)
    saved = env.session.get(SavedSegmentCriteria, code)
    if saved is None:
        raise not_found("code", "Saved segment criteria", code)
    header = _lock_segment(env, segment_no)
    segment_no = header.no
    actions = env.session.scalars(
        select(SavedSegmentCriteriaLine)
        .where(
            SavedSegmentCriteriaLine.code == code,
            SavedSegmentCriteriaLine.type == CriteriaLineType.ACTION.value,
        )
        .order_by(SavedSegmentCriteriaLine.line_no)
    ).all()
    affected = 0
    for saved_line in actions:
        action_no = _next_action_no(env, segment_no)
        action, count = _replay(env, header, saved_line, action_no)
        affected += count
        _record_action(
            env,
            segment_no,
            action_no,
            action,
            ContactCriteria.from_json(saved_line.criteria_json),
            options=AddContactsOptions(
                allow_existing_contacts=saved_line.allow_existing_contacts,
                expand_contact=saved_line.expand_contact,
                allow_company_with_persons=saved_line.allow_company_with_persons,
                ignore_exclusion=saved_line.ignore_exclusion,
            ),
            entire_companies=saved_line.entire_companies,
            manual=saved_line.manual,
        )
    return ActionResult(header, affected)


def reuse_logged_segment(
    env: Env, segment_no: str, logged_segment_entry_no: int
) -> ActionResult:
    """Add one line per interaction log entry of a logged segment.

    Contacts that are excluded, privacy blocked or gone since are skipped and
    returned in `skipped_contacts`.
    """
    logged = env.session.get(LoggedSegment, logged_segment_entry_no)
    if logged is None:
        raise not_found(
            "loggedSegmentEntryNo", "Logged segment", logged_segment_entry_no
        )
    header = _lock_segment(env, segment_no)
    added, skipped = _add_logged_segment_action(env, header, logged)
    return ActionResult(header, added, skipped)


def _add_logged_segment_action(
    env: Env, header: SegmentHeader, logged: LoggedSegment
) -> tuple[int, list[SkippedContact]]:
    """Add the logged segment's contacts as one Add Contacts action, recorded.

    The action is recorded as a filter on the interactions of that segment, with
    Allow Existing Contacts on, so Go Back undoes it and Reuse Criteria can replay it.
    """
    action_no = _next_action_no(env, header.no)
    added, skipped = _add_logged_contacts(env, header, action_no, logged.entry_no)
    criteria = ContactCriteria(
        interaction={"segment_no": _contact_filter_value(logged.segment_no)}
    )
    _record_action(
        env,
        header.no,
        action_no,
        CriteriaAction.ADD,
        criteria,
        options=AddContactsOptions(allow_existing_contacts=True),
    )
    return added, skipped


def _add_logged_contacts(
    env: Env, header: SegmentHeader, action_no: int, logged_entry_no: int
) -> tuple[int, list[SkippedContact]]:
    entry = InteractionLogEntry.__table__
    contact = env.store.contacts().alias("x")
    of_logged = entry.c.logged_segment_entry_no == logged_entry_no
    source = (
        select(entry.c.contact_no.label("contact_no"), entry.c.entry_no.label("seq"))
        .join(contact, contact.c.no == entry.c.contact_no)
        .where(of_logged, _suppressed(contact, AddContactsOptions()))
    )
    added, base = insert_lines(env, header, source)
    _write_insert_history(env, header.no, action_no, base)

    rows = env.session.execute(
        select(
            entry.c.contact_no,
            contact.c.no.label("found"),
            contact.c.privacy_blocked,
            contact.c.exclude_from_segment,
        )
        .outerjoin(contact, contact.c.no == entry.c.contact_no)
        .where(
            of_logged,
            or_(
                contact.c.no.is_(None),
                func.coalesce(contact.c.privacy_blocked, False),
                func.coalesce(contact.c.exclude_from_segment, False),
            ),
        )
        .order_by(entry.c.entry_no)
    ).all()
    skipped = [
        SkippedContact(
            row.contact_no,
            "contact not found"
            if row.found is None
            else "privacy blocked"
            if row.privacy_blocked
            else "excluded from segments",
        )
        for row in rows
    ]
    return added, skipped


def refresh_segment(env: Env, segment_no: str) -> ActionResult:
    """Re-run the segment's recorded criteria against today's contacts.

    Lines added by hand come back with their values and lines deleted by hand stay
    deleted. Lines from criteria are rebuilt from the header, so their own edits are
    not kept. `affected_lines` counts lines added plus lines removed, per contact.
    """
    header = _lock_segment(env, segment_no)
    segment_no = header.no
    actions = env.session.scalars(
        select(SegmentCriteriaLine)
        .where(
            SegmentCriteriaLine.segment_no == segment_no,
            SegmentCriteriaLine.type == CriteriaLineType.ACTION.value,
        )
        .order_by(SegmentCriteriaLine.action_no)
    ).all()
    # Lines typed in by hand are few; keep their snapshots to put them back.
    manual_inserts = (
        env.session.execute(
            select(SegmentHistory.__table__).where(
                SegmentHistory.segment_no == segment_no,
                SegmentHistory.kind == HistoryKind.INSERT.value,
                SegmentHistory.action_no.in_(
                    [line.action_no for line in actions if line.manual]
                ),
            )
        )
        .mappings()
        .all()
    )

    env.session.execute(
        delete(SegmentHistory).where(SegmentHistory.segment_no == segment_no)
    )
    _snapshot_contacts(env, segment_no)
    env.session.execute(delete(SegmentLine).where(SegmentLine.segment_no == segment_no))
    for action_line in actions:
        if action_line.manual and action_line.action == CriteriaAction.ADD.value:
            _restore_manual_lines(
                env,
                segment_no,
                action_line.action_no,
                [
                    row
                    for row in manual_inserts
                    if row["action_no"] == action_line.action_no
                ],
            )
        else:
            _replay(env, header, action_line, action_line.action_no)
    env.session.expire_all()
    changed = _count_changes_since_snapshot(env, segment_no)
    logger.info("segment %s refreshed: %s lines added or removed", segment_no, changed)
    return ActionResult(header, changed)


# History rows of this action number hold the contacts of the lines before a
# refresh; real actions are numbered from 1.
SNAPSHOT_ACTION_NO = 0


def _snapshot_contacts(env: Env, segment_no: str) -> None:
    line = SegmentLine.__table__
    execute_counted(
        env.session,
        insert(SegmentHistory.__table__).from_select(
            ["segment_no", "action_no", "line_no", "kind", "contact_no"],
            select(
                line.c.segment_no,
                literal(SNAPSHOT_ACTION_NO, Integer()),
                line.c.line_no,
                literal(HistoryKind.DELETE.value, String()),
                line.c.contact_no,
            ).where(line.c.segment_no == segment_no),
        ),
    )


def _count_changes_since_snapshot(env: Env, segment_no: str) -> int:
    """Count lines added plus lines removed, per contact, then drop the snapshot."""
    line = SegmentLine.__table__
    history = SegmentHistory.__table__
    snapshot = and_(
        history.c.segment_no == segment_no, history.c.action_no == SNAPSHOT_ACTION_NO
    )
    deltas = union_all(
        select(line.c.contact_no, literal(1, Integer()).label("delta")).where(
            line.c.segment_no == segment_no
        ),
        select(history.c.contact_no, literal(-1, Integer()).label("delta")).where(
            snapshot
        ),
    ).subquery("deltas")
    per_contact = (
        select(func.sum(deltas.c.delta).label("change"))
        .group_by(deltas.c.contact_no)
        .subquery("per_contact")
    )
    changed = env.session.scalar(
        select(func.coalesce(func.sum(func.abs(per_contact.c.change)), 0))
    )
    env.session.execute(delete(history).where(snapshot))
    return int(changed)


def _restore_manual_lines(env: Env, segment_no: str, action_no: int, snapshots) -> None:
    for snapshot in snapshots:
        line_no = (
            env.session.scalar(
                select(func.coalesce(func.max(SegmentLine.line_no), 0)).where(
                    SegmentLine.segment_no == segment_no
                )
            )
            + 10_000
        )
        values = {name: snapshot[name] for name in LINE_VALUE_COLUMNS}
        env.session.execute(
            insert(SegmentLine).values(segment_no=segment_no, line_no=line_no, **values)
        )
        env.session.execute(
            insert(SegmentHistory).values(
                segment_no=segment_no,
                action_no=action_no,
                line_no=line_no,
                kind=HistoryKind.INSERT.value,
                **values,
            )
        )


def create_segment_from_logged(
    env: Env, logged: LoggedSegment, description: str
) -> SegmentHeader:
    """Create a follow-up segment with one line per contact of a logged segment."""
    header = create_segment(
        env, {"description": description, "campaign_no": logged.campaign_no or None}
    )
    _add_logged_segment_action(env, header, logged)
    return header


__all__ = [
    "add_contacts",
    "add_segment_line",
    "create_segment",
    "delete_segment",
    "delete_segment_line",
    "get_segment",
    "go_back",
    "reduce_contacts",
    "refine_contacts",
    "refresh_segment",
    "reuse_logged_segment",
    "reuse_segment_criteria",
    "save_segment_criteria",
    "update_segment",
    "update_segment_line",
]
