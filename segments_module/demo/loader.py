"""Load the Business Central CRONUS demo data into the embedded contact store.

The rows come from the packaged copies in data/, whose origin, licence and the
decisions taken on them are in data/SOURCES.md. Each table is written with one
executemany INSERT ... ON CONFLICT DO NOTHING, so a load inserts the demo rows that
are missing and leaves existing rows as they are: loading twice changes nothing,
and a reload never undoes a user's change to a demo row.
"""

from __future__ import annotations

import logging
import time
from datetime import date
from decimal import Decimal
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..criteria.model import ContactCriteria
from ..models import (
    BusinessRelation,
    Campaign,
    CompanyInformation,
    Contact,
    ContactBusinessRelation,
    ContactIndustryGroup,
    ContactJobResponsibility,
    ContactMailingGroup,
    ContactProfileAnswer,
    IndustryGroup,
    InteractionGroup,
    InteractionTemplate,
    InteractionTemplateLanguage,
    JobResponsibility,
    Language,
    MailingGroup,
    NumberSeries,
    ProfileQuestionnaire,
    ProfileQuestionnaireLine,
    Salesperson,
    SalutationFormula,
    SegmentHeader,
)
from ..services import segments
from ..services.attachments import store_attachment
from ..services.defaults import copy_template_to_header
from ..services.env import Actor, Env
from . import cronus
from .contacts import (
    Rows,
    business_relation_rows,
    contact_rows,
    link_rows,
    profile_answer_rows,
)
from .upsert import dialect_insert, insert_missing_rows, unique_by_key

logger = logging.getLogger(__name__)

SEGMENT_SERIES_CODE = "SEGMENT"


# The user recorded on what the demo load creates, such as the demo segments' lines.
DEMO_USER = "demo"


def load_demo(session: Session, *, today: date | None = None) -> dict[str, int]:
    """Load the CRONUS contacts, codes, templates and demo segments.

    Demo dates move so that 1903 becomes the year of `today` (default: today).
    Only missing rows are inserted: a row whose key exists, demo or not, keeps its
    values. Runs in the caller's transaction and never commits. Returns the number
    of demo rows per table name, inserted or already there.
    """
    started = time.perf_counter()
    today = today or date.today()

    counts: dict[str, int] = {}
    for model, rows in _demo_rows(today):
        rows = unique_by_key(model.__table__, rows)
        insert_missing_rows(session, model.__table__, rows)
        counts[model.__tablename__] = len(rows)

    counts[InteractionTemplateLanguage.__tablename__] = _attach_thank_you_notes(session)
    headers = cronus.read_rows("CreateSegmentHeader", ["No."])
    new_segments = _insert_missing_headers(session, headers, today)
    inserted_headers = len(new_segments)
    _fill_demo_segments(session, new_segments)
    counts[SegmentHeader.__tablename__] = len(headers)
    _raise_segment_series(session, max(row["No."] for row in headers))
    counts[NumberSeries.__tablename__] = 1

    logger.info(
        "Loaded CRONUS demo data in %.2f s: %s, %d new segment headers",
        time.perf_counter() - started,
        ", ".join(f"{table}={count}" for table, count in counts.items()),
        inserted_headers,
    )
    return counts


def _demo_rows(today: date) -> list[tuple[type, Rows]]:
    """Return (model, rows) pairs in an order that satisfies the foreign keys."""
    contacts = contact_rows()
    return [
        (Language, _code_rows("CreateLanguage", {"Code": "code", "Name": "name"})),
        (
            Salesperson,
            _code_rows("CreateSalespersonPurchaser", {"Code": "code", "Name": "name"}),
        ),
        (Campaign, _campaign_rows(today)),
        (MailingGroup, _code_rows("CreateMailingGroup")),
        (IndustryGroup, _code_rows("CreateIndustryGroup")),
        (BusinessRelation, _code_rows("CreateBusinessRelation")),
        (JobResponsibility, _code_rows("CreateJobResponsibility")),
        (ProfileQuestionnaire, _questionnaire_rows()),
        (ProfileQuestionnaireLine, _questionnaire_line_rows()),
        (InteractionGroup, _code_rows("CreateInteractionGroup")),
        (InteractionTemplate, _template_rows()),
        (Contact, contacts),
        (
            ContactMailingGroup,
            link_rows(
                "CreateContactMailingGroup", "Mailing Group Code", "mailing_group_code"
            ),
        ),
        (
            ContactIndustryGroup,
            link_rows(
                "CreateContactIndustryGroup",
                "Industry Group Code",
                "industry_group_code",
            ),
        ),
        (ContactBusinessRelation, business_relation_rows(contacts)),
        (
            ContactJobResponsibility,
            link_rows(
                "CreateContactJobResponsib",
                "Job Responsibility Code",
                "job_responsibility_code",
            ),
        ),
        (ContactProfileAnswer, profile_answer_rows()),
        (SalutationFormula, _salutation_formula_rows()),
        (CompanyInformation, [CRONUS_COMPANY]),
    ]


# Business Central's Word templates for a thank-you note to a contact, one per
# language, and the subject of the note in that language. They become the
# languages of template BUS, so that demo segments can be merged and delivered.
THANK_YOU_NOTES = {
    "ENG": ("Contact_Thanksnote_GDL_GB.docx", "Thank you for registering"),
    "ENU": ("Contact_Thanksnote_GDL_US.docx", "Thank you for registering"),
    "DEU": ("Contact_Thanksnote_GDL_de.docx", "Vielen Dank für Ihre Registrierung"),
    "ESP": ("Contact_Thanksnote_GDL_ES.docx", "Gracias por registrarse"),
    "FRA": ("Contact_Thanksnote_GDL_FR.docx", "Merci de votre inscription"),
    "FRB": ("Contact_Thanksnote_GDL_BE_FRB.docx", "Merci de votre inscription"),
    "ITA": ("Contact_Thanksnote_GDL_IT.docx", "Grazie per la registrazione"),
    "NLD": ("Contact_Thanksnote_GDL_nl.docx", "Bedankt voor uw registratie"),
}
THANK_YOU_TEMPLATE = "BUS"


def _attach_thank_you_notes(session: Session) -> int:
    """Give template BUS a thank-you note per language, unless it has that language.

    Returns the number of languages the template has afterwards.
    """
    env = Env(session, Actor(DEMO_USER))
    folder = resources.files(__package__).joinpath("data", "templates")
    for language, (file_name, subject) in THANK_YOU_NOTES.items():
        key = (THANK_YOU_TEMPLATE, language)
        if session.get(InteractionTemplateLanguage, key) is not None:
            continue
        data = folder.joinpath(file_name).read_bytes()
        attachment = store_attachment(env, file_name, data)
        session.add(
            InteractionTemplateLanguage(
                interaction_template_code=THANK_YOU_TEMPLATE,
                language_code=language,
                description="Thank-you note",
                subject=subject,
                attachment_no=attachment.no,
            )
        )
    session.flush()
    return session.scalar(
        select(func.count())
        .select_from(InteractionTemplateLanguage)
        .where(
            InteractionTemplateLanguage.interaction_template_code == THANK_YOU_TEMPLATE
        )
    )


# The demo company of Business Central's W1 demo data (codeunit Create Company
# Information); BC looks the city up from the post code GB-W2 8HG.
CRONUS_COMPANY = {
    "key": 1,
    "name": "CRONUS International Ltd.",
    "address": "5 The Ring",
    "address_2": "Westminster",
    "post_code": "W2 8HG",
    "city": "London",
    "country_code": "GB",
    "phone_no": "0666-666-6666",
    "vat_registration_no": "777777777",
}
SALUTATION_TYPES = {"0": "Formal", "1": "Informal"}


def _salutation_formula_rows() -> Rows:
    key = ["Salutation Code", "Language Code", "Salutation Type"]
    return [
        {
            "salutation_code": row["Salutation Code"],
            "language_code": row["Language Code"],
            "salutation_type": cronus.option(
                SALUTATION_TYPES, row["Salutation Type"], "Salutation Type"
            ),
            "salutation": row["Salutation"],
            **{f"name_{n}": int(row[f"Name {n}"]) for n in range(1, 6)},
        }
        for row in cronus.read_rows("CreateSalutationFormula", key)
    ]


def _code_rows(name: str, columns: dict[str, str] | None = None) -> Rows:
    """Read a code table, with `columns` mapping file columns to table columns."""
    columns = columns or {"Code": "code", "Description": "description"}
    key = next(iter(columns))
    return [
        {target: row[source] for source, target in columns.items()}
        for row in cronus.read_rows(name, [key])
    ]


def _campaign_rows(today: date) -> Rows:
    return [
        {
            "no": row["No."],
            "description": row["Description"],
            "starting_date": cronus.shift_date(row["Starting Date"], today),
            "ending_date": cronus.shift_date(row["Ending Date"], today),
            "salesperson_code": row["Salesperson Code"],
        }
        for row in cronus.read_rows("CreateCampaign", ["No."])
    ]


def _questionnaire_rows() -> Rows:
    return [
        {
            "code": row["Code"],
            "description": row["Description"],
            "contact_type": cronus.option(
                cronus.QUESTIONNAIRE_CONTACT_TYPES, row["Contact Type"], "Contact Type"
            ),
            "business_relation_code": row["Business Relation Code"],
        }
        for row in cronus.read_rows("CreateProfileQuestHeader", ["Code"])
    ]


def _questionnaire_line_rows() -> Rows:
    key = ["Questions Checklist Code", "Line No."]
    return [
        {
            "questionnaire_code": row["Questions Checklist Code"],
            "line_no": int(row["Line No."]),
            "type": cronus.option(cronus.QUESTIONNAIRE_LINE_TYPES, row["Type"], "Type"),
            "description": row["Description"],
        }
        for row in cronus.read_rows("CreateProfileQuestLine", key)
    ]


def _template_rows() -> Rows:
    def option(values: dict[str, str], row: dict[str, str], column: str) -> str:
        return cronus.option(values, row[column], column)

    return [
        {
            "code": row["Code"],
            "interaction_group_code": row["Interaction Group Code"],
            "description": row["Description"],
            "unit_cost": Decimal(row["Unit Cost (LCY)"]),
            "unit_duration": Decimal(row["Unit Duration (Min.)"]),
            "information_flow": option(
                cronus.INFORMATION_FLOWS, row, "Information Flow"
            ),
            "initiated_by": option(cronus.INITIATED_BY, row, "Initiated by"),
            "correspondence_type_default": option(
                cronus.CORRESPONDENCE_TYPES, row, "Correspondence Type (Default)"
            ),
            "language_code_default": row["Language Code (Default)"],
            "ignore_contact_corres_type": cronus.boolean(
                row["Ignore Contact Corres. Type"]
            ),
        }
        for row in cronus.read_rows("CreateInteractionTemplate", ["Code"])
    ]


def _insert_missing_headers(
    session: Session, rows: list[dict[str, str]], today: date
) -> set[str]:
    """Insert the demo segment headers whose no. is free and return their nos.

    A header that exists, demo or not, is left as it is, so a reload never undoes
    a user's changes to a demo segment.
    """
    nos = [row["No."] for row in rows]
    existing = set(
        session.scalars(select(SegmentHeader.no).where(SegmentHeader.no.in_(nos)))
    )

    headers: list[SegmentHeader] = []
    for row in rows:
        if row["No."] in existing:
            continue
        header = SegmentHeader(
            no=row["No."],
            description=row["Description"],
            campaign_no=row["Campaign No."],
            salesperson_code=row["Salesperson Code"],
            interaction_template_code=row["Interaction Template Code"],
            date=cronus.shift_date(row["Date"], today),
        )
        if header.interaction_template_code:
            copy_template_to_header(session, header, header.interaction_template_code)
        headers.append(header)

    session.add_all(headers)
    session.flush()
    return {header.no for header in headers}


# CreateSegmentLine.csv's Functionality option: Add, Reduce, Refine.
DEMO_ACTIONS = ("add", "reduce", "refine")


def _fill_demo_segments(session: Session, segment_nos: set[str]) -> None:
    """Run BC's demo criteria on the demo segments this load inserted.

    Only the standard (OnRun) rows run, because the variant sets repeat them. A row
    that filters value entries is skipped: the module has no value entries.
    """
    env = Env(session, Actor(DEMO_USER))
    for row in cronus.read_all_rows("CreateSegmentLine"):
        segment_no = row["SegmentNo"]
        if row["_al_section"] != "OnRun" or segment_no not in segment_nos:
            continue
        if row["ValueEntryPostingDateFilter"]:
            logger.debug("demo segment %s: value entry criteria skipped", segment_no)
            continue
        criteria = ContactCriteria(
            business_relation=row["BusinessRelationCode"] or None,
            profile_answer=(
                {
                    "questionnaire_code": row["ProfileQuestionCode"],
                    "line_no": row["ProfileQuestionCodeLineFilter"],
                }
                if row["ProfileQuestionCode"]
                else None
            ),
        )
        action = DEMO_ACTIONS[int(row["Functionality"])]
        if action == "add":
            segments.add_contacts(env, segment_no, criteria)
        elif action == "reduce":
            segments.reduce_contacts(env, segment_no, criteria)
        else:
            segments.refine_contacts(env, segment_no, criteria)


def _raise_segment_series(session: Session, highest_no: str) -> None:
    """Move the SEGMENT number series up to `highest_no`, never down.

    NOTE: the comparison is on text, which orders numbers correctly only while they
    have the same prefix and width, as SM10001 to SM10004 do.
    """
    table = NumberSeries.__table__
    statement = dialect_insert(session, table).values(
        code=SEGMENT_SERIES_CODE, last_no_used=highest_no
    )
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.code],
        set_={"last_no_used": statement.excluded.last_no_used},
        where=table.c.last_no_used < statement.excluded.last_no_used,
    )
    session.execute(statement)
