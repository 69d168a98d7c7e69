"""The contact store interface between the module and its host.

A store hands the module SQL selectables with fixed column names, so that criteria
compile to one statement that runs inside the host's database. A host maps its own
tables (an Odoo `res_partner`, say) by returning a `select(...).subquery()` that
labels its columns with these names.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from sqlalchemy import FromClause

# Columns every contacts selectable must offer.
CONTACT_COLUMNS: tuple[str, ...] = (
    "no",
    "type",  # "Company" or "Person"
    "company_no",  # a person's company; a company points to itself
    "name",
    "company_name",
    "address",
    "address_2",
    "city",
    "post_code",
    "county",
    "country_code",
    "territory_code",
    "language_code",
    "salesperson_code",
    "job_title",
    "email",
    "phone_no",
    "mobile_phone_no",
    "correspondence_type",  # "", "Hard Copy" or "Email"
    "salutation_code",
    "exclude_from_segment",
    "privacy_blocked",
)

# Related row sources and the columns each offers besides contact_no.
RELATED_SOURCES: dict[str, tuple[str, ...]] = {
    "mailing_group": ("mailing_group_code",),
    "industry_group": ("industry_group_code",),
    "business_relation": ("business_relation_code",),
    "job_responsibility": ("job_responsibility_code",),
    "profile_answer": ("questionnaire_code", "line_no"),
}

# Reference tables the module validates codes against: name -> key column.
REFERENCE_TABLES: dict[str, str] = {
    "salesperson": "code",  # also offers name, job_title, email, phone_no
    "campaign": "no",  # also offers description
    "language": "code",
}


class ContactStore(ABC):
    """The source of contacts and their related rows."""

    @abstractmethod
    def contacts(self) -> FromClause:
        """Return a selectable of contacts with the columns in CONTACT_COLUMNS."""

    @abstractmethod
    def related(self, source: str) -> FromClause:
        """Return rows of a related source: contact_no plus RELATED_SOURCES[source]."""

    @abstractmethod
    def reference(self, name: str) -> FromClause:
        """Return a reference table named in REFERENCE_TABLES."""
