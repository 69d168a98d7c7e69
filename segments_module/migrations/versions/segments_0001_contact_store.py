"""Create the embedded contact store's tables.

Contacts, their related rows and the reference tables (salespersons, campaigns,
languages). A host that supplies its own contact store can stamp this revision
instead of running it.

Revision ID: segments_0001
Revises:
Create Date: 2026-12-04 15:28:08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "segments_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("segments",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "business_relation",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_business_relation")),
    )

    op.create_table(
        "campaign",
        sa.Column("no", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("starting_date", sa.Date(), nullable=True),
        sa.Column("ending_date", sa.Date(), nullable=True),
        sa.Column("salesperson_code", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("no", name=op.f("pk_campaign")),
    )

    op.create_table(
        "contact",
        sa.Column("no", sa.String(length=20), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("company_no", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("company_name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=100), nullable=False),
        sa.Column("address_2", sa.String(length=50), nullable=False),
        sa.Column("city", sa.String(length=30), nullable=False),
        sa.Column("post_code", sa.String(length=20), nullable=False),
        sa.Column("county", sa.String(length=30), nullable=False),
        sa.Column("country_code", sa.String(length=10), nullable=False),
        sa.Column("territory_code", sa.String(length=10), nullable=False),
        sa.Column("language_code", sa.String(length=10), nullable=False),
        sa.Column("salesperson_code", sa.String(length=20), nullable=False),
        sa.Column("job_title", sa.String(length=30), nullable=False),
        sa.Column("email", sa.String(length=80), nullable=False),
        sa.Column("phone_no", sa.String(length=30), nullable=False),
        sa.Column("mobile_phone_no", sa.String(length=30), nullable=False),
        sa.Column("correspondence_type", sa.String(length=10), nullable=False),
        sa.Column("salutation_code", sa.String(length=10), nullable=False),
        sa.Column("exclude_from_segment", sa.Boolean(), nullable=False),
        sa.Column("privacy_blocked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("no", name=op.f("pk_contact")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_company_no"), ["company_no"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contact_country_code"), ["country_code"], unique=False
        )

    op.create_table(
        "industry_group",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_industry_group")),
    )

    op.create_table(
        "job_responsibility",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_job_responsibility")),
    )

    op.create_table(
        "language",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_language")),
    )

    op.create_table(
        "mailing_group",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_mailing_group")),
    )

    op.create_table(
        "profile_questionnaire",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("contact_type", sa.String(length=10), nullable=False),
        sa.Column("business_relation_code", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_profile_questionnaire")),
    )

    op.create_table(
        "salesperson",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("job_title", sa.String(length=30), nullable=False),
        sa.Column("email", sa.String(length=80), nullable=False),
        sa.Column("phone_no", sa.String(length=30), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_salesperson")),
    )

    op.create_table(
        "contact_business_relation",
        sa.Column("contact_no", sa.String(length=20), nullable=False),
        sa.Column("business_relation_code", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_relation_code"],
            ["business_relation.code"],
            name=op.f(
                "fk_contact_business_relation_business_relation_code_business_relation"
            ),
        ),
        sa.ForeignKeyConstraint(
            ["contact_no"],
            ["contact.no"],
            name=op.f("fk_contact_business_relation_contact_no_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "contact_no",
            "business_relation_code",
            name=op.f("pk_contact_business_relation"),
        ),
    )
    with op.batch_alter_table("contact_business_relation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_business_relation_business_relation_code"),
            ["business_relation_code"],
            unique=False,
        )

    op.create_table(
        "contact_industry_group",
        sa.Column("contact_no", sa.String(length=20), nullable=False),
        sa.Column("industry_group_code", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_no"],
            ["contact.no"],
            name=op.f("fk_contact_industry_group_contact_no_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["industry_group_code"],
            ["industry_group.code"],
            name=op.f("fk_contact_industry_group_industry_group_code_industry_group"),
        ),
        sa.PrimaryKeyConstraint(
            "contact_no", "industry_group_code", name=op.f("pk_contact_industry_group")
        ),
    )
    with op.batch_alter_table("contact_industry_group", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_industry_group_industry_group_code"),
            ["industry_group_code"],
            unique=False,
        )

    op.create_table(
        "contact_job_responsibility",
        sa.Column("contact_no", sa.String(length=20), nullable=False),
        sa.Column("job_responsibility_code", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_no"],
            ["contact.no"],
            name=op.f("fk_contact_job_responsibility_contact_no_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_responsibility_code"],
            ["job_responsibility.code"],
            name=op.f(
                "fk_contact_job_responsibility_job_responsibility_code_job_responsibility"
            ),
        ),
        sa.PrimaryKeyConstraint(
            "contact_no",
            "job_responsibility_code",
            name=op.f("pk_contact_job_responsibility"),
        ),
    )
    with op.batch_alter_table("contact_job_responsibility", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_job_responsibility_job_responsibility_code"),
            ["job_responsibility_code"],
            unique=False,
        )

    op.create_table(
        "contact_mailing_group",
        sa.Column("contact_no", sa.String(length=20), nullable=False),
        sa.Column("mailing_group_code", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_no"],
            ["contact.no"],
            name=op.f("fk_contact_mailing_group_contact_no_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mailing_group_code"],
            ["mailing_group.code"],
            name=op.f("fk_contact_mailing_group_mailing_group_code_mailing_group"),
        ),
        sa.PrimaryKeyConstraint(
            "contact_no", "mailing_group_code", name=op.f("pk_contact_mailing_group")
        ),
    )
    with op.batch_alter_table("contact_mailing_group", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_mailing_group_mailing_group_code"),
            ["mailing_group_code"],
            unique=False,
        )

    op.create_table(
        "contact_profile_answer",
        sa.Column("contact_no", sa.String(length=20), nullable=False),
        sa.Column("questionnaire_code", sa.String(length=20), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_no"],
            ["contact.no"],
            name=op.f("fk_contact_profile_answer_contact_no_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "contact_no",
            "questionnaire_code",
            "line_no",
            name=op.f("pk_contact_profile_answer"),
        ),
    )
    with op.batch_alter_table("contact_profile_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_profile_answer_questionnaire_code_line_no"),
            ["questionnaire_code", "line_no"],
            unique=False,
        )

    op.create_table(
        "profile_questionnaire_line",
        sa.Column("questionnaire_code", sa.String(length=20), nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=250), nullable=False),
        sa.ForeignKeyConstraint(
            ["questionnaire_code"],
            ["profile_questionnaire.code"],
            name=op.f(
                "fk_profile_questionnaire_line_questionnaire_code_profile_questionnaire"
            ),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "questionnaire_code", "line_no", name=op.f("pk_profile_questionnaire_line")
        ),
    )


def downgrade() -> None:
    op.drop_table("profile_questionnaire_line")

    with op.batch_alter_table("contact_profile_answer", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_contact_profile_answer_questionnaire_code_line_no")
        )

    op.drop_table("contact_profile_answer")

    with op.batch_alter_table("contact_mailing_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_mailing_group_mailing_group_code"))

    op.drop_table("contact_mailing_group")

    with op.batch_alter_table("contact_job_responsibility", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_contact_job_responsibility_job_responsibility_code")
        )

    op.drop_table("contact_job_responsibility")

    with op.batch_alter_table("contact_industry_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_industry_group_industry_group_code"))

    op.drop_table("contact_industry_group")

    with op.batch_alter_table("contact_business_relation", schema=None) as batch_op:
        batch_op.drop_index(
            batch_op.f("ix_contact_business_relation_business_relation_code")
        )

    op.drop_table("contact_business_relation")

    op.drop_table("salesperson")

    op.drop_table("profile_questionnaire")

    op.drop_table("mailing_group")

    op.drop_table("language")

    op.drop_table("job_responsibility")

    op.drop_table("industry_group")

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_country_code"))
        batch_op.drop_index(batch_op.f("ix_contact_company_no"))

    op.drop_table("contact")

    op.drop_table("campaign")

    op.drop_table("business_relation")
