"""Mutations that merge segments and deliver logged interactions."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.file_uploads import Upload

from segments_module.errors import ServiceError
from segments_module.models import Job as JobModel
from segments_module.services import delivery, documents

from ..attachments.mutations import read_upload
from ..context import Info
from ..errors import Error, errors_of
from ..mutations import log_rejection, run_service
from ..scalars import LineNo
from ..segments.payloads import SegmentLinePayload
from ..segments.types import SegmentLine
from .types import Job, MergeOutput


@strawberry.type
class JobPayload:
    job: Job | None = strawberry.field(
        default=None, description="The job; null when there was nothing to do."
    )
    errors: list[Error] = strawberry.field(default_factory=list)


async def run_job(info: Info, start: Callable[[], int | None]) -> JobPayload:
    """Start a job on a worker thread and return it, or the errors that stopped it.

    A short job has finished when this returns; a long one is queued on the
    context's runner.
    """
    context = info.context
    try:
        job_id = await run_in_threadpool(start)
    except ServiceError as error:
        log_rejection(info, error)
        return JobPayload(errors=errors_of(error))
    finally:
        context.start_new_reads()
    return JobPayload(job=load_job(info, job_id))


def load_job(info: Info, job_id: int | None) -> Job | None:
    if job_id is None:
        return None
    row = info.context.session.get(JobModel, job_id)
    return Job.from_model(row) if row is not None else None


@strawberry.type
class DeliveryMutations:
    @strawberry.mutation(
        description=(
            "Merge every line of a segment with its Word document, for review "
            "before logging. outputs defaults to [COMBINED, ZIP]. A segment of more "
            "than 200 lines merges in the background: follow the job with job(id). "
            "A segment keeps the documents of its latest merge only."
        )
    )
    async def merge_segment(
        self,
        info: Info,
        segment_no: str,
        outputs: list[MergeOutput] | None = None,
    ) -> JobPayload:
        context = info.context
        chosen = [output.value for output in outputs] if outputs else None
        return await run_job(
            info,
            lambda: documents.start_merge(
                context.workspace,
                context.runner,
                context.actor,
                segment_no,
                chosen or (documents.COMBINED, documents.ZIP),
            ),
        )

    @strawberry.mutation(
        description=(
            "Give a segment line its own Word document: the uploaded file, or "
            "without one a writable copy of the line's document to download, edit "
            "and send back with replaceAttachment. Changes to the header or the "
            "template no longer replace it."
        )
    )
    async def personalize_segment_line_document(
        self,
        info: Info,
        segment_no: str,
        line_no: LineNo,
        file: Upload | None = None,
    ) -> SegmentLinePayload:
        name, data = None, None
        if file is not None:
            try:
                name, data = await read_upload(
                    file, info.context.settings.max_upload_bytes
                )
            except ServiceError as error:
                return SegmentLinePayload(errors=errors_of(error))
        return await run_service(
            info,
            lambda env: documents.personalize_line_document(
                env, segment_no, line_no, name, data
            ),
            lambda line: SegmentLinePayload(segment_line=SegmentLine.from_model(line)),
            SegmentLinePayload,
        )

    @strawberry.mutation(
        description=(
            "Deliver again the interaction log entries whose Delivery Status is "
            "Error: those given by entry no., or all of a logged segment's. Entries "
            "already delivered are never sent again. includeUnconfirmed also sends "
            "entries left In Progress by a delivery that ended or was cut off; the "
            "SMTP server may have accepted those, so they can arrive twice."
        )
    )
    async def resend_interactions(
        self,
        info: Info,
        entry_nos: list[int] | None = None,
        logged_segment_entry_no: int | None = None,
        include_unconfirmed: bool = False,
    ) -> JobPayload:
        context = info.context
        return await run_job(
            info,
            lambda: delivery.resend_interactions(
                context.workspace,
                context.runner,
                context.actor,
                entry_nos=entry_nos or (),
                logged_segment_entry_no=logged_segment_entry_no,
                include_unconfirmed=include_unconfirmed,
            ),
        )
