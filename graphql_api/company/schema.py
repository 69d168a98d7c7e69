"""Query and mutation of the user's own company."""

from __future__ import annotations

import strawberry

from segments_module.services import company as services

from ..context import Info
from ..errors import Error
from ..mutations import run_service
from ..types import input_values
from .types import CompanyInformation, CompanyInformationInput


@strawberry.type
class CompanyInformationPayload:
    company_information: CompanyInformation | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class CompanyQueries:
    @strawberry.field(description="Your company's details; blank until set up.")
    def company_information(self, info: Info) -> CompanyInformation:
        env = info.context.env(info.context.session)
        return CompanyInformation.from_model(services.get_company_information(env))


@strawberry.type
class CompanyMutations:
    @strawberry.mutation(description="Change your company's details.")
    async def update_company_information(
        self, info: Info, input: CompanyInformationInput
    ) -> CompanyInformationPayload:
        values = input_values(input)
        return await run_service(
            info,
            lambda env: services.update_company_information(env, values),
            lambda company: CompanyInformationPayload(
                company_information=CompanyInformation.from_model(company)
            ),
            CompanyInformationPayload,
        )
