"""Logged segments and the interaction log, an append-only ledger."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import CODE, LONG_TEXT, TEXT, Base


class LoggedSegment(Base):
    __tablename__ = "logged_segment"
    __model_name__ = "logged.segment"

    entry_no: Mapped[int] = mapped_column(primary_key=True)
    # Unique: the database itself guarantees that a segment is logged once.
    segment_no: Mapped[str] = mapped_column(String(CODE), unique=True)
    description: Mapped[str] = mapped_column(String(TEXT), default="")
    creation_date: Mapped[date]
    created_at: Mapped[datetime]
    user_id: Mapped[str] = mapped_column(String(50), default="")
    campaign_no: Mapped[str] = mapped_column(String(CODE), default="")
    canceled: Mapped[bool] = mapped_column(default=False)


class InteractionLogEntry(Base):
    __tablename__ = "interaction_log_entry"
    __model_name__ = "interaction.log.entry"

    entry_no: Mapped[int] = mapped_column(primary_key=True)
    contact_no: Mapped[str] = mapped_column(String(CODE), index=True)
    contact_company_no: Mapped[str] = mapped_column(String(CODE), default="")
    date: Mapped[date | None]
    time: Mapped[time | None]
    description: Mapped[str] = mapped_column(String(TEXT), default="")
    subject: Mapped[str] = mapped_column(String(TEXT), default="")
    information_flow: Mapped[str] = mapped_column(String(10), default="")
    initiated_by: Mapped[str] = mapped_column(String(10), default="")
    attempt_failed: Mapped[bool] = mapped_column(default=False)
    evaluation: Mapped[str] = mapped_column(String(20), default="")
    language_code: Mapped[str] = mapped_column(String(10), default="")
    correspondence_type: Mapped[str] = mapped_column(String(10), default="")
    contact_via: Mapped[str] = mapped_column(String(80), default="")
    attachment_no: Mapped[int | None]
    interaction_group_code: Mapped[str] = mapped_column(String(10), default="")
    interaction_template_code: Mapped[str] = mapped_column(String(10), default="")
    salesperson_code: Mapped[str] = mapped_column(String(CODE), default="")
    user_id: Mapped[str] = mapped_column(String(50), default="")
    cost: Mapped[Decimal] = mapped_column(default=Decimal(0))
    duration: Mapped[Decimal] = mapped_column(default=Decimal(0))
    campaign_no: Mapped[str] = mapped_column(String(CODE), default="")
    campaign_target: Mapped[bool] = mapped_column(default=False)
    campaign_response: Mapped[bool] = mapped_column(default=False)
    segment_no: Mapped[str] = mapped_column(String(CODE), default="", index=True)
    logged_segment_entry_no: Mapped[int | None] = mapped_column(
        ForeignKey("logged_segment.entry_no")
    )
    delivery_status: Mapped[str] = mapped_column(String(12), default="")
    # Why the last delivery failed or is unconfirmed; blank once delivered.
    delivery_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None]
    # The contact's merged document, stored when the segment is logged with delivery.
    merged_attachment_no: Mapped[int | None]
    # E-mail the document as a .docx attachment instead of as the message body.
    send_word_doc_as_attachment: Mapped[bool] = mapped_column(default=False)
    # The job that last claimed the entry for delivery, so two jobs never send it both.
    delivery_job_id: Mapped[int | None]
    canceled: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        Index(None, "logged_segment_entry_no", "entry_no"),
        Index(None, "delivery_status"),
    )


class NumberSeries(Base):
    """A number series such as SM10001, SM10002, ... for segment numbers."""

    __tablename__ = "number_series"
    __model_name__ = "number.series"

    code: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    last_no_used: Mapped[str] = mapped_column(String(CODE), default="")


class CompanyInformation(Base):
    """The user's own company, whose details letters carry (one row, key 1)."""

    __tablename__ = "company_information"
    __model_name__ = "company.information"

    key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(TEXT), default="")
    address: Mapped[str] = mapped_column(String(TEXT), default="")
    address_2: Mapped[str] = mapped_column(String(50), default="")
    post_code: Mapped[str] = mapped_column(String(CODE), default="")
    city: Mapped[str] = mapped_column(String(30), default="")
    county: Mapped[str] = mapped_column(String(30), default="")
    country_code: Mapped[str] = mapped_column(String(10), default="")
    phone_no: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(80), default="")
    vat_registration_no: Mapped[str] = mapped_column(String(CODE), default="")


class Job(Base):
    """A merge or delivery run, with progress a client can follow."""

    __tablename__ = "job"
    __model_name__ = "segment.job"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # queued, running, done or failed
    status: Mapped[str] = mapped_column(String(12), default="queued")
    segment_no: Mapped[str] = mapped_column(String(CODE), default="")
    logged_segment_entry_no: Mapped[int | None]
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(LONG_TEXT), default="")
    # Outputs: the combined document, its PDF and the zip of per-contact files.
    result_attachment_no: Mapped[int | None]
    pdf_attachment_no: Mapped[int | None]
    zip_attachment_no: Mapped[int | None]
    warnings: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime]
    # Written with every progress update; a queued or running job whose heartbeat
    # is old was cut off, e.g. by a server restart.
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
