"""Queries of open segments and saved criteria."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry
from sqlalchemy import func, select

from segments_module.models import SavedSegmentCriteria as SavedSegmentCriteriaModel
from segments_module.models import SegmentHeader, SegmentLine

from ..context import Info
from ..enums import OrderDirection
from ..errors import check_text_argument
from ..pagination import Connection, PageArgs, SortKey, paginate
from .types import SavedSegmentCriteria, Segment

# Segments without a date sort as if dated on this day, before every real date.
_NO_DATE = date(1, 1, 1)


@strawberry.enum(description="Sort key of the segments list; ties sort by no.")
class SegmentOrderField(Enum):
    NO = "no"
    DATE = "date"
    DESCRIPTION = "description"


@strawberry.input
class SegmentOrder:
    field: SegmentOrderField = SegmentOrderField.NO
    direction: OrderDirection = OrderDirection.ASC


def _segment_sort_keys(order: SegmentOrder | None) -> list[SortKey]:
    order = order or SegmentOrder()
    descending = order.direction is OrderDirection.DESC
    no_key = SortKey(SegmentHeader.no, descending)
    if order.field is SegmentOrderField.DATE:
        date_key = func.coalesce(SegmentHeader.date, _NO_DATE)
        return [SortKey(date_key, descending), no_key]
    if order.field is SegmentOrderField.DESCRIPTION:
        return [SortKey(SegmentHeader.description, descending), no_key]
    return [no_key]


@strawberry.type
class SegmentQueries:
    @strawberry.field(
        description="Open segments, by no. unless orderBy says otherwise."
    )
    def segments(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        order_by: SegmentOrder | None = None,
    ) -> Connection[Segment]:
        context = info.context
        page = PageArgs.parse(
            first, after, last, before, context.settings.max_page_size
        )
        order = order_by or SegmentOrder()
        # Plain rows, not ORM objects, with each segment's line count in the same
        # statement: both were large shares of this list's time.
        line_count = (
            select(func.count())
            .where(SegmentLine.segment_no == SegmentHeader.no)
            .scalar_subquery()
            .label("no_of_lines")
        )
        connection = paginate(
            context.session,
            select(SegmentHeader.__table__),
            _segment_sort_keys(order),
            page,
            # The order is part of the kind, so a cursor of one order fails on another.
            kind=f"segment by {order.field.value}",
            to_node=Segment.from_model,
            page_columns=[line_count],
        )
        context.loaders.prime_segments(edge.node.no for edge in connection.edges)
        return connection

    @strawberry.field(
        description="An open segment by its no.; null when there is none."
    )
    def segment(self, info: Info, no: str) -> Segment | None:
        check_text_argument("no", no)
        # Segment numbers are BC Code values, stored in upper case.
        header = info.context.session.get(SegmentHeader, no.strip().upper())
        return None if header is None else Segment.from_model(header)

    @strawberry.field(description="Saved segment criteria, by code.")
    def saved_segment_criteria(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SavedSegmentCriteria]:
        context = info.context
        page = PageArgs.parse(
            first, after, last, before, context.settings.max_page_size
        )
        connection = paginate(
            context.session,
            select(SavedSegmentCriteriaModel),
            [SortKey(SavedSegmentCriteriaModel.code)],
            page,
            kind="saved segment criteria",
            to_node=lambda row: SavedSegmentCriteria.from_model(row[0]),
        )
        context.loaders.prime_saved_criteria(
            edge.node.code for edge in connection.edges
        )
        return connection
