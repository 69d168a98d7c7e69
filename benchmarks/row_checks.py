"""Checks that the product and the baseline wrote the same rows for their segments."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, text

from segments_module.models import LINE_VALUE_COLUMNS

logger = logging.getLogger(__name__)

LINE_COLUMNS = "line_no, " + ", ".join(LINE_VALUE_COLUMNS)
HISTORY_COLUMNS = "action_no, line_no, kind, " + ", ".join(LINE_VALUE_COLUMNS)
CRITERIA_COLUMNS = (
    "line_no, type, action_no, action, allow_existing_contacts, expand_contact,"
    " allow_company_with_persons, ignore_exclusion, entire_companies, criteria_json,"
    " path, source, field, filter, view, manual"
)
# Every column but the keys, the segment no. and the time, which is the clock's.
LOG_ENTRY_COLUMNS = (
    "contact_no, contact_company_no, date, description, subject, information_flow,"
    " initiated_by, attempt_failed, evaluation, language_code, correspondence_type,"
    " contact_via, attachment_no, interaction_group_code, interaction_template_code,"
    " salesperson_code, user_id, cost, duration, campaign_no, campaign_target,"
    " campaign_response, delivery_status, canceled"
)

# How many rows a step wrote, counted in the database after it ran.
_WRITTEN_ROWS = {
    "add_contacts": "SELECT COUNT(*) FROM segment_line WHERE segment_no = :no",
    "reduce_contacts": (
        "SELECT COUNT(*) FROM segment_history"
        " WHERE segment_no = :no AND kind = 'Delete'"
    ),
    "log_segment": "SELECT COUNT(*) FROM interaction_log_entry WHERE segment_no = :no",
}


def written_rows(engine: Engine, step: str, segment_no: str) -> int:
    """Return the lines added, the lines removed or the log entries written by `step`.

    Add Contacts is the segment's first action, so its lines are all the lines.
    """
    return _scalar(engine, _WRITTEN_ROWS[step], no=segment_no)


def same_rows(engine: Engine, step: str, product_no: str, baseline_no: str) -> bool:
    """Compare the rows the two segments have after `step`, column by column.

    After Add and Reduce: the lines, the history and the criteria lines. After Log:
    the interaction log entries, and that both segments are gone.
    """
    if step == "log_segment":
        differences = {
            "interaction_log_entry": _differing_rows(
                engine,
                "interaction_log_entry",
                LOG_ENTRY_COLUMNS,
                product_no,
                baseline_no,
            ),
            "segment_line left": _left_over(
                engine, "segment_line", product_no, baseline_no
            ),
            "segment_history left": _left_over(
                engine, "segment_history", product_no, baseline_no
            ),
        }
    else:
        differences = {
            "segment_line": _differing_rows(
                engine, "segment_line", LINE_COLUMNS, product_no, baseline_no
            ),
            "segment_history": _differing_rows(
                engine, "segment_history", HISTORY_COLUMNS, product_no, baseline_no
            ),
            "segment_criteria_line": _differing_rows(
                engine,
                "segment_criteria_line",
                CRITERIA_COLUMNS,
                product_no,
                baseline_no,
            ),
        }

    for table, count in differences.items():
        if count:
            logger.error(
                "%s: %d rows differ between segments %s and %s after %s",
                table,
                count,
                product_no,
                baseline_no,
                step,
            )
    return not any(differences.values())


def _differing_rows(
    engine: Engine, table: str, columns: str, first_no: str, second_no: str
) -> int:
    """Count the rows of one segment without an equal row in the other, both ways."""
    query = (
        f"SELECT COUNT(*) FROM ("
        f"SELECT {columns} FROM {table} WHERE segment_no = :a "
        f"EXCEPT SELECT {columns} FROM {table} WHERE segment_no = :b) AS missing"
    )
    one_way = _scalar(engine, query, a=first_no, b=second_no)
    other_way = _scalar(engine, query, a=second_no, b=first_no)
    return one_way + other_way


def _left_over(engine: Engine, table: str, *segment_nos: str) -> int:
    query = f"SELECT COUNT(*) FROM {table} WHERE segment_no = :no"
    return sum(_scalar(engine, query, no=no) for no in segment_nos)


def _scalar(engine: Engine, query: str, **parameters) -> int:
    with engine.connect() as connection:
        return connection.execute(text(query), parameters).scalar_one()
