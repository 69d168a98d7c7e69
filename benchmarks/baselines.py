"""Hand-written SQL that writes the same rows as the product's segment actions.

Each function runs a few fixed statements in the caller's session and returns the
number of segment lines or log entries it wrote or removed. The statements follow
the interaction defaults and the Add/Reduce/Log rules of the product, without its
generality: they know the benchmark's criteria (contacts of one country for Add, of
one language for Reduce), so they need no criteria compiler and no validation.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Date, DateTime, Time, bindparam, text
from sqlalchemy.orm import Session

from segments_module.models import LINE_VALUE_COLUMNS

LINE_STEP = 10_000
LINE_COLUMNS = ", ".join(LINE_VALUE_COLUMNS)
NO_EMAIL_NOTE = (
    "The contact has no e-mail address, so the correspondence type is blank."
)

# One row per matching contact with the values a new line takes from the header, the
# template, the template language of the contact's language, and the contact.
_NEW_LINES = f"""
INSERT INTO segment_line (segment_no, line_no, {LINE_COLUMNS})
SELECT
    m.segment_no,
    :base + {LINE_STEP} * ROW_NUMBER() OVER (
        ORDER BY m.sort_company_name, m.contact_company_no, m.sort_type, m.contact_name,
                 m.contact_no
    ),
    m.contact_no, m.contact_company_no, m.description, m.date, NULL,
    m.salesperson_code, m.interaction_template_code, m.interaction_group_code,
    m.language_code, m.subject,
    CASE WHEN m.lacks_email THEN '' ELSE m.wanted_type END,
    CASE WHEN m.lacks_email THEN :no_email_note ELSE '' END,
    CASE WHEN m.wanted_type = 'Email' AND NOT m.lacks_email THEN m.email ELSE '' END,
    m.cost, m.duration, m.information_flow, m.initiated_by, '', FALSE,
    m.campaign_no, m.campaign_target, m.campaign_response,
    m.send_word_doc_as_attachment, m.attachment_no, FALSE
FROM (
    SELECT
        w.*,
        (w.wanted_type = 'Email' AND w.email = '') AS lacks_email
    FROM (
        SELECT
            h.no AS segment_no,
            c.no AS contact_no,
            c.company_no AS contact_company_no,
            c.name AS contact_name,
            CASE WHEN c.type = 'Company' THEN c.name ELSE c.company_name END
                AS sort_company_name,
            CASE WHEN c.type = 'Company' THEN 0 ELSE 1 END AS sort_type,
            COALESCE(c.email, '') AS email,
            h.description, h.date, h.interaction_template_code,
            h.interaction_group_code, h.unit_cost AS cost, h.unit_duration AS duration,
            h.information_flow, h.initiated_by, h.campaign_no, h.campaign_target,
            h.campaign_response,
            h.send_word_docs_as_attachment AS send_word_doc_as_attachment,
            CASE WHEN h.salesperson_code <> '' THEN h.salesperson_code
                 ELSE c.salesperson_code END AS salesperson_code,
            COALESCE(tl.language_code, h.language_code_default) AS language_code,
            CASE WHEN tl.subject <> '' THEN tl.subject ELSE h.subject_default END
                AS subject,
            COALESCE(tl.attachment_no, h.attachment_no) AS attachment_no,
            CASE
                WHEN h.ignore_contact_corres_type
                     AND h.correspondence_type_default <> ''
                    THEN h.correspondence_type_default
                WHEN t.ignore_contact_corres_type
                    THEN t.correspondence_type_default
                WHEN COALESCE(c.correspondence_type, '') = ''
                    THEN COALESCE(t.correspondence_type_default,
                                  h.correspondence_type_default)
                ELSE c.correspondence_type
            END AS wanted_type
        FROM contact AS c
        JOIN segment_header AS h ON h.no = :segment_no
        LEFT JOIN interaction_template AS t ON t.code = h.interaction_template_code
        LEFT JOIN interaction_template_language AS tl
            ON tl.interaction_template_code = h.interaction_template_code
           AND tl.language_code = c.language_code
           AND c.language_code <> ''
        WHERE c.country_code = :country_code
          AND NOT c.exclude_from_segment
          AND NOT c.privacy_blocked
          AND NOT EXISTS (
              SELECT 1 FROM segment_line AS l
              WHERE l.segment_no = :segment_no AND l.contact_no = c.no
          )
    ) AS w
) AS m
"""

# Insert rows keep only the contact, because Go Back deletes the line by its number.
_INSERT_HISTORY = """
INSERT INTO segment_history (segment_no, action_no, line_no, kind, contact_no)
SELECT segment_no, :action_no, line_no, 'Insert', contact_no
FROM segment_line
WHERE segment_no = :segment_no AND line_no > :base
"""

_DELETE_HISTORY = f"""
INSERT INTO segment_history (segment_no, action_no, line_no, kind, {LINE_COLUMNS})
SELECT l.segment_no, :action_no, l.line_no, 'Delete',
       {", ".join("l." + name for name in LINE_VALUE_COLUMNS)}
FROM segment_line AS l
JOIN contact AS c ON c.no = l.contact_no
WHERE l.segment_no = :segment_no AND c.language_code = :language_code
"""

_DELETE_LINES = """
DELETE FROM segment_line
WHERE segment_no = :segment_no
  AND line_no IN (
      SELECT line_no FROM segment_history
      WHERE segment_no = :segment_no AND action_no = :action_no AND kind = 'Delete'
  )
"""

_CRITERIA_LINE = """
INSERT INTO segment_criteria_line (
    segment_no, line_no, type, action_no, action, allow_existing_contacts,
    expand_contact, allow_company_with_persons, ignore_exclusion, entire_companies,
    criteria_json, path, source, field, filter, view, manual
)
VALUES (
    :segment_no, :line_no, :type, :action_no, :action, FALSE, FALSE, FALSE, FALSE,
    FALSE, :criteria_json, '', :source, :field, :filter, :view, FALSE
)
"""


def _next_action(session: Session, segment_no: str) -> tuple[int, int]:
    """Bump the header version and return (next action no, next criteria line no)."""
    session.execute(
        text("UPDATE segment_header SET version = version + 1 WHERE no = :segment_no"),
        {"segment_no": segment_no},
    )
    row = session.execute(
        text(
            "SELECT COALESCE(MAX(action_no), 0), COALESCE(MAX(line_no), 0) "
            "FROM segment_criteria_line WHERE segment_no = :segment_no"
        ),
        {"segment_no": segment_no},
    ).one()
    return row[0] + 1, row[1] + LINE_STEP


def _record_action(
    session: Session, segment_no: str, action: str, field: str, value: str, view: str
) -> int:
    """Write the action line and its one filter line, and return the action no."""
    action_no, line_no = _next_action(session, segment_no)
    common = {"segment_no": segment_no, "action_no": action_no, "action": action}
    session.execute(
        text(_CRITERIA_LINE),
        [
            {
                **common,
                "line_no": line_no,
                "type": "Action",
                "criteria_json": json.dumps({"contact": {field: value}}),
                "source": "",
                "field": "",
                "filter": "",
                "view": action,
            },
            {
                **common,
                "line_no": line_no + LINE_STEP,
                "type": "Filter",
                "criteria_json": "",
                "source": "contact",
                "field": field,
                "filter": value,
                "view": view,
            },
        ],
    )
    return action_no


def add_contacts_of_country(
    session: Session, segment_no: str, country_code: str
) -> int:
    """Add the contacts of `country_code` that are not on the segment yet.

    Return the number of lines added.
    """
    action_no = _record_action(
        session,
        segment_no,
        "Add Contacts",
        "country_code",
        country_code,
        f"Country/Region Code is {country_code}",
    )
    base = session.execute(
        text(
            "SELECT COALESCE(MAX(line_no), 0) FROM segment_line "
            "WHERE segment_no = :segment_no"
        ),
        {"segment_no": segment_no},
    ).scalar_one()
    added = session.execute(
        text(_NEW_LINES),
        {
            "segment_no": segment_no,
            "country_code": country_code,
            "base": base,
            "no_email_note": NO_EMAIL_NOTE,
        },
    ).rowcount
    session.execute(
        text(_INSERT_HISTORY),
        {"segment_no": segment_no, "action_no": action_no, "base": base},
    )
    return added


def reduce_contacts_of_language(
    session: Session, segment_no: str, language_code: str
) -> int:
    """Remove the lines whose contact has `language_code` and return their number."""
    action_no = _record_action(
        session,
        segment_no,
        "Remove Contacts - Reduce",
        "language_code",
        language_code,
        f"Language Code is {language_code}",
    )
    parameters = {
        "segment_no": segment_no,
        "action_no": action_no,
        "language_code": language_code,
    }
    session.execute(text(_DELETE_HISTORY), parameters)
    return session.execute(text(_DELETE_LINES), parameters).rowcount


_LOG_ENTRIES = """
INSERT INTO interaction_log_entry (
    contact_no, contact_company_no, date, time, description, subject, information_flow,
    initiated_by, attempt_failed, evaluation, language_code, correspondence_type,
    contact_via, attachment_no, interaction_group_code, interaction_template_code,
    salesperson_code, user_id, cost, duration, campaign_no, campaign_target,
    campaign_response, segment_no, logged_segment_entry_no, delivery_status, canceled
)
SELECT
    l.contact_no, COALESCE(c.company_no, l.contact_company_no, ''), l.date, :time,
    COALESCE(l.description, ''), COALESCE(l.subject, ''),
    COALESCE(l.information_flow, ''), COALESCE(l.initiated_by, ''),
    COALESCE(l.attempt_failed, FALSE), COALESCE(l.evaluation, ''),
    COALESCE(l.language_code, ''), COALESCE(l.correspondence_type, ''),
    COALESCE(l.contact_via, ''), l.attachment_no,
    COALESCE(l.interaction_group_code, ''), COALESCE(l.interaction_template_code, ''),
    COALESCE(l.salesperson_code, ''), :user_id, COALESCE(l.cost, 0),
    COALESCE(l.duration, 0), COALESCE(l.campaign_no, ''),
    COALESCE(l.campaign_target, FALSE), COALESCE(l.campaign_response, FALSE),
    l.segment_no, :entry_no, '', FALSE
FROM segment_line AS l
LEFT JOIN contact AS c ON c.no = l.contact_no
WHERE l.segment_no = :segment_no
ORDER BY l.line_no
"""


def log_segment(session: Session, segment_no: str, user_id: str, now: datetime) -> int:
    """Write the logged segment and one log entry per line, then delete the segment."""
    parameters = {"segment_no": segment_no}
    now = now.replace(tzinfo=None)
    # Typed parameters, so that SQLite stores dates and times as SQLAlchemy does.
    entry_no = session.execute(
        text(
            "INSERT INTO logged_segment (segment_no, description, creation_date,"
            " created_at, user_id, campaign_no, canceled) "
            "SELECT no, description, :today, :now, :user_id, campaign_no, FALSE "
            "FROM segment_header WHERE no = :segment_no "
            "RETURNING entry_no"
        ).bindparams(
            bindparam("today", type_=Date()), bindparam("now", type_=DateTime())
        ),
        {**parameters, "today": now.date(), "now": now, "user_id": user_id},
    ).scalar_one()
    logged = session.execute(
        text(_LOG_ENTRIES).bindparams(bindparam("time", type_=Time())),
        {
            **parameters,
            "entry_no": entry_no,
            "user_id": user_id,
            "time": now.time().replace(microsecond=0),
        },
    ).rowcount
    for table in ("segment_history", "segment_criteria_line", "segment_line"):
        session.execute(
            text(f"DELETE FROM {table} WHERE segment_no = :segment_no"), parameters
        )
    session.execute(
        text("DELETE FROM segment_header WHERE no = :segment_no"), parameters
    )
    return logged
