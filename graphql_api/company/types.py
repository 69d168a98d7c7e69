"""The GraphQL type of the user's own company."""

from __future__ import annotations

import strawberry
from strawberry import UNSET

from ..types import model_values


@strawberry.type(
    description="Your own company, whose details letters show through the "
    "Company_Information_* merge fields."
)
class CompanyInformation:
    name: str
    address: str
    address_2: str
    post_code: str
    city: str
    county: str
    country_code: str
    phone_no: str
    email: str
    vat_registration_no: str

    @classmethod
    def from_model(cls, company) -> CompanyInformation:
        return cls(**model_values(cls, company))


@strawberry.input(description="Fields to change; a field left out keeps its value.")
class CompanyInformationInput:
    name: str | None = UNSET
    address: str | None = UNSET
    address_2: str | None = UNSET
    post_code: str | None = UNSET
    city: str | None = UNSET
    county: str | None = UNSET
    country_code: str | None = UNSET
    phone_no: str | None = UNSET
    email: str | None = UNSET
    vat_registration_no: str | None = UNSET
