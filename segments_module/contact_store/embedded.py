"""The default store: the module's own contact tables in the same database."""

from __future__ import annotations

from sqlalchemy import FromClause

from ..models import contacts as tables
from .base import REFERENCE_TABLES, RELATED_SOURCES, ContactStore

_RELATED = {
    "mailing_group": tables.ContactMailingGroup,
    "industry_group": tables.ContactIndustryGroup,
    "business_relation": tables.ContactBusinessRelation,
    "job_responsibility": tables.ContactJobResponsibility,
    "profile_answer": tables.ContactProfileAnswer,
}

_REFERENCE = {
    "salesperson": tables.Salesperson,
    "campaign": tables.Campaign,
    "language": tables.Language,
}


class EmbeddedContactStore(ContactStore):
    def contacts(self) -> FromClause:
        return tables.Contact.__table__

    def related(self, source: str) -> FromClause:
        if source not in RELATED_SOURCES:
            raise KeyError(f"unknown related source {source!r}")
        return _RELATED[source].__table__

    def reference(self, name: str) -> FromClause:
        if name not in REFERENCE_TABLES:
            raise KeyError(f"unknown reference table {name!r}")
        return _REFERENCE[name].__table__
