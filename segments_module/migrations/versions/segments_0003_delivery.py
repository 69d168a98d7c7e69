"""Add what Word merge and delivery store.

Attachments get a content type, a checksum and their creator. Interaction log
entries get the delivery error, time and merged document. New tables hold the
user's company information, salutation formulas, and merge and delivery jobs.
Columns added to existing tables have a server default, so rows written before
this revision stay valid.

Revision ID: segments_0003
Revises: segments_0002
Create Date: 2026-12-04 17:10:50.076861
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "segments_0003"
down_revision: str | Sequence[str] | None = "segments_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "company_information",
        sa.Column("key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=100), nullable=False),
        sa.Column("address_2", sa.String(length=50), nullable=False),
        sa.Column("post_code", sa.String(length=20), nullable=False),
        sa.Column("city", sa.String(length=30), nullable=False),
        sa.Column("county", sa.String(length=30), nullable=False),
        sa.Column("country_code", sa.String(length=10), nullable=False),
        sa.Column("phone_no", sa.String(length=30), nullable=False),
        sa.Column("email", sa.String(length=80), nullable=False),
        sa.Column("vat_registration_no", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_company_information")),
    )
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("segment_no", sa.String(length=20), nullable=False),
        sa.Column("logged_segment_entry_no", sa.Integer(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=250), nullable=False),
        sa.Column("result_attachment_no", sa.Integer(), nullable=True),
        sa.Column("pdf_attachment_no", sa.Integer(), nullable=True),
        sa.Column("zip_attachment_no", sa.Integer(), nullable=True),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("user_id", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "salutation_formula",
        sa.Column("salutation_code", sa.String(length=10), nullable=False),
        sa.Column("language_code", sa.String(length=10), nullable=False),
        sa.Column("salutation_type", sa.String(length=10), nullable=False),
        sa.Column("salutation", sa.String(length=50), nullable=False),
        sa.Column("name_1", sa.Integer(), nullable=False),
        sa.Column("name_2", sa.Integer(), nullable=False),
        sa.Column("name_3", sa.Integer(), nullable=False),
        sa.Column("name_4", sa.Integer(), nullable=False),
        sa.Column("name_5", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "salutation_code",
            "language_code",
            "salutation_type",
            name=op.f("pk_salutation_formula"),
        ),
    )
    # On SQLite the table is rebuilt with AUTOINCREMENT, so that the number of a
    # deleted attachment is never given to another: an old download link must not
    # serve someone else's letter. PostgreSQL sequences never reuse numbers.
    with op.batch_alter_table(
        "attachment",
        schema=None,
        recreate="always" if op.get_bind().dialect.name == "sqlite" else "auto",
        table_kwargs={"sqlite_autoincrement": True},
    ) as batch_op:
        batch_op.add_column(
            sa.Column(
                "content_type", sa.String(length=100), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column("sha256", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "created_by", sa.String(length=50), nullable=False, server_default=""
            )
        )

    with op.batch_alter_table("interaction_log_entry", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "delivery_error",
                sa.Text(),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("delivered_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("merged_attachment_no", sa.Integer(), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "send_word_doc_as_attachment",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
        batch_op.add_column(sa.Column("delivery_job_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_interaction_log_entry_delivery_status"),
            ["delivery_status"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("interaction_log_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interaction_log_entry_delivery_status"))
        batch_op.drop_column("delivery_job_id")
        batch_op.drop_column("send_word_doc_as_attachment")
        batch_op.drop_column("merged_attachment_no")
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("delivery_error")

    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_column("created_by")
        batch_op.drop_column("sha256")
        batch_op.drop_column("content_type")

    op.drop_table("salutation_formula")
    op.drop_table("job")
    op.drop_table("company_information")
