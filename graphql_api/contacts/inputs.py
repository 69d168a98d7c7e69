"""The criteria input of Add, Reduce and Refine, and its conversion to the model.

Every value is a filter in the Business Central filter syntax (`GB|US`, `10..20`,
`<>X`, `CT1*`, `''`, `@smith`); a null or empty value filters nothing.
"""

from __future__ import annotations

import dataclasses

import strawberry

from segments_module.criteria.model import ContactCriteria


@strawberry.input(description="Filters on the contact's own fields.")
class ContactFilterInput:
    no: str | None = None
    name: str | None = None
    type: str | None = None
    company_no: str | None = None
    salesperson_code: str | None = None
    country_code: str | None = None
    city: str | None = None
    post_code: str | None = None
    territory_code: str | None = None
    language_code: str | None = None
    job_title: str | None = None
    correspondence_type: str | None = None


@strawberry.input(
    description="A contact matches when it has a matching profile answer."
)
class ProfileAnswerFilterInput:
    questionnaire_code: str | None = None
    line_no: str | None = None


@strawberry.input(description="A contact matches when it has a matching log entry.")
class InteractionFilterInput:
    date: str | None = None
    segment_no: str | None = None
    campaign_no: str | None = None
    evaluation: str | None = None
    template_code: str | None = None
    salesperson_code: str | None = None
    canceled: str | None = None


@strawberry.input(
    description=(
        "A criteria node: its own filters (AND across sources), every allOf node, "
        "at least one anyOf node, and not the `not` node."
    )
)
class ContactCriteriaInput:
    contact: ContactFilterInput | None = None
    mailing_group: str | None = None
    industry_group: str | None = strawberry.field(
        default=None, description="Held by the contact's company."
    )
    business_relation: str | None = strawberry.field(
        default=None, description="Held by the contact's company."
    )
    job_responsibility: str | None = None
    profile_answer: ProfileAnswerFilterInput | None = None
    interaction: InteractionFilterInput | None = None
    all_of: list[ContactCriteriaInput] | None = None
    any_of: list[ContactCriteriaInput] | None = None
    not_: ContactCriteriaInput | None = strawberry.field(name="not", default=None)

    def to_criteria(self) -> ContactCriteria:
        return ContactCriteria(
            contact=_set_filters(self.contact) or {},
            mailing_group=self.mailing_group,
            industry_group=self.industry_group,
            business_relation=self.business_relation,
            job_responsibility=self.job_responsibility,
            profile_answer=_set_filters(self.profile_answer),
            interaction=_set_filters(self.interaction),
            all_of=[child.to_criteria() for child in self.all_of or []],
            any_of=[child.to_criteria() for child in self.any_of or []],
            not_=self.not_.to_criteria() if self.not_ is not None else None,
        )


def _set_filters(filters: object | None) -> dict[str, str] | None:
    if filters is None:
        return None
    return {
        field.name: getattr(filters, field.name)
        for field in dataclasses.fields(filters)
        if getattr(filters, field.name) is not None
    }
