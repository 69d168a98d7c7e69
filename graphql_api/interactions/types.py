"""GraphQL types of interaction groups, templates and log entries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import strawberry

from segments_module.models import (
    CorrespondenceType,
    DeliveryStatus,
    Evaluation,
    InformationFlow,
    InitiatedBy,
)

from ..attachments.types import Attachment, attachment_of
from ..context import Info
from ..enums import option_or_none
from ..types import model_values


@strawberry.type
class InteractionGroup:
    code: str
    description: str

    @classmethod
    def from_model(cls, group) -> InteractionGroup:
        return cls(**model_values(cls, group))


@strawberry.type(
    description="A template's description, subject and document in one language."
)
class InteractionTemplateLanguage:
    interaction_template_code: str
    language_code: str
    description: str
    subject: str
    attachment_no: int | None

    @classmethod
    def from_model(cls, language) -> InteractionTemplateLanguage:
        return cls(**model_values(cls, language))

    @strawberry.field(description="The Word document of this language.")
    def attachment(self, info: Info) -> Attachment | None:
        return attachment_of(info, self.attachment_no)


@strawberry.type(description="Default values of an interaction, copied into segments.")
class InteractionTemplate:
    code: str
    interaction_group_code: str
    description: str
    unit_cost: Decimal
    unit_duration: Decimal
    information_flow: InformationFlow | None
    initiated_by: InitiatedBy | None
    campaign_no: str
    campaign_target: bool
    campaign_response: bool
    correspondence_type_default: CorrespondenceType | None
    language_code_default: str
    ignore_contact_corres_type: bool

    @classmethod
    def from_model(cls, template) -> InteractionTemplate:
        values = model_values(cls, template)
        values["information_flow"] = option_or_none(
            InformationFlow, template.information_flow
        )
        values["initiated_by"] = option_or_none(InitiatedBy, template.initiated_by)
        values["correspondence_type_default"] = option_or_none(
            CorrespondenceType, template.correspondence_type_default
        )
        return cls(**values)

    @strawberry.field(description="The template's languages, by language code.")
    def languages(self, info: Info) -> list[InteractionTemplateLanguage]:
        rows = info.context.loaders.template_languages.get(self.code)
        return [InteractionTemplateLanguage.from_model(row) for row in rows]


@strawberry.type(description="One logged interaction with a contact; never deleted.")
class InteractionLogEntry:
    entry_no: int
    contact_no: str
    contact_company_no: str
    date: date | None
    time: time | None
    description: str
    subject: str
    information_flow: InformationFlow | None
    initiated_by: InitiatedBy | None
    attempt_failed: bool
    evaluation: Evaluation | None
    language_code: str
    correspondence_type: CorrespondenceType | None
    contact_via: str
    attachment_no: int | None
    interaction_group_code: str
    interaction_template_code: str
    salesperson_code: str
    user_id: str
    cost: Decimal
    duration: Decimal
    campaign_no: str
    campaign_target: bool
    campaign_response: bool
    segment_no: str
    logged_segment_entry_no: int | None
    delivery_status: DeliveryStatus | None
    delivery_error: str = strawberry.field(
        description="Why the last delivery failed; blank unless the status is Error."
    )
    delivered_at: datetime | None = strawberry.field(
        description="When the letter was sent or printed; null until then."
    )
    send_word_doc_as_attachment: bool = strawberry.field(
        description="The e-mail carried the letter as a .docx attachment rather "
        "than as its HTML body."
    )
    merged_attachment_no: int | None = strawberry.field(
        description="Number of mergedDocument, for clients that store numbers."
    )
    canceled: bool

    @classmethod
    def from_model(cls, entry) -> InteractionLogEntry:
        values = model_values(cls, entry)
        values["information_flow"] = option_or_none(
            InformationFlow, entry.information_flow
        )
        values["initiated_by"] = option_or_none(InitiatedBy, entry.initiated_by)
        values["evaluation"] = option_or_none(Evaluation, entry.evaluation)
        values["correspondence_type"] = option_or_none(
            CorrespondenceType, entry.correspondence_type
        )
        values["delivery_status"] = option_or_none(
            DeliveryStatus, entry.delivery_status
        )
        return cls(**values)

    @classmethod
    def converter(cls, info: Info) -> Callable[[Any], InteractionLogEntry]:
        """Return from_model that also queues the entry's documents for one batch."""
        loader = info.context.loaders.attachment_by_no

        def convert(entry) -> InteractionLogEntry:
            loader.prime(
                no
                for no in (entry.attachment_no, entry.merged_attachment_no)
                if no is not None
            )
            return cls.from_model(entry)

        return convert

    @strawberry.field(description="The Word template the interaction used.")
    def attachment(self, info: Info) -> Attachment | None:
        return attachment_of(info, self.attachment_no)

    @strawberry.field(
        description="The contact's merged letter, stored when it was delivered."
    )
    def merged_document(self, info: Info) -> Attachment | None:
        return attachment_of(info, self.merged_attachment_no)
