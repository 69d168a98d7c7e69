"""Segment worksheet: header, lines, criteria log, saved criteria and history."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import CODE, TEXT, Base


class SegmentLineValues:
    """Interaction fields of a segment line, shared with the history snapshot."""

    contact_no: Mapped[str | None] = mapped_column(String(CODE))
    contact_company_no: Mapped[str | None] = mapped_column(String(CODE))
    description: Mapped[str | None] = mapped_column(String(TEXT))
    date: Mapped[date | None]
    time: Mapped[time | None]
    salesperson_code: Mapped[str | None] = mapped_column(String(CODE))
    interaction_template_code: Mapped[str | None] = mapped_column(String(10))
    interaction_group_code: Mapped[str | None] = mapped_column(String(10))
    language_code: Mapped[str | None] = mapped_column(String(10))
    subject: Mapped[str | None] = mapped_column(String(TEXT))
    correspondence_type: Mapped[str | None] = mapped_column(String(10))
    # Why the correspondence type fell back to blank, e.g. no e-mail address.
    correspondence_type_note: Mapped[str | None] = mapped_column(String(TEXT))
    contact_via: Mapped[str | None] = mapped_column(String(80))
    cost: Mapped[Decimal | None]
    duration: Mapped[Decimal | None]
    information_flow: Mapped[str | None] = mapped_column(String(10))
    initiated_by: Mapped[str | None] = mapped_column(String(10))
    evaluation: Mapped[str | None] = mapped_column(String(20))
    attempt_failed: Mapped[bool | None]
    campaign_no: Mapped[str | None] = mapped_column(String(CODE))
    campaign_target: Mapped[bool | None]
    campaign_response: Mapped[bool | None]
    send_word_doc_as_attachment: Mapped[bool | None]
    attachment_no: Mapped[int | None]
    # True when the line's attachment is its own personalised copy.
    attachment_is_unique: Mapped[bool | None]


class SegmentHeader(Base):
    __tablename__ = "segment_header"
    __model_name__ = "segment.header"

    no: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT), default="")
    date: Mapped[date | None]
    salesperson_code: Mapped[str] = mapped_column(String(CODE), default="")
    interaction_template_code: Mapped[str] = mapped_column(String(10), default="")
    interaction_group_code: Mapped[str] = mapped_column(String(10), default="")
    language_code_default: Mapped[str] = mapped_column(String(10), default="")
    subject_default: Mapped[str] = mapped_column(String(TEXT), default="")
    correspondence_type_default: Mapped[str] = mapped_column(String(10), default="")
    ignore_contact_corres_type: Mapped[bool] = mapped_column(default=False)
    send_word_docs_as_attachment: Mapped[bool] = mapped_column(default=False)
    information_flow: Mapped[str] = mapped_column(String(10), default="")
    initiated_by: Mapped[str] = mapped_column(String(10), default="")
    unit_cost: Mapped[Decimal] = mapped_column(default=Decimal(0))
    unit_duration: Mapped[Decimal] = mapped_column(default=Decimal(0))
    campaign_no: Mapped[str] = mapped_column(String(CODE), default="")
    campaign_target: Mapped[bool] = mapped_column(default=False)
    campaign_response: Mapped[bool] = mapped_column(default=False)
    attachment_no: Mapped[int | None]
    created_by: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime | None]
    # Bumped by every criteria action and by logging, so concurrent writers serialise.
    version: Mapped[int] = mapped_column(default=0)


class SegmentLine(SegmentLineValues, Base):
    __tablename__ = "segment_line"
    __model_name__ = "segment.line"

    segment_no: Mapped[str] = mapped_column(
        ForeignKey("segment_header.no", ondelete="CASCADE"), primary_key=True
    )
    # 64-bit: steps of 10000 pass a 32-bit integer after 214,748 lines.
    line_no: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False
    )

    __table_args__ = (Index(None, "segment_no", "contact_no"),)


class CriteriaLineColumns:
    """Columns of a criteria line, shared by segments and saved criteria."""

    line_no: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(10))
    action_no: Mapped[int]
    action: Mapped[str] = mapped_column(String(30))
    allow_existing_contacts: Mapped[bool] = mapped_column(default=False)
    expand_contact: Mapped[bool] = mapped_column(default=False)
    allow_company_with_persons: Mapped[bool] = mapped_column(default=False)
    ignore_exclusion: Mapped[bool] = mapped_column(default=False)
    entire_companies: Mapped[bool] = mapped_column(default=False)
    # Action lines: the whole criteria tree as JSON, replayed by Reuse Criteria.
    criteria_json: Mapped[str] = mapped_column(Text, default="")
    # Filter lines: where the filter sits in the tree, its source, field and text.
    path: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(30), default="")
    field: Mapped[str] = mapped_column(String(30), default="")
    filter: Mapped[str] = mapped_column(Text, default="")
    view: Mapped[str] = mapped_column(Text, default="")
    # True for actions recorded by manual line edits; Refresh keeps their effect.
    manual: Mapped[bool] = mapped_column(default=False)


class SegmentCriteriaLine(CriteriaLineColumns, Base):
    __tablename__ = "segment_criteria_line"
    __model_name__ = "segment.criteria.line"

    segment_no: Mapped[str] = mapped_column(
        ForeignKey("segment_header.no", ondelete="CASCADE"), primary_key=True
    )


class SavedSegmentCriteria(Base):
    __tablename__ = "saved_segment_criteria"
    __model_name__ = "saved.segment.criteria"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    description: Mapped[str] = mapped_column(String(TEXT), default="")
    user_id: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime | None]


class SavedSegmentCriteriaLine(CriteriaLineColumns, Base):
    __tablename__ = "saved_segment_criteria_line"
    __model_name__ = "saved.segment.criteria.line"

    code: Mapped[str] = mapped_column(
        ForeignKey("saved_segment_criteria.code", ondelete="CASCADE"), primary_key=True
    )


class SegmentHistory(SegmentLineValues, Base):
    """A line that a criteria action inserted or deleted.

    Delete rows keep the line's former values so that Go Back restores it exactly.
    """

    __tablename__ = "segment_history"
    __model_name__ = "segment.history"

    segment_no: Mapped[str] = mapped_column(
        ForeignKey("segment_header.no", ondelete="CASCADE"), primary_key=True
    )
    action_no: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    line_no: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False
    )
    kind: Mapped[str] = mapped_column(String(10))


# The columns a line copies into its history snapshot and back on Go Back.
LINE_VALUE_COLUMNS: tuple[str, ...] = tuple(
    column.name
    for column in SegmentLine.__table__.columns
    if column.name not in ("segment_no", "line_no")
)
