"""GraphQL types of merge and delivery jobs."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from segments_module.services import jobs

from ..context import Info

if TYPE_CHECKING:
    from ..attachments.types import Attachment

AttachmentType = Annotated[
    "Attachment", strawberry.lazy("graphql_api.attachments.types")
]


@strawberry.enum(description="What a job does.")
class JobKind(Enum):
    MERGE = jobs.MERGE
    DELIVERY = jobs.DELIVERY


@strawberry.enum(
    description=(
        "Where a job is. QUEUED: waiting for a worker (long jobs only). RUNNING: "
        "letters are being merged or sent; a job still RUNNING after its server "
        "stopped stays so. DONE: finished, see message and failures. FAILED: "
        "stopped, see message."
    )
)
class JobStatus(Enum):
    QUEUED = jobs.QUEUED
    RUNNING = jobs.RUNNING
    DONE = jobs.DONE
    FAILED = jobs.FAILED


@strawberry.enum(description="A document a merge produces.")
class MergeOutput(Enum):
    COMBINED = "combined"
    ZIP = "zip"
    PDF = "pdf"


@strawberry.type(
    description=(
        "A merge or delivery run. Poll job(id) until status is DONE or FAILED; "
        "done, total and failures count letters."
    )
)
class Job:
    id: int = strawberry.field(description="Job number, for job(id).")
    kind: JobKind
    status: JobStatus
    segment_no: str = strawberry.field(description="The merged segment (merge jobs).")
    logged_segment_entry_no: int | None = strawberry.field(
        description="The delivered logged segment (delivery jobs)."
    )
    total: int = strawberry.field(description="Letters the job handles.")
    done: int = strawberry.field(
        description="Letters handled so far, written about twice a second."
    )
    failures: int = strawberry.field(
        description="Letters that could not be delivered (delivery jobs; 0 for merges)."
    )
    message: str = strawberry.field(
        description="Summary once the job ends: what was merged or delivered, or "
        "why it failed, or why its documents were not kept."
    )
    warnings: list[str] = strawberry.field(
        description="Distinct merge warnings, such as fields the data has no value for."
    )
    created_at: datetime
    finished_at: datetime | None = strawberry.field(
        description="When the job ended; null while it is queued or running."
    )
    result_attachment_no: strawberry.Private[int | None]
    zip_attachment_no: strawberry.Private[int | None]
    pdf_attachment_no: strawberry.Private[int | None]

    @strawberry.field(
        description="All letters in one .docx, each on its own page (merge), or the "
        "Hard Copy letters (delivery). Null when not asked for, or when a later "
        "merge of the segment replaced it."
    )
    def document(self, info: Info) -> AttachmentType | None:
        return _attachment(info, self.result_attachment_no)

    @strawberry.field(description="A zip of one .docx per contact.")
    def zip(self, info: Info) -> AttachmentType | None:
        return _attachment(info, self.zip_attachment_no)

    @strawberry.field(description="The combined document as PDF.")
    def pdf(self, info: Info) -> AttachmentType | None:
        return _attachment(info, self.pdf_attachment_no)

    @classmethod
    def from_model(cls, job) -> Job:
        return cls(
            id=job.id,
            kind=JobKind(job.kind),
            status=JobStatus(job.status),
            segment_no=job.segment_no,
            logged_segment_entry_no=job.logged_segment_entry_no,
            total=job.total,
            done=job.done,
            failures=job.failures,
            message=job.message,
            warnings=[line for line in job.warnings.split("\n") if line],
            created_at=job.created_at,
            finished_at=job.finished_at,
            result_attachment_no=job.result_attachment_no,
            zip_attachment_no=job.zip_attachment_no,
            pdf_attachment_no=job.pdf_attachment_no,
        )


def _attachment(info: Info, no: int | None):
    from ..attachments.types import attachment_of

    return attachment_of(info, no)
