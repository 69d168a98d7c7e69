"""Batched reads of template languages and of the log entries of logged segments."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from segments_module.models import InteractionLogEntry, InteractionTemplateLanguage

from ..dataloaders import BatchLoader, ChildPageLoader, RowsByKeyLoader


class TemplateLanguagesByTemplateCodeLoader(RowsByKeyLoader):
    model = InteractionTemplateLanguage
    key_column = "interaction_template_code"
    order_by = ("language_code",)


class LogEntryPageByLoggedSegmentLoader(ChildPageLoader):
    model = InteractionLogEntry
    parent_column = "logged_segment_entry_no"
    sort_columns = ("entry_no",)
    cursor_kind = "interaction log entry"


class LogEntryCountsByLoggedSegmentLoader(BatchLoader[int, dict[bool, int]]):
    """Count the log entries of each logged segment, split by their Canceled value."""

    def load_batch(self, session: Session, keys: list[int]) -> list[dict[bool, int]]:
        statement = (
            select(
                InteractionLogEntry.logged_segment_entry_no,
                InteractionLogEntry.canceled,
                func.count(),
            )
            .where(InteractionLogEntry.logged_segment_entry_no.in_(keys))
            .group_by(
                InteractionLogEntry.logged_segment_entry_no,
                InteractionLogEntry.canceled,
            )
        )
        counts: dict[int, dict[bool, int]] = defaultdict(dict)
        for entry_no, canceled, count in session.execute(statement):
            counts[entry_no][bool(canceled)] = count
        return [counts.get(key, {}) for key in keys]
