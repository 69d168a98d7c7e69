"""Interaction defaults: what a header takes from its template and a line from both.

A new line copies the header's interaction fields, then resolves language, subject,
attachment, salesperson and correspondence type for its contact. Lines are written
with one INSERT ... SELECT, so these rules are SQL expressions over the contact row.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Date,
    FromClause,
    Integer,
    Numeric,
    Select,
    String,
    and_,
    case,
    func,
    insert,
    literal,
    null,
    select,
    update,
)
from sqlalchemy.orm import Session

from ..db import execute_counted
from ..models import (
    CorrespondenceType,
    InteractionTemplate,
    InteractionTemplateLanguage,
    SegmentHeader,
    SegmentLine,
)
from .env import Env

LINE_STEP = 10_000
NO_EMAIL_NOTE = (
    "The contact has no e-mail address, so the correspondence type is blank."
)

# Header fields a line copies as they are: header column -> line column.
COPIED_FROM_HEADER: dict[str, str] = {
    "description": "description",
    "date": "date",
    "interaction_template_code": "interaction_template_code",
    "interaction_group_code": "interaction_group_code",
    "unit_cost": "cost",
    "unit_duration": "duration",
    "information_flow": "information_flow",
    "initiated_by": "initiated_by",
    "campaign_no": "campaign_no",
    "campaign_target": "campaign_target",
    "campaign_response": "campaign_response",
    "send_word_docs_as_attachment": "send_word_doc_as_attachment",
}

# Header fields whose change offers to update the lines (all of the above, plus the
# ones a line resolves per contact).
INHERITED_HEADER_FIELDS: frozenset[str] = frozenset(COPIED_FROM_HEADER) | {
    "salesperson_code",
    "language_code_default",
    "subject_default",
    "correspondence_type_default",
    "ignore_contact_corres_type",
    "attachment_no",
}

_COLUMN_TYPES = {
    "cost": Numeric(18, 2),
    "duration": Numeric(18, 2),
    "date": Date(),
    "campaign_target": Boolean(),
    "campaign_response": Boolean(),
    "send_word_doc_as_attachment": Boolean(),
}


def copy_template_to_header(
    session: Session, header: SegmentHeader, template_code: str
) -> None:
    """Copy a template's defaults into the header, as choosing it in BC does."""
    header.interaction_template_code = template_code
    template = (
        session.get(InteractionTemplate, template_code) if template_code else None
    )
    if template is None:
        return
    header.interaction_group_code = template.interaction_group_code
    header.unit_cost = template.unit_cost
    header.unit_duration = template.unit_duration
    header.information_flow = template.information_flow
    header.initiated_by = template.initiated_by
    header.campaign_target = template.campaign_target
    header.campaign_response = template.campaign_response
    header.language_code_default = template.language_code_default
    header.correspondence_type_default = template.correspondence_type_default
    header.ignore_contact_corres_type = template.ignore_contact_corres_type
    if template.campaign_no:
        header.campaign_no = template.campaign_no

    apply_default_language(session, header)


def apply_default_language(session: Session, header: SegmentHeader) -> None:
    """Take the subject and document of the header's default language from its template.

    Business Central does this when a template is chosen and when Language Code
    (Default) changes. Without that template language the header has no document.
    """
    language = session.get(
        InteractionTemplateLanguage,
        (header.interaction_template_code, header.language_code_default),
    )
    header.attachment_no = language.attachment_no if language else None
    if language and language.subject:
        header.subject_default = language.subject


def _constant(value, column: str) -> ColumnElement:
    if value is None:
        return null()
    type_ = _COLUMN_TYPES.get(column)
    if type_ is None:
        type_ = (
            Integer()
            if isinstance(value, int) and not isinstance(value, bool)
            else String()
        )
    if isinstance(value, Decimal):
        type_ = Numeric(18, 2)
    return literal(value, type_)


def line_value_expressions(
    header: SegmentHeader,
    template: InteractionTemplate | None,
    contact: FromClause,
    template_language: FromClause,
) -> dict[str, ColumnElement]:
    """Return SQL expressions for a new line's columns, per contact row.

    `template_language` must be outer-joined on the header's template and the contact's
    language, so its columns are NULL when the template lacks that language.
    """
    values: dict[str, ColumnElement] = {
        line_column: _constant(getattr(header, header_column), line_column)
        for header_column, line_column in COPIED_FROM_HEADER.items()
    }
    values["contact_no"] = contact.c.no
    values["contact_company_no"] = contact.c.company_no

    # Salesperson: the header's if set, else the contact's.
    values["salesperson_code"] = (
        _constant(header.salesperson_code, "salesperson_code")
        if header.salesperson_code
        else contact.c.salesperson_code
    )

    # Language: the contact's when the template has it, else the header default; the
    # subject and the document follow the language.
    has_language = template_language.c.language_code.is_not(None)
    values["language_code"] = case(
        (has_language, template_language.c.language_code),
        else_=_constant(header.language_code_default, "language_code"),
    )
    values["subject"] = case(
        (
            and_(has_language, template_language.c.subject != ""),
            template_language.c.subject,
        ),
        else_=_constant(header.subject_default, "subject"),
    )
    values["attachment_no"] = case(
        (
            and_(has_language, template_language.c.attachment_no.is_not(None)),
            template_language.c.attachment_no,
        ),
        else_=_constant(header.attachment_no, "attachment_no"),
    )
    values["attachment_is_unique"] = literal(False, Boolean())

    desired = _desired_correspondence_type(header, template, contact)
    email = func.coalesce(contact.c.email, "")
    lacks_email = and_(desired == CorrespondenceType.EMAIL.value, email == "")
    final = case((lacks_email, ""), else_=desired)
    values["correspondence_type"] = final
    values["correspondence_type_note"] = case((lacks_email, NO_EMAIL_NOTE), else_="")
    values["contact_via"] = case(
        (final == CorrespondenceType.EMAIL.value, email), else_=""
    )

    values["evaluation"] = literal("", String())
    values["attempt_failed"] = literal(False, Boolean())
    values["time"] = null()
    return values


def _desired_correspondence_type(
    header: SegmentHeader, template: InteractionTemplate | None, contact: FromClause
) -> ColumnElement[str]:
    """Apply BC's order: header override, then template default, then the contact's."""
    header_default = header.correspondence_type_default or ""
    if header.ignore_contact_corres_type and header_default:
        return literal(header_default, String())
    if template is not None:
        template_default = template.correspondence_type_default or ""
        template_ignores = template.ignore_contact_corres_type
    else:
        template_default = header_default
        template_ignores = False
    if template_ignores:
        return literal(template_default, String())
    return case(
        (func.coalesce(contact.c.correspondence_type, "") == "", template_default),
        else_=contact.c.correspondence_type,
    )


def _template_of(env: Env, header: SegmentHeader) -> InteractionTemplate | None:
    code = header.interaction_template_code
    return env.session.get(InteractionTemplate, code) if code else None


def _template_language_join(header: SegmentHeader, contact: FromClause):
    template_language = InteractionTemplateLanguage.__table__.alias("tl")
    condition = and_(
        template_language.c.interaction_template_code
        == header.interaction_template_code,
        template_language.c.language_code == contact.c.language_code,
        contact.c.language_code != "",
    )
    return template_language, condition


def last_line_no(env: Env, segment_no: str) -> int:
    return env.session.scalar(
        select(func.coalesce(func.max(SegmentLine.line_no), 0)).where(
            SegmentLine.segment_no == segment_no
        )
    )


def insert_lines(env: Env, header: SegmentHeader, source: Select) -> tuple[int, int]:
    """Insert one line per row of `source`; return (lines inserted, previous last line).

    `source` selects `contact_no` and `seq` (a tie-breaker, e.g. a log entry no); rows
    whose contact is not in the store are skipped. Lines are ordered by company name,
    company no., type (company first), name and numbered after the last line.
    """
    base = last_line_no(env, header.no)
    rows = source.subquery("src")
    contact = env.store.contacts().alias("c")
    template_language, language_condition = _template_language_join(header, contact)
    values = line_value_expressions(
        header, _template_of(env, header), contact, template_language
    )
    company_name = case(
        (contact.c.type == "Company", contact.c.name), else_=contact.c.company_name
    )
    line_no = literal(base, BigInteger()) + LINE_STEP * func.row_number().over(
        order_by=(
            company_name,
            contact.c.company_no,
            case((contact.c.type == "Company", 0), else_=1),
            contact.c.name,
            contact.c.no,
            rows.c.seq,
        )
    )
    columns = list(values)
    statement = select(
        literal(header.no, String()).label("segment_no"),
        line_no.label("line_no"),
        *(values[name].label(name) for name in columns),
    ).select_from(
        rows.join(contact, contact.c.no == rows.c.contact_no).outerjoin(
            template_language, language_condition
        )
    )
    count = execute_counted(
        env.session,
        insert(SegmentLine.__table__).from_select(
            ["segment_no", "line_no", *columns], statement
        ),
    )
    return count, base


# Line fields that belong to the line itself, not to the header or the contact.
KEPT_ON_REINITIALISE = frozenset(
    {
        "contact_no",
        "contact_company_no",
        "evaluation",
        "attempt_failed",
        "time",
        "attachment_is_unique",
    }
)


def reinitialise_lines(
    env: Env, header: SegmentHeader, *, template_code: str | None
) -> int:
    """Recompute the inherited fields of lines from the header and their contacts.

    Only lines whose template is `template_code` change; None means every line (a
    template change). Returns the number of lines updated.
    """
    line = SegmentLine.__table__
    contact = env.store.contacts().alias("c")
    template_language, language_condition = _template_language_join(header, contact)
    values = line_value_expressions(
        header, _template_of(env, header), contact, template_language
    )
    per_contact = {
        name: select(expression)
        .select_from(contact.outerjoin(template_language, language_condition))
        .where(contact.c.no == line.c.contact_no)
        .scalar_subquery()
        for name, expression in values.items()
        if name not in KEPT_ON_REINITIALISE
    }
    # A personalised document stays with its line.
    per_contact["attachment_no"] = case(
        (line.c.attachment_is_unique.is_(True), line.c.attachment_no),
        else_=per_contact["attachment_no"],
    )
    condition = line.c.segment_no == header.no
    if template_code is not None:
        condition = and_(condition, line.c.interaction_template_code == template_code)
    result = env.session.execute(update(line).where(condition).values(**per_contact))
    return result.rowcount
