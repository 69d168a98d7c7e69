"""Small hand-made contact sets for the service tests."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from segments_module.models import (
    BusinessRelation,
    Campaign,
    Contact,
    ContactBusinessRelation,
    ContactMailingGroup,
    InteractionGroup,
    InteractionTemplate,
    InteractionTemplateLanguage,
    Language,
    MailingGroup,
    Salesperson,
)


def company(no: str, name: str, **values) -> dict:
    return dict(
        {
            "no": no,
            "type": "Company",
            "company_no": no,
            "name": name,
            "company_name": name,
        },
        **values,
    )


def person(no: str, name: str, company_no: str, company_name: str, **values) -> dict:
    return dict(
        {
            "no": no,
            "type": "Person",
            "company_no": company_no,
            "name": name,
            "company_name": company_name,
        },
        **values,
    )


# Two companies with persons, one independent person, one excluded and one blocked.
SMALL_CONTACTS = [
    company(
        "C1", "Alpha Ltd", country_code="GB", language_code="ENG", salesperson_code="JO"
    ),
    person(
        "P11",
        "Anna Smith",
        "C1",
        "Alpha Ltd",
        country_code="GB",
        language_code="ENG",
        salesperson_code="JO",
        email="anna@alpha.example",
    ),
    person(
        "P12",
        "Bert Jones",
        "C1",
        "Alpha Ltd",
        country_code="GB",
        language_code="DEU",
        salesperson_code="HR",
        correspondence_type="Email",
    ),
    company(
        "C2", "Beta GmbH", country_code="DE", language_code="DEU", salesperson_code="HR"
    ),
    person(
        "P21",
        "Carl Braun",
        "C2",
        "Beta GmbH",
        country_code="DE",
        language_code="DEU",
        salesperson_code="HR",
        email="carl@beta.example",
        correspondence_type="Email",
    ),
    person(
        "P22",
        "Dora Klein",
        "C2",
        "Beta GmbH",
        country_code="GB",
        language_code="DEU",
        exclude_from_segment=True,
    ),
    person(
        "P23", "Emil Roth", "C2", "Beta GmbH", country_code="DE", privacy_blocked=True
    ),
]


def load_small_world(session: Session) -> None:
    """Insert SMALL_CONTACTS, their codes and a template in English and German."""
    session.execute(
        insert(Salesperson),
        [
            {"code": "JO", "name": "Jim Olive"},
            {"code": "HR", "name": "Helen Ray"},
        ],
    )
    session.execute(insert(Campaign), [{"no": "CP1", "description": "Spring"}])
    session.execute(insert(Language), [{"code": "ENG"}, {"code": "DEU"}])
    session.execute(
        insert(MailingGroup), [{"code": "X-CARD", "description": "X-mas card"}]
    )
    session.execute(
        insert(BusinessRelation), [{"code": "CUST", "description": "Customer"}]
    )
    defaults = {
        column.name: column.default.arg
        for column in Contact.__table__.columns
        if column.default is not None
    }
    session.execute(insert(Contact), [dict(defaults, **row) for row in SMALL_CONTACTS])
    session.execute(
        insert(ContactMailingGroup),
        [
            {"contact_no": "P11", "mailing_group_code": "X-CARD"},
            {"contact_no": "P21", "mailing_group_code": "X-CARD"},
            {"contact_no": "P22", "mailing_group_code": "X-CARD"},
        ],
    )
    session.execute(
        insert(ContactBusinessRelation),
        [
            {"contact_no": "C1", "business_relation_code": "CUST"},
        ],
    )
    session.execute(
        insert(InteractionGroup), [{"code": "LETTER", "description": "Letters"}]
    )
    session.execute(
        insert(InteractionTemplate),
        [
            {
                "code": "BUS",
                "interaction_group_code": "LETTER",
                "description": "Business letter",
                "unit_cost": 8,
                "unit_duration": 30,
                "information_flow": "Outbound",
                "initiated_by": "Us",
                "language_code_default": "ENG",
                "correspondence_type_default": "Hard Copy",
                "ignore_contact_corres_type": False,
            }
        ],
    )
    session.execute(
        insert(InteractionTemplateLanguage),
        [
            {
                "interaction_template_code": "BUS",
                "language_code": "ENG",
                "description": "Business letter",
                "subject": "Hello",
            },
            {
                "interaction_template_code": "BUS",
                "language_code": "DEU",
                "description": "Geschäftsbrief",
                "subject": "Hallo",
            },
        ],
    )
