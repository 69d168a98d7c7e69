"""Payloads of the segment mutations: the changed objects plus `errors`."""

from __future__ import annotations

import strawberry

from segments_module.services.results import ActionResult

from ..errors import Error
from .types import SavedSegmentCriteria, Segment, SegmentLine


@strawberry.type
class SegmentPayload:
    segment: Segment | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteSegmentPayload:
    deleted_no: str | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type(description="A contact that an action left out, and why.")
class SkippedContact:
    contact_no: str
    reason: str


@strawberry.type(description="Result of an action that adds or removes lines.")
class SegmentActionPayload:
    segment: Segment | None = None
    affected_lines: int = strawberry.field(
        default=0,
        description=(
            "Lines added plus lines removed by the action. For Go Back: lines "
            "deleted plus lines restored."
        ),
    )
    skipped_contacts: list[SkippedContact] = strawberry.field(
        default_factory=list,
        description=(
            "Filled by reuseLoggedSegment: contacts of the logged segment that were "
            "not added because they are now excluded from segments, privacy blocked "
            "or deleted. Empty for the other actions."
        ),
    )
    errors: list[Error] = strawberry.field(default_factory=list)

    @classmethod
    def from_result(cls, result: ActionResult) -> SegmentActionPayload:
        return cls(
            segment=Segment.from_model(result.segment),
            affected_lines=result.affected_lines,
            skipped_contacts=[
                SkippedContact(contact_no=skipped.contact_no, reason=skipped.reason)
                for skipped in result.skipped_contacts
            ],
        )


@strawberry.type
class SegmentLinePayload:
    segment_line: SegmentLine | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class SavedSegmentCriteriaPayload:
    saved_segment_criteria: SavedSegmentCriteria | None = None
    errors: list[Error] = strawberry.field(default_factory=list)
