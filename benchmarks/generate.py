"""Fill the embedded contact store with N deterministic contacts, inside the database.

Contacts come in blocks of five: one company (CT0000001) followed by four of its
persons (CT0000002..CT0000005). Every value derives from the contact's number i or its
block number b = (i - 1) / 5, so two runs with the same N produce the same rows:

- country: GB for even blocks (about half of all contacts), US, DE or FR otherwise;
- language: "", ENU, DEU or FRA by i % 4; salesperson SP01..SP10 by block;
- correspondence type: Hard Copy, Email or blank by i % 3; no e-mail address when
  i % 7 == 0, so some Email contacts have none;
- excluded from segments when i % 97 == 0, privacy blocked when i % 89 == 0;
- mailing group NEWS for every fourth contact, industry group and business relation
  for every company.

The rows are produced by one INSERT ... SELECT per table over a number sequence (a
recursive CTE on SQLite, generate_series on PostgreSQL); Python never loops over them.

    python -m benchmarks.generate --contacts 100000 --database sqlite --keep
"""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine, func, select, text

from segments_module.db import session_scope
from segments_module.models import (
    Base,
    BusinessRelation,
    Contact,
    IndustryGroup,
    InteractionGroup,
    InteractionTemplate,
    InteractionTemplateLanguage,
    Language,
    MailingGroup,
    Salesperson,
)

from .databases import BACKENDS, fresh_database, open_engine, settle

logger = logging.getLogger(__name__)

DEFAULT_CONTACTS = 1_000_000
TEMPLATE_CODE = "BENCH"
INTERACTION_GROUP_CODE = "LETTER"
LANGUAGES = ("ENU", "DEU", "FRA")
# The template has no FRA language, so FRA contacts fall back to the header default.
TEMPLATE_LANGUAGES = ("ENU", "DEU")
SALESPERSON_COUNT = 10
INDUSTRY_GROUPS = ("RETAIL", "WHOLESALE", "SERVICES")
BUSINESS_RELATIONS = ("CUST", "PROS", "VEND")


@dataclass(frozen=True)
class GeneratedData:
    contacts: int
    seconds: float


def _sequence(dialect: str) -> tuple[str, str]:
    """Return (WITH prefix, FROM clause) that yield the integers 1..n as column i."""
    if dialect == "sqlite":
        prefix = (
            "WITH RECURSIVE seq(i) AS "
            "(SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :n) "
        )
        return prefix, "seq"
    return "", "generate_series(1, :n) AS seq(i)"


def _contact_no(dialect: str, expression: str) -> str:
    """Return SQL for the contact number CT0000001 of the integer `expression`."""
    if dialect == "sqlite":
        return f"printf('CT%07d', {expression})"
    return f"'CT' || lpad(({expression})::text, 7, '0')"


def _salesperson_code(dialect: str, expression: str) -> str:
    if dialect == "sqlite":
        return f"printf('SP%02d', {expression})"
    return f"'SP' || lpad(({expression})::text, 2, '0')"


def _insert_contacts_sql(dialect: str) -> str:
    prefix, source = _sequence(dialect)
    block = "((i - 1) / 5)"
    company_i = f"({block} * 5 + 1)"
    return (
        prefix
        + "INSERT INTO contact (no, type, company_no, name, company_name, address,"
        " address_2, city, post_code, county, country_code, territory_code,"
        " language_code, salesperson_code, job_title, email, phone_no,"
        " mobile_phone_no, correspondence_type, salutation_code,"
        " exclude_from_segment, privacy_blocked) "
        "SELECT "
        f"{_contact_no(dialect, 'i')}, "
        "CASE WHEN (i - 1) % 5 = 0 THEN 'Company' ELSE 'Person' END, "
        f"{_contact_no(dialect, company_i)}, "
        f"CASE WHEN (i - 1) % 5 = 0 THEN 'Company ' || {company_i} "
        "ELSE 'Person ' || i END, "
        f"'Company ' || {company_i}, "
        "'Street ' || i, '', "
        f"'City ' || ({block} % 500), "
        f"'PC' || ({block} % 1000), "
        "'', "
        f"CASE {block} % 6 WHEN 1 THEN 'US' WHEN 3 THEN 'DE' WHEN 5 THEN 'FR' "
        "ELSE 'GB' END, "
        f"'T' || ({block} % 20), "
        "CASE i % 4 WHEN 1 THEN 'ENU' WHEN 2 THEN 'DEU' WHEN 3 THEN 'FRA' ELSE '' END, "
        f"{_salesperson_code(dialect, f'{block} % {SALESPERSON_COUNT} + 1')}, "
        "CASE WHEN (i - 1) % 5 = 0 THEN '' "
        "WHEN i % 2 = 0 THEN 'Buyer' ELSE 'Manager' END, "
        "CASE WHEN i % 7 = 0 THEN '' ELSE 'contact' || i || '@example.com' END, "
        "'+44 20 ' || i, '', "
        "CASE i % 3 WHEN 0 THEN 'Hard Copy' WHEN 1 THEN 'Email' ELSE '' END, "
        "CASE WHEN (i - 1) % 5 = 0 THEN 'COMPANY' ELSE 'M-FORMAL' END, "
        "(i % 97 = 0), (i % 89 = 0) "
        f"FROM {source}"
    )


def _insert_related_sql(dialect: str) -> list[str]:
    """Return the INSERT ... SELECT statements of the related rows."""
    prefix, source = _sequence(dialect)
    contact_no = _contact_no(dialect, "i")
    block = "((i - 1) / 5)"
    industry = " ".join(
        f"WHEN {index} THEN '{code}'" for index, code in enumerate(INDUSTRY_GROUPS)
    )
    relation = " ".join(
        f"WHEN {index} THEN '{code}'" for index, code in enumerate(BUSINESS_RELATIONS)
    )
    return [
        prefix + "INSERT INTO contact_mailing_group (contact_no, mailing_group_code) "
        f"SELECT {contact_no}, 'NEWS' FROM {source} WHERE i % 4 = 0",
        prefix + "INSERT INTO contact_industry_group (contact_no, industry_group_code) "
        f"SELECT {contact_no}, CASE {block} % 3 {industry} END "
        f"FROM {source} WHERE (i - 1) % 5 = 0",
        prefix
        + "INSERT INTO contact_business_relation (contact_no, business_relation_code) "
        f"SELECT {contact_no}, CASE {block} % 3 {relation} END "
        f"FROM {source} WHERE (i - 1) % 5 = 0",
    ]


def _add_reference_rows(session) -> None:
    """Add the small reference tables: languages, salespersons, groups, a template."""
    session.add_all(Language(code=code, name=code) for code in LANGUAGES)
    session.add_all(
        Salesperson(
            code=f"SP{n:02d}", name=f"Salesperson {n}", email=f"sp{n}@example.com"
        )
        for n in range(1, SALESPERSON_COUNT + 1)
    )
    session.add(MailingGroup(code="NEWS", description="Newsletter"))
    session.add_all(
        IndustryGroup(code=code, description=code) for code in INDUSTRY_GROUPS
    )
    session.add_all(
        BusinessRelation(code=code, description=code) for code in BUSINESS_RELATIONS
    )
    session.add(InteractionGroup(code=INTERACTION_GROUP_CODE, description="Letters"))
    session.flush()
    session.add(
        InteractionTemplate(
            code=TEMPLATE_CODE,
            interaction_group_code=INTERACTION_GROUP_CODE,
            description="Benchmark letter",
            unit_cost=Decimal("1.50"),
            unit_duration=Decimal("3"),
            information_flow="Outbound",
            initiated_by="Us",
            correspondence_type_default="Hard Copy",
            language_code_default="ENU",
        )
    )
    session.flush()
    session.add_all(
        InteractionTemplateLanguage(
            interaction_template_code=TEMPLATE_CODE,
            language_code=code,
            description=f"Benchmark letter ({code})",
            subject=f"News for you ({code})",
        )
        for code in TEMPLATE_LANGUAGES
    )


def generate(engine: Engine, contacts: int) -> GeneratedData:
    """Create the schema and fill it with `contacts` contacts and their related rows."""
    started = time.perf_counter()
    Base.metadata.create_all(engine)
    dialect = engine.dialect.name

    with session_scope(engine, write=True) as session:
        _add_reference_rows(session)
        session.flush()
        session.execute(text(_insert_contacts_sql(dialect)), {"n": contacts})
        for statement in _insert_related_sql(dialect):
            session.execute(text(statement), {"n": contacts})
    settle(engine)

    with session_scope(engine) as session:
        count = session.scalar(select(func.count()).select_from(Contact))
    seconds = time.perf_counter() - started
    logger.info("generated %d contacts in %.1f s", count, seconds)
    return GeneratedData(contacts=count, seconds=seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--contacts", type=int, default=DEFAULT_CONTACTS, help="number of contacts"
    )
    parser.add_argument("--database", choices=BACKENDS, default="sqlite")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database afterwards and print its URL",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # One line per created segment or HTTP request would bury the benchmark's own lines.
    for noisy in ("segments_module", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    with fresh_database(args.database, keep=args.keep) as url:
        engine = open_engine(url)
        result = generate(engine, args.contacts)
        engine.dispose()
        print(f"{args.database}: {result.contacts} contacts in {result.seconds:.1f} s")
        if args.keep:
            print(f"database kept at {url}")


if __name__ == "__main__":
    main()
