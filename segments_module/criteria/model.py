"""The criteria a user gives to Add, Reduce and Refine, as a nested tree.

A node matches a contact when every filter of its own matches (AND across sources,
"at least one row" within a source), every `all_of` child matches, at least one
`any_of` child matches (when there are any), and its `not_` child does not match.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

FieldKind = Literal["text", "option", "integer", "date", "boolean"]


@dataclass(frozen=True)
class FieldInfo:
    """A filterable field: its column in the source, its BC caption and its kind."""

    column: str
    caption: str
    kind: FieldKind = "text"
    options: tuple[str, ...] = ()


CONTACT_FIELDS: dict[str, FieldInfo] = {
    "no": FieldInfo("no", "No."),
    "name": FieldInfo("name", "Name"),
    "type": FieldInfo("type", "Type", "option", ("Company", "Person")),
    "company_no": FieldInfo("company_no", "Company No."),
    "salesperson_code": FieldInfo("salesperson_code", "Salesperson Code"),
    "country_code": FieldInfo("country_code", "Country/Region Code"),
    "city": FieldInfo("city", "City"),
    "post_code": FieldInfo("post_code", "Post Code"),
    "territory_code": FieldInfo("territory_code", "Territory Code"),
    "language_code": FieldInfo("language_code", "Language Code"),
    "job_title": FieldInfo("job_title", "Job Title"),
    "correspondence_type": FieldInfo(
        "correspondence_type",
        "Correspondence Type",
        "option",
        ("", "Hard Copy", "Email"),
    ),
}

PROFILE_ANSWER_FIELDS: dict[str, FieldInfo] = {
    "questionnaire_code": FieldInfo("questionnaire_code", "Profile Questionnaire Code"),
    "line_no": FieldInfo("line_no", "Answer Line No.", "integer"),
}

INTERACTION_FIELDS: dict[str, FieldInfo] = {
    "date": FieldInfo("date", "Date", "date"),
    "segment_no": FieldInfo("segment_no", "Segment No."),
    "campaign_no": FieldInfo("campaign_no", "Campaign No."),
    "evaluation": FieldInfo(
        "evaluation",
        "Evaluation",
        "option",
        ("", "Very Positive", "Positive", "Neutral", "Negative", "Very Negative"),
    ),
    "template_code": FieldInfo(
        "interaction_template_code", "Interaction Template Code"
    ),
    "salesperson_code": FieldInfo("salesperson_code", "Salesperson Code"),
    "canceled": FieldInfo("canceled", "Canceled", "boolean"),
}

# Sources with a single code field: name -> (column in the related rows, caption,
# whether the rows belong to the contact's company rather than the contact).
CODE_SOURCES: dict[str, tuple[FieldInfo, bool]] = {
    "mailing_group": (FieldInfo("mailing_group_code", "Mailing Group Code"), False),
    "industry_group": (FieldInfo("industry_group_code", "Industry Group Code"), True),
    "business_relation": (
        FieldInfo("business_relation_code", "Business Relation Code"),
        True,
    ),
    "job_responsibility": (
        FieldInfo("job_responsibility_code", "Job Responsibility Code"),
        False,
    ),
}

SOURCE_CAPTIONS = {
    "contact": "Contact",
    "mailing_group": "Contact Mailing Group",
    "industry_group": "Contact Industry Group",
    "business_relation": "Contact Business Relation",
    "job_responsibility": "Contact Job Responsibility",
    "profile_answer": "Contact Profile Answer",
    "interaction": "Interaction Log Entry",
}


@dataclass
class ContactCriteria:
    """A criteria node. Dict values are filter strings in the BC filter syntax."""

    contact: dict[str, str] = field(default_factory=dict)
    mailing_group: str | None = None
    industry_group: str | None = None
    business_relation: str | None = None
    job_responsibility: str | None = None
    profile_answer: dict[str, str] | None = None
    interaction: dict[str, str] | None = None
    all_of: list[ContactCriteria] = field(default_factory=list)
    any_of: list[ContactCriteria] = field(default_factory=list)
    not_: ContactCriteria | None = None

    def is_empty(self) -> bool:
        """Return True when the node filters nothing: it then matches every contact."""
        return (
            not any(self.contact.values())
            and not any(getattr(self, name) for name in CODE_SOURCES)
            and not (self.profile_answer and any(self.profile_answer.values()))
            and not (self.interaction and any(self.interaction.values()))
            and all(child.is_empty() for child in self.all_of)
            and not self.any_of
            and self.not_ is None
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.contact:
            data["contact"] = dict(self.contact)
        for name in CODE_SOURCES:
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.profile_answer:
            data["profile_answer"] = dict(self.profile_answer)
        if self.interaction:
            data["interaction"] = dict(self.interaction)
        if self.all_of:
            data["all_of"] = [child.to_dict() for child in self.all_of]
        if self.any_of:
            data["any_of"] = [child.to_dict() for child in self.any_of]
        if self.not_ is not None:
            data["not"] = self.not_.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ContactCriteria:
        return cls(
            contact=dict(data.get("contact") or {}),
            **{name: data.get(name) for name in CODE_SOURCES},
            profile_answer=data.get("profile_answer"),
            interaction=data.get("interaction"),
            all_of=[cls.from_dict(child) for child in data.get("all_of", [])],
            any_of=[cls.from_dict(child) for child in data.get("any_of", [])],
            not_=cls.from_dict(data["not"]) if data.get("not") is not None else None,
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ContactCriteria:
        return cls.from_dict(json.loads(text) if text else {})
