"""Queries of logged segments."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from segments_module.models import LoggedSegment as LoggedSegmentModel

from ..context import Info
from ..errors import check_text_argument
from ..pagination import Connection, PageArgs, SortKey, paginate
from .types import LoggedSegment


@strawberry.input
class LoggedSegmentFilter:
    segment_no: str | None = strawberry.field(
        default=None, description="Exact segment no."
    )
    canceled: bool | None = None


@strawberry.type
class LoggedSegmentQueries:
    @strawberry.field(description="Logged segments, by entry no.")
    def logged_segments(
        self,
        info: Info,
        filter: LoggedSegmentFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[LoggedSegment]:
        context = info.context
        page = PageArgs.parse(
            first, after, last, before, context.settings.max_page_size
        )
        statement = select(LoggedSegmentModel)
        if filter is not None:
            check_text_argument("filter.segmentNo", filter.segment_no)
        if filter is not None and filter.segment_no is not None:
            statement = statement.where(
                LoggedSegmentModel.segment_no == filter.segment_no.strip().upper()
            )
        if filter is not None and filter.canceled is not None:
            statement = statement.where(LoggedSegmentModel.canceled == filter.canceled)
        connection = paginate(
            context.session,
            statement,
            [SortKey(LoggedSegmentModel.entry_no)],
            page,
            kind="logged segment",
            to_node=lambda row: LoggedSegment.from_model(row[0]),
        )
        context.loaders.prime_logged_segments(
            edge.node.entry_no for edge in connection.edges
        )
        return connection

    @strawberry.field(
        description="A logged segment by entry no.; null when there is none."
    )
    def logged_segment(self, info: Info, entry_no: int) -> LoggedSegment | None:
        logged = info.context.session.get(LoggedSegmentModel, entry_no)
        return None if logged is None else LoggedSegment.from_model(logged)
