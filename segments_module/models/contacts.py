"""Tables of the embedded contact store, used when no host supplies contacts.

A host that owns its contacts maps its own tables through a ContactStore instead
(see segments_module.contact_store). Only the demo loader and the CSV importer write
to these tables.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import CODE, LONG_TEXT, TEXT, Base


def _contact_fk() -> ForeignKey:
    return ForeignKey("contact.no", ondelete="CASCADE")


class Contact(Base):
    __tablename__ = "contact"
    __model_name__ = "contact"

    no: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    type: Mapped[str] = mapped_column(String(10), default="Company")
    company_no: Mapped[str] = mapped_column(String(CODE), default="", index=True)
    name: Mapped[str] = mapped_column(String(TEXT), default="")
    company_name: Mapped[str] = mapped_column(String(TEXT), default="")
    address: Mapped[str] = mapped_column(String(TEXT), default="")
    address_2: Mapped[str] = mapped_column(String(50), default="")
    city: Mapped[str] = mapped_column(String(30), default="")
    post_code: Mapped[str] = mapped_column(String(CODE), default="")
    county: Mapped[str] = mapped_column(String(30), default="")
    country_code: Mapped[str] = mapped_column(String(10), default="")
    territory_code: Mapped[str] = mapped_column(String(10), default="")
    language_code: Mapped[str] = mapped_column(String(10), default="")
    salesperson_code: Mapped[str] = mapped_column(String(CODE), default="")
    job_title: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(80), default="")
    phone_no: Mapped[str] = mapped_column(String(30), default="")
    mobile_phone_no: Mapped[str] = mapped_column(String(30), default="")
    correspondence_type: Mapped[str] = mapped_column(String(10), default="")
    salutation_code: Mapped[str] = mapped_column(String(10), default="")
    exclude_from_segment: Mapped[bool] = mapped_column(default=False)
    privacy_blocked: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (Index(None, "country_code"),)


class MailingGroup(Base):
    __tablename__ = "mailing_group"
    __model_name__ = "mailing.group"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT), default="")


class ContactMailingGroup(Base):
    __tablename__ = "contact_mailing_group"
    __model_name__ = "contact.mailing.group"

    contact_no: Mapped[str] = mapped_column(_contact_fk(), primary_key=True)
    mailing_group_code: Mapped[str] = mapped_column(
        ForeignKey("mailing_group.code"), primary_key=True, index=True
    )


class IndustryGroup(Base):
    __tablename__ = "industry_group"
    __model_name__ = "industry.group"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT), default="")


class ContactIndustryGroup(Base):
    """An industry group held by a company contact."""

    __tablename__ = "contact_industry_group"
    __model_name__ = "contact.industry.group"

    contact_no: Mapped[str] = mapped_column(_contact_fk(), primary_key=True)
    industry_group_code: Mapped[str] = mapped_column(
        ForeignKey("industry_group.code"), primary_key=True, index=True
    )


class BusinessRelation(Base):
    __tablename__ = "business_relation"
    __model_name__ = "business.relation"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT), default="")


class ContactBusinessRelation(Base):
    """A business relation held by a company contact."""

    __tablename__ = "contact_business_relation"
    __model_name__ = "contact.business.relation"

    contact_no: Mapped[str] = mapped_column(_contact_fk(), primary_key=True)
    business_relation_code: Mapped[str] = mapped_column(
        ForeignKey("business_relation.code"), primary_key=True, index=True
    )


class JobResponsibility(Base):
    __tablename__ = "job_responsibility"
    __model_name__ = "job.responsibility"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT), default="")


class ContactJobResponsibility(Base):
    __tablename__ = "contact_job_responsibility"
    __model_name__ = "contact.job.responsibility"

    contact_no: Mapped[str] = mapped_column(_contact_fk(), primary_key=True)
    job_responsibility_code: Mapped[str] = mapped_column(
        ForeignKey("job_responsibility.code"), primary_key=True, index=True
    )


class ProfileQuestionnaire(Base):
    __tablename__ = "profile_questionnaire"
    __model_name__ = "profile.questionnaire"

    code: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT), default="")
    contact_type: Mapped[str] = mapped_column(String(10), default="")
    business_relation_code: Mapped[str] = mapped_column(String(10), default="")


class ProfileQuestionnaireLine(Base):
    """A question (type Question) or one of its answers (type Answer)."""

    __tablename__ = "profile_questionnaire_line"
    __model_name__ = "profile.questionnaire.line"

    questionnaire_code: Mapped[str] = mapped_column(
        ForeignKey("profile_questionnaire.code", ondelete="CASCADE"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(10), default="Answer")
    description: Mapped[str] = mapped_column(String(LONG_TEXT), default="")


class ContactProfileAnswer(Base):
    __tablename__ = "contact_profile_answer"
    __model_name__ = "contact.profile.answer"

    contact_no: Mapped[str] = mapped_column(_contact_fk(), primary_key=True)
    questionnaire_code: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    line_no: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)

    __table_args__ = (Index(None, "questionnaire_code", "line_no"),)


class Salesperson(Base):
    __tablename__ = "salesperson"
    __model_name__ = "salesperson.purchaser"

    code: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    name: Mapped[str] = mapped_column(String(50), default="")
    job_title: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(80), default="")
    phone_no: Mapped[str] = mapped_column(String(30), default="")


class Campaign(Base):
    __tablename__ = "campaign"
    __model_name__ = "campaign"

    no: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT), default="")
    starting_date: Mapped[date | None]
    ending_date: Mapped[date | None]
    salesperson_code: Mapped[str] = mapped_column(String(CODE), default="")


class Language(Base):
    __tablename__ = "language"
    __model_name__ = "language"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(50), default="")
