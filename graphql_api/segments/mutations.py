"""Mutations of segments: header, criteria actions, lines, Go Back, reuse, refresh."""

from __future__ import annotations

import strawberry

from segments_module.services import segments as services
from segments_module.services.results import AddContactsOptions

from ..contacts.inputs import ContactCriteriaInput
from ..context import Info
from ..mutations import run_service
from ..scalars import LineNo
from ..types import input_values
from .inputs import (
    AddContactsOptionsInput,
    CreateSegmentInput,
    SegmentLineInput,
    UpdateSegmentInput,
)
from .payloads import (
    DeleteSegmentPayload,
    SavedSegmentCriteriaPayload,
    SegmentActionPayload,
    SegmentLinePayload,
    SegmentPayload,
)
from .types import SavedSegmentCriteria, Segment, SegmentLine


def _segment_payload(header) -> SegmentPayload:
    return SegmentPayload(segment=Segment.from_model(header))


@strawberry.type
class SegmentMutations:
    @strawberry.mutation(
        description="Create a segment; a left-out no. takes the next one."
    )
    async def create_segment(
        self, info: Info, input: CreateSegmentInput
    ) -> SegmentPayload:
        values = input_values(input)
        return await run_service(
            info,
            lambda env: services.create_segment(env, values),
            _segment_payload,
            SegmentPayload,
        )

    @strawberry.mutation(
        description=(
            "Change header fields. With updateLines, lines whose template equals the "
            "header's take the new values; a template change updates every line."
        )
    )
    async def update_segment(
        self, info: Info, no: str, input: UpdateSegmentInput, update_lines: bool = False
    ) -> SegmentPayload:
        values = input_values(input)
        return await run_service(
            info,
            lambda env: services.update_segment(env, no, values, update_lines),
            _segment_payload,
            SegmentPayload,
        )

    @strawberry.mutation(description="Delete an open segment with its lines.")
    async def delete_segment(self, info: Info, no: str) -> DeleteSegmentPayload:
        return await run_service(
            info,
            lambda env: services.delete_segment(env, no),
            lambda _: DeleteSegmentPayload(deleted_no=no),
            DeleteSegmentPayload,
        )

    @strawberry.mutation(description="Add every contact that matches the criteria.")
    async def add_contacts(
        self,
        info: Info,
        segment_no: str,
        criteria: ContactCriteriaInput,
        options: AddContactsOptionsInput | None = None,
    ) -> SegmentActionPayload:
        contact_criteria = criteria.to_criteria()
        add_options = options.to_options() if options else AddContactsOptions()
        return await run_service(
            info,
            lambda env: services.add_contacts(
                env, segment_no, contact_criteria, add_options
            ),
            SegmentActionPayload.from_result,
            SegmentActionPayload,
        )

    @strawberry.mutation(description="Remove the lines whose contact matches.")
    async def reduce_contacts(
        self,
        info: Info,
        segment_no: str,
        criteria: ContactCriteriaInput,
        entire_companies: bool = False,
    ) -> SegmentActionPayload:
        contact_criteria = criteria.to_criteria()
        return await run_service(
            info,
            lambda env: services.reduce_contacts(
                env, segment_no, contact_criteria, entire_companies
            ),
            SegmentActionPayload.from_result,
            SegmentActionPayload,
        )

    @strawberry.mutation(description="Keep only the lines whose contact matches.")
    async def refine_contacts(
        self,
        info: Info,
        segment_no: str,
        criteria: ContactCriteriaInput,
        entire_companies: bool = False,
    ) -> SegmentActionPayload:
        contact_criteria = criteria.to_criteria()
        return await run_service(
            info,
            lambda env: services.refine_contacts(
                env, segment_no, contact_criteria, entire_companies
            ),
            SegmentActionPayload.from_result,
            SegmentActionPayload,
        )

    @strawberry.mutation(description="Add one contact by hand; Go Back undoes it.")
    async def add_segment_line(
        self,
        info: Info,
        segment_no: str,
        contact_no: str,
        input: SegmentLineInput | None = None,
    ) -> SegmentActionPayload:
        values = input_values(input) if input is not None else None
        return await run_service(
            info,
            lambda env: services.add_segment_line(env, segment_no, contact_no, values),
            SegmentActionPayload.from_result,
            SegmentActionPayload,
        )

    @strawberry.mutation(description="Override a line's interaction values.")
    async def update_segment_line(
        self, info: Info, segment_no: str, line_no: LineNo, input: SegmentLineInput
    ) -> SegmentLinePayload:
        values = input_values(input)
        return await run_service(
            info,
            lambda env: services.update_segment_line(env, segment_no, line_no, values),
            lambda line: SegmentLinePayload(segment_line=SegmentLine.from_model(line)),
            SegmentLinePayload,
        )

    @strawberry.mutation(description="Delete one line by hand; Go Back restores it.")
    async def delete_segment_line(
        self, info: Info, segment_no: str, line_no: LineNo
    ) -> SegmentActionPayload:
        return await run_service(
            info,
            lambda env: services.delete_segment_line(env, segment_no, line_no),
            SegmentActionPayload.from_result,
            SegmentActionPayload,
        )

    @strawberry.mutation(description="Undo the last criteria action exactly.")
    async def go_back(self, info: Info, segment_no: str) -> SegmentActionPayload:
        return await run_service(
            info,
            lambda env: services.go_back(env, segment_no),
            SegmentActionPayload.from_result,
            SegmentActionPayload,
        )

    @strawberry.mutation(
        description="Save the segment's criteria log under a new code."
    )
    async def save_segment_criteria(
        self, info: Info, segment_no: str, code: str, description: str = ""
    ) -> SavedSegmentCriteriaPayload:
        return await run_service(
            info,
            lambda env: services.save_segment_criteria(
                env, segment_no, code, description
            ),
            lambda saved: SavedSegmentCriteriaPayload(
                saved_segment_criteria=SavedSegmentCriteria.from_model(saved)
            ),
            SavedSegmentCriteriaPayload,
        )

    @strawberry.mutation(description="Replay saved criteria on the segment, in order.")
    async def reuse_segment_criteria(
        self, info: Info, segment_no: str, code: str
    ) -> SegmentActionPayload:
        return await run_service(
            info,
            lambda env: services.reuse_segment_criteria(env, segment_no, code),
            SegmentActionPayload.from_result,
            SegmentActionPayload,
        )

    @strawberry.mutation(
        description=(
            "Add the contacts of a logged segment; contacts excluded, privacy "
            "blocked or deleted since are skipped and listed."
        )
    )
    async def reuse_logged_segment(
        self, info: Info, segment_no: str, logged_segment_entry_no: int
    ) -> SegmentActionPayload:
        return await run_service(
            info,
            lambda env: services.reuse_logged_segment(
                env, segment_no, logged_segment_entry_no
            ),
            SegmentActionPayload.from_result,
            SegmentActionPayload,
        )

    @strawberry.mutation(
        description=(
            "Re-run the segment's recorded criteria against today's contacts, "
            "keeping lines added or removed by hand."
        )
    )
    async def refresh_segment(
        self, info: Info, segment_no: str
    ) -> SegmentActionPayload:
        return await run_service(
            info,
            lambda env: services.refresh_segment(env, segment_no),
            SegmentActionPayload.from_result,
            SegmentActionPayload,
        )
