"""Batched reads of a segment's lines, totals, criteria and history."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from segments_module.models import (
    CriteriaLineType,
    SavedSegmentCriteriaLine,
    SegmentCriteriaLine,
    SegmentHistory,
    SegmentLine,
)

from ..dataloaders import (
    BatchLoader,
    ChildPageLoader,
    CountByKeyLoader,
    RowsByKeyLoader,
)


@dataclass(frozen=True)
class SegmentLineTotals:
    no_of_lines: int
    cost: Decimal
    duration: Decimal


class SegmentLineTotalsBySegmentNoLoader(BatchLoader[str, SegmentLineTotals]):
    """Load the number of lines and the sums of cost and duration per segment."""

    def load_batch(self, session: Session, keys: list[str]) -> list[SegmentLineTotals]:
        statement = (
            select(
                SegmentLine.segment_no,
                func.count(),
                func.coalesce(func.sum(SegmentLine.cost), 0),
                func.coalesce(func.sum(SegmentLine.duration), 0),
            )
            .where(SegmentLine.segment_no.in_(keys))
            .group_by(SegmentLine.segment_no)
        )
        totals = {
            segment_no: SegmentLineTotals(count, Decimal(cost), Decimal(duration))
            for segment_no, count, cost, duration in session.execute(statement)
        }
        empty = SegmentLineTotals(0, Decimal(0), Decimal(0))
        return [totals.get(key, empty) for key in keys]


class SegmentLineCountBySegmentNoLoader(BatchLoader[str, int]):
    """Load the number of lines per segment.

    Counting alone reads only the (segment_no, line_no) key, so it stays cheaper
    than the totals, which read every line's cost and duration.
    """

    def load_batch(self, session: Session, keys: list[str]) -> list[int]:
        statement = (
            select(SegmentLine.segment_no, func.count())
            .where(SegmentLine.segment_no.in_(keys))
            .group_by(SegmentLine.segment_no)
        )
        counts = dict(session.execute(statement).all())
        return [counts.get(key, 0) for key in keys]


class SegmentLinePageBySegmentNoLoader(ChildPageLoader):
    model = SegmentLine
    parent_column = "segment_no"
    sort_columns = ("line_no",)
    cursor_kind = "segment line"

    def after_load(self, children: list[SegmentLine]) -> None:
        self.context.loaders.contact_by_no.prime(
            line.contact_no for line in children if line.contact_no is not None
        )


class CriteriaActionCountBySegmentNoLoader(CountByKeyLoader):
    """Count the criteria actions (Action lines, not their filters) per segment."""

    model = SegmentCriteriaLine
    key_column = "segment_no"

    def conditions(self) -> list[ColumnElement[bool]]:
        return [SegmentCriteriaLine.type == CriteriaLineType.ACTION.value]


class CriteriaLinesBySegmentNoLoader(RowsByKeyLoader):
    model = SegmentCriteriaLine
    key_column = "segment_no"
    order_by = ("line_no",)


class SavedCriteriaLinesByCodeLoader(RowsByKeyLoader):
    model = SavedSegmentCriteriaLine
    key_column = "code"
    order_by = ("line_no",)


class SegmentHistoryPageBySegmentNoLoader(ChildPageLoader):
    model = SegmentHistory
    parent_column = "segment_no"
    sort_columns = ("action_no", "line_no")
    cursor_kind = "segment history"


class SegmentHistoryCountBySegmentNoLoader(CountByKeyLoader):
    model = SegmentHistory
    key_column = "segment_no"
