"""Mutations of logging: Log Segment, cancel, follow-up segments."""

from __future__ import annotations

import strawberry

from segments_module.services import logged_segments as services
from segments_module.services.results import LogResult

from ..context import Info
from ..errors import Error
from ..mutations import run_service
from ..segments.payloads import SegmentPayload
from ..segments.types import Segment
from .types import LoggedSegment


@strawberry.type
class LogSegmentPayload:
    logged_segment: LoggedSegment | None = None
    follow_up_segment: Segment | None = None
    no_of_interactions: int = strawberry.field(
        default=0, description="Interaction log entries written."
    )
    errors: list[Error] = strawberry.field(default_factory=list)

    @classmethod
    def from_result(cls, result: LogResult) -> LogSegmentPayload:
        follow_up = result.follow_up_segment
        return cls(
            logged_segment=LoggedSegment.from_model(result.logged_segment),
            follow_up_segment=Segment.from_model(follow_up) if follow_up else None,
            no_of_interactions=result.no_of_interactions,
        )


@strawberry.type
class LoggedSegmentPayload:
    logged_segment: LoggedSegment | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class LoggedSegmentMutations:
    @strawberry.mutation(
        description=(
            "Write one interaction log entry per line and close the segment; "
            "optionally start a follow-up segment with the same contacts."
        )
    )
    async def log_segment(
        self, info: Info, segment_no: str, create_follow_up: bool = False
    ) -> LogSegmentPayload:
        return await run_service(
            info,
            lambda env: services.log_segment(env, segment_no, create_follow_up),
            LogSegmentPayload.from_result,
            LogSegmentPayload,
        )

    @strawberry.mutation(
        description="Cancel or un-cancel a logged segment and its entries."
    )
    async def set_logged_segment_canceled(
        self, info: Info, entry_no: int, canceled: bool
    ) -> LoggedSegmentPayload:
        return await run_service(
            info,
            lambda env: services.set_logged_segment_canceled(env, entry_no, canceled),
            lambda logged: LoggedSegmentPayload(
                logged_segment=LoggedSegment.from_model(logged)
            ),
            LoggedSegmentPayload,
        )

    @strawberry.mutation(
        description="Start a new segment with a logged segment's contacts."
    )
    async def create_follow_up_segment(
        self, info: Info, logged_segment_entry_no: int
    ) -> SegmentPayload:
        return await run_service(
            info,
            lambda env: services.create_follow_up_segment(env, logged_segment_entry_no),
            lambda header: SegmentPayload(segment=Segment.from_model(header)),
            SegmentPayload,
        )
