"""Interaction groups, templates with their languages, and stored attachments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import CODE, TEXT, Base


class InteractionGroup(Base):
    __tablename__ = "interaction_group"
    __model_name__ = "interaction.group"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT), default="")


class InteractionTemplate(Base):
    __tablename__ = "interaction_template"
    __model_name__ = "interaction.template"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    interaction_group_code: Mapped[str] = mapped_column(
        ForeignKey("interaction_group.code"), index=True
    )
    description: Mapped[str] = mapped_column(String(TEXT), default="")
    unit_cost: Mapped[Decimal] = mapped_column(default=Decimal(0))
    unit_duration: Mapped[Decimal] = mapped_column(default=Decimal(0))
    information_flow: Mapped[str] = mapped_column(String(10), default="")
    initiated_by: Mapped[str] = mapped_column(String(10), default="")
    campaign_no: Mapped[str] = mapped_column(String(CODE), default="")
    campaign_target: Mapped[bool] = mapped_column(default=False)
    campaign_response: Mapped[bool] = mapped_column(default=False)
    correspondence_type_default: Mapped[str] = mapped_column(String(10), default="")
    language_code_default: Mapped[str] = mapped_column(String(10), default="")
    ignore_contact_corres_type: Mapped[bool] = mapped_column(default=False)


class InteractionTemplateLanguage(Base):
    """One language of a template, with its own description, subject and document."""

    __tablename__ = "interaction_template_language"
    __model_name__ = "interaction.template.language"

    interaction_template_code: Mapped[str] = mapped_column(
        ForeignKey("interaction_template.code", ondelete="CASCADE"), primary_key=True
    )
    language_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT), default="")
    subject: Mapped[str] = mapped_column(String(TEXT), default="")
    attachment_no: Mapped[int | None] = mapped_column(ForeignKey("attachment.no"))


class Attachment(Base):
    """A stored file: a Word template or a merged document.

    The bytes are in ``content`` when the database stores files, or in the file
    ``storage_path`` names, relative to the configured attachment folder.
    """

    __tablename__ = "attachment"
    __model_name__ = "attachment"
    # SQLite would otherwise give a deleted attachment's number to the next one.
    __table_args__ = {"sqlite_autoincrement": True}

    no: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(250), default="")
    file_extension: Mapped[str] = mapped_column(String(10), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    storage_path: Mapped[str] = mapped_column(String(500), default="")
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    # Set once a logged interaction uses the file; it can then never change.
    read_only: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(50), default="")


class SalutationFormula(Base):
    """How a salutation code greets a contact in one language, formally or not.

    ``salutation`` contains %1 to %5, filled with the contact's name parts that
    ``name_1`` to ``name_5`` select: 1 job title, 2 first name, 3 middle name,
    4 surname, 5 initials, 6 company name, 0 nothing (Business Central's codes).
    """

    __tablename__ = "salutation_formula"
    __model_name__ = "salutation.formula"

    salutation_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    # Blank is the formula for languages that have none of their own.
    language_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    # "Formal" or "Informal"
    salutation_type: Mapped[str] = mapped_column(String(10), primary_key=True)
    salutation: Mapped[str] = mapped_column(String(50), default="")
    name_1: Mapped[int] = mapped_column(default=0)
    name_2: Mapped[int] = mapped_column(default=0)
    name_3: Mapped[int] = mapped_column(default=0)
    name_4: Mapped[int] = mapped_column(default=0)
    name_5: Mapped[int] = mapped_column(default=0)
