"""Mutations of logging: Log Segment, cancel, follow-up segments."""

from __future__ import annotations

import strawberry
from starlette.concurrency import run_in_threadpool

from segments_module.services import delivery
from segments_module.services import logged_segments as services
from segments_module.services.results import LogResult

from ..context import Info
from ..delivery.mutations import load_job
from ..delivery.types import Job
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
    delivery_job: Job | None = strawberry.field(
        default=None,
        description="The delivery started after the log was committed (deliver: "
        "true). Short deliveries have finished; follow long ones with job(id).",
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
            "optionally start a follow-up segment with the same contacts. With "
            "deliver, each contact's merged Word document is stored on its entry and "
            "sent (Email) or added to one printable document (Hard Copy) once the "
            "log is committed."
        )
    )
    async def log_segment(
        self,
        info: Info,
        segment_no: str,
        create_follow_up: bool = False,
        deliver: bool = False,
    ) -> LogSegmentPayload:
        smtp = info.context.smtp_settings
        email_available = smtp is None or smtp.configured
        payload = await run_service(
            info,
            lambda env: services.log_segment(
                env, segment_no, create_follow_up, deliver, email_available
            ),
            LogSegmentPayload.from_result,
            LogSegmentPayload,
        )
        if deliver and payload.logged_segment is not None:
            context = info.context
            entry_no = payload.logged_segment.entry_no
            job_id = await run_in_threadpool(
                lambda: delivery.start_delivery(
                    context.workspace, context.runner, context.actor, entry_no
                )
            )
            context.start_new_reads()
            payload.delivery_job = load_job(info, job_id)
        return payload

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
