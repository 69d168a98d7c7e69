"""Inputs of the segment mutations; a field left out of a request is not changed."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import strawberry
from strawberry import UNSET

from segments_module.models import (
    CorrespondenceType,
    Evaluation,
    InformationFlow,
    InitiatedBy,
)
from segments_module.services.results import AddContactsOptions


@strawberry.input(
    description="Header fields shared by creating and updating a segment."
)
class SegmentFieldsInput:
    description: str | None = UNSET
    date: date | None = UNSET
    salesperson_code: str | None = UNSET
    interaction_template_code: str | None = strawberry.field(
        default=UNSET,
        description="Choosing a template copies its defaults into the header.",
    )
    interaction_group_code: str | None = UNSET
    language_code_default: str | None = UNSET
    subject_default: str | None = UNSET
    correspondence_type_default: CorrespondenceType | None = UNSET
    ignore_contact_corres_type: bool | None = UNSET
    send_word_docs_as_attachment: bool | None = UNSET
    information_flow: InformationFlow | None = UNSET
    initiated_by: InitiatedBy | None = UNSET
    unit_cost: Decimal | None = UNSET
    unit_duration: Decimal | None = UNSET
    campaign_no: str | None = UNSET
    campaign_target: bool | None = UNSET
    campaign_response: bool | None = UNSET
    attachment_no: int | None = UNSET


@strawberry.input
class CreateSegmentInput(SegmentFieldsInput):
    no: str | None = strawberry.field(
        default=UNSET, description="Leave out to take the next number of the series."
    )


@strawberry.input
class UpdateSegmentInput(SegmentFieldsInput):
    pass


@strawberry.input(description="Values a line may override for its contact.")
class SegmentLineInput:
    description: str | None = UNSET
    date: date | None = UNSET
    time: time | None = UNSET
    salesperson_code: str | None = UNSET
    interaction_template_code: str | None = UNSET
    language_code: str | None = UNSET
    subject: str | None = UNSET
    correspondence_type: CorrespondenceType | None = UNSET
    cost: Decimal | None = UNSET
    duration: Decimal | None = UNSET
    information_flow: InformationFlow | None = UNSET
    initiated_by: InitiatedBy | None = UNSET
    evaluation: Evaluation | None = UNSET
    attempt_failed: bool | None = UNSET
    campaign_no: str | None = UNSET
    campaign_target: bool | None = UNSET
    campaign_response: bool | None = UNSET
    attachment_no: int | None = strawberry.field(
        default=UNSET, description="Setting it makes the document unique to the line."
    )


@strawberry.input(
    name="AddContactsOptions",
    description="Options of Add Contacts; all off when left out.",
)
class AddContactsOptionsInput:
    allow_existing_contacts: bool = False
    expand_contact: bool = strawberry.field(
        default=False, description="Also add every contact of the matched companies."
    )
    allow_company_with_persons: bool = strawberry.field(
        default=False, description="Also add the company of each matched person."
    )
    ignore_exclusion: bool = strawberry.field(
        default=False,
        description="Add contacts marked Exclude from Segment too. Privacy blocked "
        "contacts are never added.",
    )

    def to_options(self) -> AddContactsOptions:
        return AddContactsOptions(
            allow_existing_contacts=self.allow_existing_contacts,
            expand_contact=self.expand_contact,
            allow_company_with_persons=self.allow_company_with_persons,
            ignore_exclusion=self.ignore_exclusion,
        )
