"""GraphQL types of a segment, its lines, criteria lines and history."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import strawberry

from segments_module.models import (
    CorrespondenceType,
    CriteriaAction,
    CriteriaLineType,
    Evaluation,
    HistoryKind,
    InformationFlow,
    InitiatedBy,
)

from ..attachments.types import Attachment, attachment_of
from ..context import Info
from ..dataloaders import load_child_connection
from ..enums import option_or_none
from ..pagination import Connection, PageArgs
from ..scalars import LineNo
from ..types import model_values


def _line_options(values: dict) -> dict:
    """Replace the stored option strings of line values by enum members."""
    values["correspondence_type"] = option_or_none(
        CorrespondenceType, values["correspondence_type"]
    )
    values["information_flow"] = option_or_none(
        InformationFlow, values["information_flow"]
    )
    values["initiated_by"] = option_or_none(InitiatedBy, values["initiated_by"])
    values["evaluation"] = option_or_none(Evaluation, values["evaluation"])
    return values


@strawberry.type(description="One contact of a segment, with its interaction values.")
class SegmentLine:
    segment_no: str
    line_no: LineNo
    contact_no: str | None
    contact_company_no: str | None
    description: str | None
    date: date | None
    time: time | None
    salesperson_code: str | None
    interaction_template_code: str | None
    interaction_group_code: str | None
    language_code: str | None
    subject: str | None
    correspondence_type: CorrespondenceType | None
    correspondence_type_note: str | None = strawberry.field(
        description="Why the correspondence type fell back to blank, if it did."
    )
    contact_via: str | None
    cost: Decimal | None
    duration: Decimal | None
    information_flow: InformationFlow | None
    initiated_by: InitiatedBy | None
    evaluation: Evaluation | None
    attempt_failed: bool | None
    campaign_no: str | None
    campaign_target: bool | None
    campaign_response: bool | None
    send_word_doc_as_attachment: bool | None
    attachment_no: int | None
    attachment_is_unique: bool | None = strawberry.field(
        description="True when the attachment is the line's own personalised copy."
    )

    @classmethod
    def from_model(cls, line) -> SegmentLine:
        return cls(**_line_options(model_values(cls, line)))

    @strawberry.field(
        description="The Word document of the line: its language's, or its own."
    )
    def attachment(self, info: Info) -> Attachment | None:
        return attachment_of(info, self.attachment_no)

    @strawberry.field(description="Name of the contact in the host, as it is now.")
    def contact_name(self, info: Info) -> str | None:
        if self.contact_no is None:
            return None
        contact = info.context.loaders.contact_by_no.get(self.contact_no)
        return None if contact is None else contact.name


@strawberry.type(description="An action of the criteria log or one of its filters.")
class SegmentCriteriaLine:
    line_no: int
    type: CriteriaLineType | None
    action_no: int
    action: CriteriaAction | None
    allow_existing_contacts: bool
    expand_contact: bool
    allow_company_with_persons: bool
    ignore_exclusion: bool
    entire_companies: bool
    manual: bool = strawberry.field(
        description="True for an action recorded by adding or deleting a line by hand."
    )
    path: str = strawberry.field(
        description="Where the filter sits in the criteria tree, e.g. anyOf[1].not."
    )
    source: str
    field: str
    filter: str
    view: str = strawberry.field(description="The filter in words.")

    @classmethod
    def from_model(cls, line) -> SegmentCriteriaLine:
        values = model_values(cls, line)
        values["type"] = option_or_none(CriteriaLineType, line.type)
        values["action"] = option_or_none(CriteriaAction, line.action)
        return cls(**values)


@strawberry.type(description="A line that a criteria action inserted or deleted.")
class SegmentHistoryEntry:
    action_no: int
    line_no: LineNo
    contact_no: str | None
    kind: HistoryKind | None

    @classmethod
    def from_model(cls, entry) -> SegmentHistoryEntry:
        values = model_values(cls, entry)
        values["kind"] = option_or_none(HistoryKind, entry.kind)
        return cls(**values)


@strawberry.type(
    description="An open segment: the interaction to create and its lines."
)
class Segment:
    no: str
    description: str
    date: date | None
    salesperson_code: str
    interaction_template_code: str
    interaction_group_code: str
    language_code_default: str
    subject_default: str
    correspondence_type_default: CorrespondenceType | None
    ignore_contact_corres_type: bool
    send_word_docs_as_attachment: bool
    information_flow: InformationFlow | None
    initiated_by: InitiatedBy | None
    unit_cost: Decimal
    unit_duration: Decimal
    campaign_no: str
    campaign_target: bool
    campaign_response: bool
    attachment_no: int | None
    # Filled when the list query already counted the lines; else the loader counts.
    _no_of_lines: strawberry.Private[int | None] = None

    @classmethod
    def from_model(cls, header) -> Segment:
        values = model_values(cls, header)
        values["_no_of_lines"] = getattr(header, "no_of_lines", None)
        values["correspondence_type_default"] = option_or_none(
            CorrespondenceType, header.correspondence_type_default
        )
        values["information_flow"] = option_or_none(
            InformationFlow, header.information_flow
        )
        values["initiated_by"] = option_or_none(InitiatedBy, header.initiated_by)
        return cls(**values)

    @strawberry.field(description="Number of lines.")
    def no_of_lines(self, info: Info) -> int:
        if self._no_of_lines is not None:
            return self._no_of_lines
        return info.context.loaders.segment_line_count.get(self.no)

    @strawberry.field(description="Sum of the lines' cost.")
    def cost(self, info: Info) -> Decimal:
        totals = info.context.loaders.segment_line_totals.get(self.no)
        return totals.cost

    @strawberry.field(description="Sum of the lines' duration in minutes.")
    def duration(self, info: Info) -> Decimal:
        totals = info.context.loaders.segment_line_totals.get(self.no)
        return totals.duration

    @strawberry.field(description="Number of criteria actions that can be undone.")
    def no_of_criteria_actions(self, info: Info) -> int:
        return info.context.loaders.criteria_action_count.get(self.no)

    @strawberry.field(description="Lines by line no.")
    def lines(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SegmentLine]:
        loaders = info.context.loaders
        page = PageArgs.parse(
            first, after, last, before, info.context.settings.max_page_size
        )

        def count_total() -> int:
            return loaders.segment_line_count.get(self.no)

        return load_child_connection(
            loaders.segment_line_page,
            self.no,
            page,
            SegmentLine.from_model,
            count_total,
        )

    @strawberry.field(
        description="The criteria log: each action followed by its filters."
    )
    def criteria(self, info: Info) -> list[SegmentCriteriaLine]:
        lines = info.context.loaders.criteria_lines.get(self.no)
        return [SegmentCriteriaLine.from_model(line) for line in lines]

    @strawberry.field(
        description="The Word document of the default language, from the template."
    )
    def attachment(self, info: Info) -> Attachment | None:
        return attachment_of(info, self.attachment_no)

    @strawberry.field(
        description="Lines inserted or deleted, by action no. and line no."
    )
    def history(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SegmentHistoryEntry]:
        loaders = info.context.loaders
        page = PageArgs.parse(
            first, after, last, before, info.context.settings.max_page_size
        )

        def count_total() -> int:
            return loaders.segment_history_count.get(self.no)

        return load_child_connection(
            loaders.segment_history_page,
            self.no,
            page,
            SegmentHistoryEntry.from_model,
            count_total,
        )


@strawberry.type(
    description="Criteria saved under a code, to replay on other segments."
)
class SavedSegmentCriteria:
    code: str
    description: str
    user_id: str
    created_at: datetime | None

    @classmethod
    def from_model(cls, saved) -> SavedSegmentCriteria:
        return cls(**model_values(cls, saved))

    @strawberry.field(description="The saved criteria log, by line no.")
    def lines(self, info: Info) -> list[SegmentCriteriaLine]:
        lines = info.context.loaders.saved_criteria_lines.get(self.code)
        return [SegmentCriteriaLine.from_model(line) for line in lines]
