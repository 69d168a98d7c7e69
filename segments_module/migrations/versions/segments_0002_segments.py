"""Create the module's own tables.

Segments with their lines, criteria and history, saved criteria, interaction
groups and templates, attachments, logged segments, the interaction log and the
number series. The uninstall hook downgrades this revision.

Revision ID: segments_0002
Revises: segments_0001
Create Date: 2026-12-04 15:28:08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "segments_0002"
down_revision: str | Sequence[str] | None = "segments_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=250), nullable=False),
        sa.Column("file_extension", sa.String(length=10), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("storage_path", sa.String(length=500), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("no", name=op.f("pk_attachment")),
    )

    op.create_table(
        "interaction_group",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_interaction_group")),
    )

    op.create_table(
        "logged_segment",
        sa.Column("entry_no", sa.Integer(), nullable=False),
        sa.Column("segment_no", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("creation_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.String(length=50), nullable=False),
        sa.Column("campaign_no", sa.String(length=20), nullable=False),
        sa.Column("canceled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("entry_no", name=op.f("pk_logged_segment")),
        sa.UniqueConstraint("segment_no", name=op.f("uq_logged_segment_segment_no")),
    )

    op.create_table(
        "number_series",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("last_no_used", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_number_series")),
    )

    op.create_table(
        "saved_segment_criteria",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_saved_segment_criteria")),
    )

    op.create_table(
        "segment_header",
        sa.Column("no", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("salesperson_code", sa.String(length=20), nullable=False),
        sa.Column("interaction_template_code", sa.String(length=10), nullable=False),
        sa.Column("interaction_group_code", sa.String(length=10), nullable=False),
        sa.Column("language_code_default", sa.String(length=10), nullable=False),
        sa.Column("subject_default", sa.String(length=100), nullable=False),
        sa.Column("correspondence_type_default", sa.String(length=10), nullable=False),
        sa.Column("ignore_contact_corres_type", sa.Boolean(), nullable=False),
        sa.Column("send_word_docs_as_attachment", sa.Boolean(), nullable=False),
        sa.Column("information_flow", sa.String(length=10), nullable=False),
        sa.Column("initiated_by", sa.String(length=10), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("unit_duration", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("campaign_no", sa.String(length=20), nullable=False),
        sa.Column("campaign_target", sa.Boolean(), nullable=False),
        sa.Column("campaign_response", sa.Boolean(), nullable=False),
        sa.Column("attachment_no", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("no", name=op.f("pk_segment_header")),
    )

    op.create_table(
        "interaction_log_entry",
        sa.Column("entry_no", sa.Integer(), nullable=False),
        sa.Column("contact_no", sa.String(length=20), nullable=False),
        sa.Column("contact_company_no", sa.String(length=20), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("time", sa.Time(), nullable=True),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("information_flow", sa.String(length=10), nullable=False),
        sa.Column("initiated_by", sa.String(length=10), nullable=False),
        sa.Column("attempt_failed", sa.Boolean(), nullable=False),
        sa.Column("evaluation", sa.String(length=20), nullable=False),
        sa.Column("language_code", sa.String(length=10), nullable=False),
        sa.Column("correspondence_type", sa.String(length=10), nullable=False),
        sa.Column("contact_via", sa.String(length=80), nullable=False),
        sa.Column("attachment_no", sa.Integer(), nullable=True),
        sa.Column("interaction_group_code", sa.String(length=10), nullable=False),
        sa.Column("interaction_template_code", sa.String(length=10), nullable=False),
        sa.Column("salesperson_code", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.String(length=50), nullable=False),
        sa.Column("cost", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("duration", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("campaign_no", sa.String(length=20), nullable=False),
        sa.Column("campaign_target", sa.Boolean(), nullable=False),
        sa.Column("campaign_response", sa.Boolean(), nullable=False),
        sa.Column("segment_no", sa.String(length=20), nullable=False),
        sa.Column("logged_segment_entry_no", sa.Integer(), nullable=True),
        sa.Column("delivery_status", sa.String(length=12), nullable=False),
        sa.Column("canceled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["logged_segment_entry_no"],
            ["logged_segment.entry_no"],
            name=op.f(
                "fk_interaction_log_entry_logged_segment_entry_no_logged_segment"
            ),
        ),
        sa.PrimaryKeyConstraint("entry_no", name=op.f("pk_interaction_log_entry")),
    )
    with op.batch_alter_table("interaction_log_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interaction_log_entry_contact_no"),
            ["contact_no"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_interaction_log_entry_logged_segment_entry_no_entry_no"),
            ["logged_segment_entry_no", "entry_no"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_interaction_log_entry_segment_no"),
            ["segment_no"],
            unique=False,
        )

    op.create_table(
        "interaction_template",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("interaction_group_code", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("unit_duration", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("information_flow", sa.String(length=10), nullable=False),
        sa.Column("initiated_by", sa.String(length=10), nullable=False),
        sa.Column("campaign_no", sa.String(length=20), nullable=False),
        sa.Column("campaign_target", sa.Boolean(), nullable=False),
        sa.Column("campaign_response", sa.Boolean(), nullable=False),
        sa.Column("correspondence_type_default", sa.String(length=10), nullable=False),
        sa.Column("language_code_default", sa.String(length=10), nullable=False),
        sa.Column("ignore_contact_corres_type", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_group_code"],
            ["interaction_group.code"],
            name=op.f(
                "fk_interaction_template_interaction_group_code_interaction_group"
            ),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_interaction_template")),
    )
    with op.batch_alter_table("interaction_template", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interaction_template_interaction_group_code"),
            ["interaction_group_code"],
            unique=False,
        )

    op.create_table(
        "saved_segment_criteria_line",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("action_no", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("allow_existing_contacts", sa.Boolean(), nullable=False),
        sa.Column("expand_contact", sa.Boolean(), nullable=False),
        sa.Column("allow_company_with_persons", sa.Boolean(), nullable=False),
        sa.Column("ignore_exclusion", sa.Boolean(), nullable=False),
        sa.Column("entire_companies", sa.Boolean(), nullable=False),
        sa.Column("criteria_json", sa.Text(), nullable=False),
        sa.Column("path", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("field", sa.String(length=30), nullable=False),
        sa.Column("filter", sa.Text(), nullable=False),
        sa.Column("view", sa.Text(), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code"],
            ["saved_segment_criteria.code"],
            name=op.f("fk_saved_segment_criteria_line_code_saved_segment_criteria"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "code", "line_no", name=op.f("pk_saved_segment_criteria_line")
        ),
    )

    op.create_table(
        "segment_criteria_line",
        sa.Column("segment_no", sa.String(length=20), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("action_no", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("allow_existing_contacts", sa.Boolean(), nullable=False),
        sa.Column("expand_contact", sa.Boolean(), nullable=False),
        sa.Column("allow_company_with_persons", sa.Boolean(), nullable=False),
        sa.Column("ignore_exclusion", sa.Boolean(), nullable=False),
        sa.Column("entire_companies", sa.Boolean(), nullable=False),
        sa.Column("criteria_json", sa.Text(), nullable=False),
        sa.Column("path", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("field", sa.String(length=30), nullable=False),
        sa.Column("filter", sa.Text(), nullable=False),
        sa.Column("view", sa.Text(), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_no"],
            ["segment_header.no"],
            name=op.f("fk_segment_criteria_line_segment_no_segment_header"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "segment_no", "line_no", name=op.f("pk_segment_criteria_line")
        ),
    )

    op.create_table(
        "segment_history",
        sa.Column("segment_no", sa.String(length=20), nullable=False),
        sa.Column("action_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("line_no", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("contact_no", sa.String(length=20), nullable=True),
        sa.Column("contact_company_no", sa.String(length=20), nullable=True),
        sa.Column("description", sa.String(length=100), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("time", sa.Time(), nullable=True),
        sa.Column("salesperson_code", sa.String(length=20), nullable=True),
        sa.Column("interaction_template_code", sa.String(length=10), nullable=True),
        sa.Column("interaction_group_code", sa.String(length=10), nullable=True),
        sa.Column("language_code", sa.String(length=10), nullable=True),
        sa.Column("subject", sa.String(length=100), nullable=True),
        sa.Column("correspondence_type", sa.String(length=10), nullable=True),
        sa.Column("correspondence_type_note", sa.String(length=100), nullable=True),
        sa.Column("contact_via", sa.String(length=80), nullable=True),
        sa.Column("cost", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("duration", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("information_flow", sa.String(length=10), nullable=True),
        sa.Column("initiated_by", sa.String(length=10), nullable=True),
        sa.Column("evaluation", sa.String(length=20), nullable=True),
        sa.Column("attempt_failed", sa.Boolean(), nullable=True),
        sa.Column("campaign_no", sa.String(length=20), nullable=True),
        sa.Column("campaign_target", sa.Boolean(), nullable=True),
        sa.Column("campaign_response", sa.Boolean(), nullable=True),
        sa.Column("send_word_doc_as_attachment", sa.Boolean(), nullable=True),
        sa.Column("attachment_no", sa.Integer(), nullable=True),
        sa.Column("attachment_is_unique", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["segment_no"],
            ["segment_header.no"],
            name=op.f("fk_segment_history_segment_no_segment_header"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "segment_no", "action_no", "line_no", name=op.f("pk_segment_history")
        ),
    )

    op.create_table(
        "segment_line",
        sa.Column("segment_no", sa.String(length=20), nullable=False),
        sa.Column("line_no", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("contact_no", sa.String(length=20), nullable=True),
        sa.Column("contact_company_no", sa.String(length=20), nullable=True),
        sa.Column("description", sa.String(length=100), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("time", sa.Time(), nullable=True),
        sa.Column("salesperson_code", sa.String(length=20), nullable=True),
        sa.Column("interaction_template_code", sa.String(length=10), nullable=True),
        sa.Column("interaction_group_code", sa.String(length=10), nullable=True),
        sa.Column("language_code", sa.String(length=10), nullable=True),
        sa.Column("subject", sa.String(length=100), nullable=True),
        sa.Column("correspondence_type", sa.String(length=10), nullable=True),
        sa.Column("correspondence_type_note", sa.String(length=100), nullable=True),
        sa.Column("contact_via", sa.String(length=80), nullable=True),
        sa.Column("cost", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("duration", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("information_flow", sa.String(length=10), nullable=True),
        sa.Column("initiated_by", sa.String(length=10), nullable=True),
        sa.Column("evaluation", sa.String(length=20), nullable=True),
        sa.Column("attempt_failed", sa.Boolean(), nullable=True),
        sa.Column("campaign_no", sa.String(length=20), nullable=True),
        sa.Column("campaign_target", sa.Boolean(), nullable=True),
        sa.Column("campaign_response", sa.Boolean(), nullable=True),
        sa.Column("send_word_doc_as_attachment", sa.Boolean(), nullable=True),
        sa.Column("attachment_no", sa.Integer(), nullable=True),
        sa.Column("attachment_is_unique", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["segment_no"],
            ["segment_header.no"],
            name=op.f("fk_segment_line_segment_no_segment_header"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("segment_no", "line_no", name=op.f("pk_segment_line")),
    )
    with op.batch_alter_table("segment_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_segment_line_segment_no_contact_no"),
            ["segment_no", "contact_no"],
            unique=False,
        )

    op.create_table(
        "interaction_template_language",
        sa.Column("interaction_template_code", sa.String(length=10), nullable=False),
        sa.Column("language_code", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("attachment_no", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attachment_no"],
            ["attachment.no"],
            name=op.f("fk_interaction_template_language_attachment_no_attachment"),
        ),
        sa.ForeignKeyConstraint(
            ["interaction_template_code"],
            ["interaction_template.code"],
            name=op.f(
                "fk_interaction_template_language_interaction_template_code_interaction_template"
            ),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "interaction_template_code",
            "language_code",
            name=op.f("pk_interaction_template_language"),
        ),
    )


def downgrade() -> None:
    op.drop_table("interaction_template_language")

    with op.batch_alter_table("segment_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_segment_line_segment_no_contact_no"))

    op.drop_table("segment_line")

    op.drop_table("segment_history")

    op.drop_table("segment_criteria_line")

    op.drop_table("saved_segment_criteria_line")

    with op.batch_alter_table("interaction_template", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_interaction_template_interaction_group_code")
        )

    op.drop_table("interaction_template")

    with op.batch_alter_table("interaction_log_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interaction_log_entry_segment_no"))
        batch_op.drop_index(
            batch_op.f("ix_interaction_log_entry_logged_segment_entry_no_entry_no")
        )
        batch_op.drop_index(batch_op.f("ix_interaction_log_entry_contact_no"))

    op.drop_table("interaction_log_entry")

    op.drop_table("segment_header")

    op.drop_table("saved_segment_criteria")

    op.drop_table("number_series")

    op.drop_table("logged_segment")

    op.drop_table("interaction_group")

    op.drop_table("attachment")
