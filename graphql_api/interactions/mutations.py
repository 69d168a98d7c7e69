"""Mutations of interaction groups, templates and template languages."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry import UNSET

from segments_module.models import CorrespondenceType, InformationFlow, InitiatedBy
from segments_module.services import interactions as services

from ..context import Info
from ..errors import Error
from ..mutations import run_service
from ..types import input_values
from .types import InteractionGroup, InteractionTemplate, InteractionTemplateLanguage


@strawberry.input
class CreateInteractionGroupInput:
    code: str
    description: str | None = UNSET


@strawberry.input
class UpdateInteractionGroupInput:
    description: str | None = UNSET


@strawberry.input(description="Template fields shared by creating and updating.")
class InteractionTemplateFieldsInput:
    interaction_group_code: str | None = UNSET
    description: str | None = UNSET
    unit_cost: Decimal | None = UNSET
    unit_duration: Decimal | None = UNSET
    information_flow: InformationFlow | None = UNSET
    initiated_by: InitiatedBy | None = UNSET
    campaign_no: str | None = UNSET
    campaign_target: bool | None = UNSET
    campaign_response: bool | None = UNSET
    correspondence_type_default: CorrespondenceType | None = UNSET
    language_code_default: str | None = UNSET
    ignore_contact_corres_type: bool | None = UNSET


@strawberry.input
class CreateInteractionTemplateInput(InteractionTemplateFieldsInput):
    code: str


@strawberry.input
class UpdateInteractionTemplateInput(InteractionTemplateFieldsInput):
    pass


@strawberry.input
class InteractionTemplateLanguageInput:
    description: str | None = UNSET
    subject: str | None = UNSET
    attachment_no: int | None = UNSET


@strawberry.type
class InteractionGroupPayload:
    interaction_group: InteractionGroup | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class InteractionTemplatePayload:
    interaction_template: InteractionTemplate | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class InteractionTemplateLanguagePayload:
    interaction_template_language: InteractionTemplateLanguage | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type(description="Result of a delete: the code deleted, or errors.")
class DeletePayload:
    deleted_code: str | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


def _group_payload(group) -> InteractionGroupPayload:
    return InteractionGroupPayload(interaction_group=InteractionGroup.from_model(group))


def _template_payload(template) -> InteractionTemplatePayload:
    return InteractionTemplatePayload(
        interaction_template=InteractionTemplate.from_model(template)
    )


@strawberry.type
class InteractionMutations:
    @strawberry.mutation
    async def create_interaction_group(
        self, info: Info, input: CreateInteractionGroupInput
    ) -> InteractionGroupPayload:
        values = input_values(input)
        return await run_service(
            info,
            lambda env: services.create_interaction_group(env, values),
            _group_payload,
            InteractionGroupPayload,
        )

    @strawberry.mutation
    async def update_interaction_group(
        self, info: Info, code: str, input: UpdateInteractionGroupInput
    ) -> InteractionGroupPayload:
        values = input_values(input)
        return await run_service(
            info,
            lambda env: services.update_interaction_group(env, code, values),
            _group_payload,
            InteractionGroupPayload,
        )

    @strawberry.mutation(description="Delete a group that no template uses.")
    async def delete_interaction_group(self, info: Info, code: str) -> DeletePayload:
        return await run_service(
            info,
            lambda env: services.delete_interaction_group(env, code),
            lambda _: DeletePayload(deleted_code=code),
            DeletePayload,
        )

    @strawberry.mutation
    async def create_interaction_template(
        self, info: Info, input: CreateInteractionTemplateInput
    ) -> InteractionTemplatePayload:
        values = input_values(input)
        return await run_service(
            info,
            lambda env: services.create_interaction_template(env, values),
            _template_payload,
            InteractionTemplatePayload,
        )

    @strawberry.mutation
    async def update_interaction_template(
        self, info: Info, code: str, input: UpdateInteractionTemplateInput
    ) -> InteractionTemplatePayload:
        values = input_values(input)
        return await run_service(
            info,
            lambda env: services.update_interaction_template(env, code, values),
            _template_payload,
            InteractionTemplatePayload,
        )

    @strawberry.mutation(
        description="Delete a template that no log entry or open segment uses."
    )
    async def delete_interaction_template(self, info: Info, code: str) -> DeletePayload:
        return await run_service(
            info,
            lambda env: services.delete_interaction_template(env, code),
            lambda _: DeletePayload(deleted_code=code),
            DeletePayload,
        )

    @strawberry.mutation(description="Create or change one language of a template.")
    async def set_interaction_template_language(
        self,
        info: Info,
        template_code: str,
        language_code: str,
        input: InteractionTemplateLanguageInput,
    ) -> InteractionTemplateLanguagePayload:
        values = input_values(input)
        return await run_service(
            info,
            lambda env: services.set_template_language(
                env, template_code, language_code, values
            ),
            lambda language: InteractionTemplateLanguagePayload(
                interaction_template_language=InteractionTemplateLanguage.from_model(
                    language
                )
            ),
            InteractionTemplateLanguagePayload,
        )

    @strawberry.mutation
    async def delete_interaction_template_language(
        self, info: Info, template_code: str, language_code: str
    ) -> DeletePayload:
        return await run_service(
            info,
            lambda env: services.delete_template_language(
                env, template_code, language_code
            ),
            lambda _: DeletePayload(deleted_code=language_code),
            DeletePayload,
        )
