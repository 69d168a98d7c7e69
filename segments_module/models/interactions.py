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
