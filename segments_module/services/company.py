"""The user's own company, whose details letters show (Company Information in BC)."""

from __future__ import annotations

import logging
from typing import Any

from ..models import CompanyInformation
from .env import Env
from .validation import clean_input

logger = logging.getLogger(__name__)

COMPANY_KEY = 1
COMPANY_FIELDS = frozenset(
    {
        "name",
        "address",
        "address_2",
        "post_code",
        "city",
        "county",
        "country_code",
        "phone_no",
        "email",
        "vat_registration_no",
    }
)


def get_company_information(env: Env) -> CompanyInformation:
    """Return the company row, a blank one (not stored) when none is set up."""
    company = env.session.get(CompanyInformation, COMPANY_KEY)
    if company is None:
        company = CompanyInformation(key=COMPANY_KEY)
        for field in COMPANY_FIELDS:
            setattr(company, field, "")
    return company


def update_company_information(env: Env, values: dict[str, Any]) -> CompanyInformation:
    """Change the company's details; the row is created on the first change."""
    values = clean_input(
        env, values, table=CompanyInformation.__table__, allowed=COMPANY_FIELDS
    )
    company = env.session.get(CompanyInformation, COMPANY_KEY)
    if company is None:
        company = get_company_information(env)
        env.session.add(company)
    for field, value in values.items():
        setattr(company, field, value)
    env.session.flush()
    logger.info(
        "company information changed by %s: %s", env.actor.user_id, sorted(values)
    )
    return company
