"""The CRONUS demo data loader, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import logging
from datetime import date
from decimal import Decimal
from importlib import resources

import pytest
from sqlalchemy import delete, func, select

from segments_module.db import session_scope
from segments_module.demo import load_demo
from segments_module.models import (
    Base,
    Campaign,
    Contact,
    ContactBusinessRelation,
    ContactIndustryGroup,
    ContactProfileAnswer,
    InteractionTemplate,
    NumberSeries,
    ProfileQuestionnaire,
    ProfileQuestionnaireLine,
    SegmentCriteriaLine,
    SegmentHeader,
    SegmentLine,
)
from tests.conftest import shared_data

TODAY = date(2026, 5, 1)


def load(engine, today: date = TODAY) -> dict[str, int]:
    with session_scope(engine, write=True) as session:
        return load_demo(session, today=today)


def snapshot(engine) -> dict[str, list[tuple]]:
    """Return every row of every table, sorted, to compare two states."""
    with session_scope(engine) as session:
        return {
            table.name: sorted(
                (tuple(row) for row in session.execute(select(table))), key=repr
            )
            for table in Base.metadata.sorted_tables
        }


def test_load_demo_counts(engine):
    # given an empty database
    # when the demo data is loaded
    counts = load(engine)

    # then each table has the CRONUS rows, plus one company per customer, vendor
    # and referenced bank account
    assert counts["contact"] == 281 + 63 + 63 + 5
    assert counts["segment_header"] == 4
    assert counts["interaction_template"] == 41
    assert counts["contact_profile_answer"] == 1597
    with session_scope(engine) as session:
        stored = session.scalar(select(func.count()).select_from(Contact))
    assert stored == counts["contact"]


def test_load_demo_person_of_customer(engine):
    # given the demo data
    load(engine)

    # when a person of a customer is read
    with session_scope(engine) as session:
        person = session.get(Contact, "CT100140")

    # then it points to the customer's company contact, whose name the later
    # CreateEvaluationData row set, and takes its city from the post code
    assert person.type == "Person"
    assert person.company_no == "CUST-10000"
    assert person.company_name == "Adatum Corporation"
    assert person.post_code == "GB-B27 4KT"
    assert person.city == "Birmingham"
    assert person.country_code == "GB"
    assert person.language_code == "ENG"


def test_load_demo_customer_company(engine):
    # given the demo data
    load(engine)

    # when the company contact of a foreign customer is read
    with session_scope(engine) as session:
        company = session.get(Contact, "CUST-01121212")
        relations = session.scalars(
            select(ContactBusinessRelation.business_relation_code).where(
                ContactBusinessRelation.contact_no == "CUST-01121212"
            )
        ).all()
        industries = session.scalars(
            select(ContactIndustryGroup.industry_group_code).where(
                ContactIndustryGroup.contact_no == "CUST-01121212"
            )
        ).all()

    # then it is a company built from CreateCustomer with the CUST relation
    assert company.type == "Company"
    assert company.company_no == "CUST-01121212"
    assert company.name == "Spotsmeyer's Furnishings"
    assert company.address == "612 South Sunset Drive"
    assert company.country_code == "US"
    assert company.city == "Miami"
    assert relations == ["CUST"]
    assert industries == ["WHOLE"]


def test_load_demo_vendor_and_bank(engine):
    # given the demo data
    load(engine)

    # when a vendor company, a bank company and a vendor's person are read
    with session_scope(engine) as session:
        vendor = session.get(Contact, "VEND-10000")
        british_vendor = session.get(Contact, "VEND-20000")
        bank = session.get(Contact, "BANK-NBL")
        person = session.get(Contact, "CT100153")
        bank_relations = session.scalars(
            select(ContactBusinessRelation.business_relation_code).where(
                ContactBusinessRelation.contact_no == "BANK-NBL"
            )
        ).all()
        vendor_relations = session.scalars(
            select(ContactBusinessRelation.business_relation_code).where(
                ContactBusinessRelation.contact_no == "VEND-10000"
            )
        ).all()

    # then @DemoCompanyCountry became GB and the bank is named after its no.
    assert vendor.name == "Fabrikam, Inc."
    assert vendor.country_code == "US"
    assert vendor_relations == ["VEND"]
    assert bank.name == "Bank Account NBL"
    assert bank.type == "Company"
    assert bank_relations == ["BANK"]
    assert person.company_no == "BANK-NBL"
    assert person.company_name == "Bank Account NBL"
    assert british_vendor.country_code == "GB"


def test_load_demo_company_of_cronus(engine):
    # given the demo data
    load(engine)

    # when a CRONUS company contact is read
    with session_scope(engine) as session:
        company = session.get(Contact, "CT100239")

    # then it is its own company
    assert company.type == "Company"
    assert company.company_no == "CT100239"
    assert company.company_name == "Cane Showroom"
    assert company.city == "Manchester"
    assert company.correspondence_type == ""


def test_load_demo_template_options(engine):
    # given the demo data
    load(engine)

    # when templates are read
    with session_scope(engine) as session:
        golf = session.get(InteractionTemplate, "GOLF")
        income = session.get(InteractionTemplate, "INCOME")
        bus = session.get(InteractionTemplate, "BUS")
        insdoc = session.get(InteractionTemplate, "INSDOC")

    # then option integers became their values, and later rows replaced earlier ones
    assert golf.correspondence_type_default == "Email"
    assert golf.ignore_contact_corres_type is True
    assert income.information_flow == "Inbound"
    assert income.initiated_by == "Them"
    assert bus.information_flow == "Outbound"
    assert bus.initiated_by == "Us"
    assert bus.correspondence_type_default == "Hard Copy"
    assert bus.unit_cost == Decimal("8")
    assert bus.unit_duration == Decimal("30")
    assert bus.language_code_default == ""  # the CreateEvaluationData row has none
    assert insdoc.information_flow == ""
    assert insdoc.interaction_group_code == "DOC"


def test_load_demo_profiles(engine):
    # given the demo data
    load(engine)

    # when questionnaires, lines and answers are read
    with session_scope(engine) as session:
        company = session.get(ProfileQuestionnaire, "COMPANY")
        person = session.get(ProfileQuestionnaire, "PERSON")
        question = session.get(ProfileQuestionnaireLine, ("COMPANY", 10000))
        answer = session.get(ProfileQuestionnaireLine, ("COMPANY", 20000))
        answers = session.scalars(
            select(ContactProfileAnswer.line_no).where(
                ContactProfileAnswer.contact_no == "CUST-10000",
                ContactProfileAnswer.questionnaire_code == "COMPANY",
            )
        ).all()

    # then the options are spelled out and the answers point at generated contacts
    assert company.contact_type == "Company"
    assert person.contact_type == "Person"
    assert question.type == "Question"
    assert question.description == "No. of employees"
    assert answer.type == "Answer"
    assert answer.description == "1..99"
    assert 20000 in answers


def test_load_demo_shifts_dates(engine):
    # given a load date in 2026
    # when the demo data is loaded
    load(engine, today=TODAY)

    # then 1903 became 2026 and 1902 became 2025, month and day kept
    with session_scope(engine) as session:
        campaign = session.get(Campaign, "CP1001")
        header = session.get(SegmentHeader, "SM10001")
    assert campaign.starting_date == date(2025, 11, 1)
    assert campaign.ending_date == date(2026, 4, 1)
    assert header.date == date(2026, 1, 26)


def test_load_demo_segment_headers(engine):
    # given the demo data
    load(engine)

    # when the demo segments are read
    with session_scope(engine) as session:
        sm10001 = session.get(SegmentHeader, "SM10001")
        sm10003 = session.get(SegmentHeader, "SM10003")
        series = session.get(NumberSeries, "SEGMENT")

    # then each took its row's values and its template's defaults
    assert sm10001.description == "Increase sale"
    assert sm10001.campaign_no == ""  # the CreateEvaluationData row has none
    assert sm10001.salesperson_code == "HR"
    assert sm10001.interaction_template_code == "BUS"
    assert sm10001.interaction_group_code == "LETTER"
    assert sm10001.unit_cost == Decimal("8")
    assert sm10001.unit_duration == Decimal("30")
    assert sm10001.correspondence_type_default == "Hard Copy"
    assert sm10003.description == "Working place arrangement, Press"
    assert sm10003.campaign_no == "CP1003"
    assert sm10003.unit_duration == Decimal("15")
    assert series.last_no_used == "SM10004"


def test_load_demo_twice_changes_nothing(engine):
    # given the demo data loaded once
    first = load(engine)
    before = snapshot(engine)

    # when it is loaded again
    second = load(engine)

    # then every table contains the same rows with the same values
    assert second == first
    assert snapshot(engine) == before


def test_load_demo_in_caller_transaction(engine):
    # given a transaction that loads the demo data
    with pytest.raises(RuntimeError):
        with session_scope(engine, write=True) as session:
            load_demo(session, today=TODAY)
            # when the caller fails before committing
            raise RuntimeError("caller failed")

    # then nothing was written
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0
        assert session.get(SegmentHeader, "SM10001") is None


def test_load_demo_keeps_changed_header(engine):
    # given a demo segment that a user has changed
    load(engine)
    with session_scope(engine, write=True) as session:
        header = session.get(SegmentHeader, "SM10002")
        header.description = "Golf day, second try"
        header.salesperson_code = "EH"

    # when the demo data is loaded again
    load(engine)

    # then the user's values are kept
    with session_scope(engine) as session:
        header = session.get(SegmentHeader, "SM10002")
    assert header.description == "Golf day, second try"
    assert header.salesperson_code == "EH"


def test_load_demo_keeps_changed_contact(engine):
    # given a demo contact that a user has renamed
    load(engine)
    with session_scope(engine, write=True) as session:
        session.get(Contact, "CT100239").name = "Renamed"

    # when the demo data is loaded again
    load(engine)

    # then the contact keeps the user's name
    with session_scope(engine) as session:
        assert session.get(Contact, "CT100239").name == "Renamed"


def test_load_demo_keeps_changed_template(engine):
    # given a demo interaction template whose unit cost a user has changed
    load(engine)
    with session_scope(engine, write=True) as session:
        session.get(InteractionTemplate, "BUS").unit_cost = Decimal("12.50")

    # when the demo data is loaded again
    counts = load(engine)

    # then the template keeps the user's cost, and the counts are the demo rows
    with session_scope(engine) as session:
        assert session.get(InteractionTemplate, "BUS").unit_cost == Decimal("12.50")
    assert counts["interaction_template"] == 41


def test_load_demo_adds_missing_rows(engine):
    # given the demo data without a customer's contacts and their relations
    load(engine)
    full = snapshot(engine)
    with session_scope(engine, write=True) as session:
        # The contact's relations go with it (ON DELETE CASCADE).
        session.execute(delete(Contact).where(Contact.company_no == "CUST-10000"))

    # when the demo data is loaded again
    load(engine)

    # then every deleted row is back with its demo values
    assert snapshot(engine) == full


def test_load_demo_never_lowers_series(engine):
    # given a segment series already past the demo numbers
    with session_scope(engine, write=True) as session:
        session.add(NumberSeries(code="SEGMENT", last_no_used="SM10020"))

    # when the demo data is loaded
    load(engine)

    # then the series keeps its number
    with session_scope(engine) as session:
        assert session.get(NumberSeries, "SEGMENT").last_no_used == "SM10020"


def test_load_demo_logs_counts(engine, caplog):
    # given an empty database
    # when the demo data is loaded
    with caplog.at_level(logging.INFO, logger="segments_module.demo.loader"):
        load(engine)

    # then one line reports the counts
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 1
    assert "contact=412" in lines[0]
    assert "4 new segment headers" in lines[0]


def test_demo_files_match_origin():
    # given the packaged copies and the extracted CRONUS files
    packaged = resources.files("segments_module.demo").joinpath("data")
    names = sorted(
        item.name for item in packaged.iterdir() if item.name.endswith(".csv")
    )

    # then every copy is byte for byte the same as its origin
    assert len(names) == 23
    for name in names:
        origin = shared_data(f"contacts/bc_cronus_crm/{name}")
        assert packaged.joinpath(name).read_bytes() == origin.read_bytes(), name


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2028, 3, 1), date(2028, 1, 26)), (date(2030, 12, 31), date(2030, 1, 26))],
)
def test_load_demo_date_follows_today(engine, today, expected):
    # given a load date
    # when the demo data is loaded
    load(engine, today=today)

    # then the demo segment date is in that year
    with session_scope(engine) as session:
        assert session.get(SegmentHeader, "SM10004").date == expected


def read_packaged_csv(name: str) -> list[dict[str, str]]:
    data = resources.files("segments_module.demo") / "data" / name
    with data.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_demo_segments_get_bc_criteria_lines(engine):
    # given the contacts that CRONUS links to the PRESS business relation's company
    contacts = read_packaged_csv("CreateContact.csv")
    press_companies = {
        row["Contact No."].replace("@Customer:", "CUST-")
        for row in read_packaged_csv("CreateContactBusinessRel.csv")
        if row["Business Relation Code"] == "PRESS"
    }
    expected = set(press_companies) | {
        row["No."]
        for row in contacts
        if row["Company No."].replace("@Customer:", "CUST-") in press_companies
    }

    # when the demo data is loaded twice
    for _ in range(2):
        with session_scope(engine, write=True) as session:
            load_demo(session, today=date(2026, 12, 4))

    # then SM10003 holds exactly those contacts, once each, with its criteria
    with session_scope(engine) as session:
        lines = session.scalars(
            select(SegmentLine.contact_no).where(SegmentLine.segment_no == "SM10003")
        ).all()
        views = session.scalars(
            select(SegmentCriteriaLine.view)
            .where(SegmentCriteriaLine.segment_no == "SM10003")
            .order_by(SegmentCriteriaLine.line_no)
        ).all()
        by_segment = dict(
            session.execute(
                select(SegmentLine.segment_no, func.count()).group_by(
                    SegmentLine.segment_no
                )
            ).all()
        )
    assert len(expected) == 12
    assert sorted(lines) == sorted(expected)
    assert views == ["Add Contacts", "Business Relation Code is PRESS"]
    # SM10001 and SM10004 both add the CUST relation; the value entry step is skipped.
    assert by_segment["SM10001"] == by_segment["SM10004"]
