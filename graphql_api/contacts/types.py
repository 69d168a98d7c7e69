"""A contact as the contact store returns it."""

from __future__ import annotations

import strawberry

from segments_module.models.base import ContactType, CorrespondenceType

from ..enums import option_or_none
from ..types import model_values


@strawberry.type(description="A contact of the host application.")
class Contact:
    no: str
    type: ContactType | None
    company_no: str
    name: str
    company_name: str
    address: str
    address_2: str
    city: str
    post_code: str
    county: str
    country_code: str
    territory_code: str
    language_code: str
    salesperson_code: str
    job_title: str
    email: str
    phone_no: str
    mobile_phone_no: str
    correspondence_type: CorrespondenceType | None
    salutation_code: str
    exclude_from_segment: bool
    privacy_blocked: bool

    @classmethod
    def from_row(cls, row) -> Contact:
        values = model_values(cls, row)
        values["type"] = option_or_none(ContactType, row.type)
        values["correspondence_type"] = option_or_none(
            CorrespondenceType, row.correspondence_type
        )
        return cls(**values)
