"""Add, Reduce, Refine, manual lines and Go Back on a small hand-made contact set."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from segments_module.criteria.model import ContactCriteria
from segments_module.db import session_scope
from segments_module.errors import ErrorCode, ServiceError
from segments_module.models import (
    Contact,
    SegmentCriteriaLine,
    SegmentHistory,
    SegmentLine,
)
from segments_module.services import segments
from segments_module.services.env import Actor, Env
from segments_module.services.results import AddContactsOptions
from tests.factories import load_small_world

ACTOR = Actor("marketing.user")


@pytest.fixture
def world(engine):
    with session_scope(engine, write=True) as session:
        load_small_world(session)
    return engine


def run(engine, action, *args, **kwargs):
    with session_scope(engine, write=True) as session:
        return action(Env(session, ACTOR), *args, **kwargs)


def line_contacts(engine, segment_no: str) -> list[str]:
    with session_scope(engine) as session:
        return list(
            session.scalars(
                select(SegmentLine.contact_no)
                .where(SegmentLine.segment_no == segment_no)
                .order_by(SegmentLine.line_no)
            )
        )


def new_segment(engine, **values) -> str:
    values.setdefault("description", "Spring mailing")
    return run(engine, segments.create_segment, values).no


def test_add_contacts_orders_and_numbers_lines(world):
    no = new_segment(world)

    result = run(world, segments.add_contacts, no, ContactCriteria())

    # Excluded P22 and privacy-blocked P23 are skipped; companies come first.
    assert result.affected_lines == 5
    assert line_contacts(world, no) == ["C1", "P11", "P12", "C2", "P21"]
    with session_scope(world) as session:
        line_nos = session.scalars(
            select(SegmentLine.line_no).where(SegmentLine.segment_no == no)
        ).all()
    assert sorted(line_nos) == [10000, 20000, 30000, 40000, 50000]


def test_add_contacts_skips_existing_unless_allowed(world):
    no = new_segment(world)
    run(world, segments.add_contacts, no, ContactCriteria(contact={"no": "P11"}))

    again = run(
        world, segments.add_contacts, no, ContactCriteria(contact={"no": "P1*"})
    )
    allowed = run(
        world,
        segments.add_contacts,
        no,
        ContactCriteria(contact={"no": "P11"}),
        AddContactsOptions(allow_existing_contacts=True),
    )

    assert again.affected_lines == 1
    assert allowed.affected_lines == 1
    assert line_contacts(world, no) == ["P11", "P12", "P11"]


def test_add_contacts_expand_contact_adds_company_members(world):
    no = new_segment(world)

    result = run(
        world,
        segments.add_contacts,
        no,
        ContactCriteria(contact={"no": "C1"}),
        AddContactsOptions(expand_contact=True),
    )

    assert result.affected_lines == 3
    assert line_contacts(world, no) == ["C1", "P11", "P12"]


def test_add_contacts_company_with_persons(world):
    no = new_segment(world)

    result = run(
        world,
        segments.add_contacts,
        no,
        ContactCriteria(contact={"no": "P21"}),
        AddContactsOptions(allow_company_with_persons=True),
    )

    assert result.affected_lines == 2
    assert line_contacts(world, no) == ["C2", "P21"]


def test_add_contacts_ignore_exclusion_never_adds_blocked(world):
    no = new_segment(world)

    result = run(
        world,
        segments.add_contacts,
        no,
        ContactCriteria(contact={"company_no": "C2"}),
        AddContactsOptions(ignore_exclusion=True),
    )

    assert result.affected_lines == 3
    assert line_contacts(world, no) == ["C2", "P21", "P22"]


def test_add_contacts_suppression_applies_to_any_of(world):
    no = new_segment(world)
    criteria = ContactCriteria(
        any_of=[
            ContactCriteria(contact={"no": "P22"}),
            ContactCriteria(contact={"no": "P23"}),
        ]
    )

    result = run(world, segments.add_contacts, no, criteria)

    assert result.affected_lines == 0


def test_add_contacts_invalid_filter_changes_nothing(world):
    no = new_segment(world)

    with pytest.raises(ServiceError) as raised:
        run(
            world,
            segments.add_contacts,
            no,
            ContactCriteria(contact={"country_code": "GB||"}),
        )

    error = raised.value.errors[0]
    assert error.code == ErrorCode.INVALID_FILTER
    assert error.field == "criteria.contact.countryCode"
    assert line_contacts(world, no) == []


def test_add_contacts_unknown_segment_is_not_found(world):
    with pytest.raises(ServiceError) as raised:
        run(world, segments.add_contacts, "NOPE", ContactCriteria())

    assert raised.value.errors[0].code == ErrorCode.NOT_FOUND
    assert "NOPE" in raised.value.errors[0].message


def test_reduce_removes_matching_lines(world):
    no = new_segment(world)
    run(world, segments.add_contacts, no, ContactCriteria())

    result = run(
        world,
        segments.reduce_contacts,
        no,
        ContactCriteria(contact={"country_code": "DE"}),
    )

    assert result.affected_lines == 2
    assert line_contacts(world, no) == ["C1", "P11", "P12"]


def test_reduce_entire_companies_removes_whole_company(world):
    no = new_segment(world)
    run(world, segments.add_contacts, no, ContactCriteria())

    result = run(
        world,
        segments.reduce_contacts,
        no,
        ContactCriteria(contact={"no": "P12"}),
        entire_companies=True,
    )

    assert result.affected_lines == 3
    assert line_contacts(world, no) == ["C2", "P21"]


def test_refine_keeps_matching_lines(world):
    no = new_segment(world)
    run(world, segments.add_contacts, no, ContactCriteria())

    result = run(
        world, segments.refine_contacts, no, ContactCriteria(mailing_group="X-CARD")
    )

    assert result.affected_lines == 3
    assert line_contacts(world, no) == ["P11", "P21"]


def test_refine_entire_companies_keeps_whole_company(world):
    no = new_segment(world)
    run(world, segments.add_contacts, no, ContactCriteria())

    result = run(
        world,
        segments.refine_contacts,
        no,
        ContactCriteria(contact={"no": "P11"}),
        entire_companies=True,
    )

    assert result.affected_lines == 2
    assert line_contacts(world, no) == ["C1", "P11", "P12"]


def test_reduce_matches_contact_as_it_is_now(world):
    no = new_segment(world)
    run(world, segments.add_contacts, no, ContactCriteria(contact={"no": "P12"}))
    with session_scope(world, write=True) as session:
        session.get(Contact, "P12").company_no = "C2"

    run(
        world,
        segments.reduce_contacts,
        no,
        ContactCriteria(contact={"company_no": "C2"}),
    )

    assert line_contacts(world, no) == []


def test_go_back_restores_prior_state_exactly(world):
    no = new_segment(world)
    run(world, segments.add_contacts, no, ContactCriteria(contact={"no": "P11"}))
    run(world, segments.update_segment_line, no, 10000, {"evaluation": "Positive"})
    run(
        world,
        segments.add_contacts,
        no,
        ContactCriteria(contact={"no": "P11|P12"}),
        AddContactsOptions(allow_existing_contacts=True),
    )
    run(world, segments.reduce_contacts, no, ContactCriteria(contact={"no": "P11"}))
    assert line_contacts(world, no) == ["P12"]

    undo_reduce = run(world, segments.go_back, no)
    restored = line_contacts(world, no)
    undo_add = run(world, segments.go_back, no)

    assert undo_reduce.affected_lines == 2
    assert restored == ["P11", "P11", "P12"]
    assert undo_add.affected_lines == 2
    # The line that existed before the re-add stays, with its edited value.
    with session_scope(world) as session:
        lines = session.scalars(
            select(SegmentLine).where(SegmentLine.segment_no == no)
        ).all()
        history = session.scalars(select(SegmentHistory)).all()
        criteria = session.scalars(select(SegmentCriteriaLine.action_no)).all()
    assert [(line.line_no, line.contact_no, line.evaluation) for line in lines] == [
        (10000, "P11", "Positive")
    ]
    assert {row.action_no for row in history} == {1}
    assert set(criteria) == {1}


def test_go_back_without_actions_is_an_error(world):
    no = new_segment(world)

    with pytest.raises(ServiceError) as raised:
        run(world, segments.go_back, no)

    assert raised.value.errors[0].code == ErrorCode.NOTHING_TO_UNDO


def test_criteria_lines_record_action_and_filters(world):
    no = new_segment(world)

    run(
        world,
        segments.add_contacts,
        no,
        ContactCriteria(
            contact={"country_code": "GB", "type": "Person"}, mailing_group="X-CARD"
        ),
        AddContactsOptions(expand_contact=True),
    )

    with session_scope(world) as session:
        lines = session.scalars(
            select(SegmentCriteriaLine).order_by(SegmentCriteriaLine.line_no)
        ).all()
    assert lines[0].type == "Action"
    assert lines[0].action == "Add Contacts"
    assert lines[0].expand_contact is True
    # Filters follow the order of the contact fields, then the other sources.
    assert [(line.source, line.field, line.filter) for line in lines[1:]] == [
        ("contact", "type", "Person"),
        ("contact", "country_code", "GB"),
        ("mailing_group", "mailing_group_code", "X-CARD"),
    ]
    assert all(line.view for line in lines[1:])


def test_manual_line_is_an_undoable_add(world):
    no = new_segment(world)

    result = run(
        world, segments.add_segment_line, no, "P22", {"subject": "Personal note"}
    )

    assert result.affected_lines == 1
    with session_scope(world) as session:
        line = session.get(SegmentLine, (no, 10000))
        action = session.scalars(select(SegmentCriteriaLine)).first()
    assert line.contact_no == "P22"
    assert line.subject == "Personal note"
    assert action.action == "Add Contacts"
    assert action.manual is True
    run(world, segments.go_back, no)
    assert line_contacts(world, no) == []


def test_manual_line_rejects_blocked_and_unknown_contacts(world):
    no = new_segment(world)

    with pytest.raises(ServiceError) as blocked:
        run(world, segments.add_segment_line, no, "P23")
    with pytest.raises(ServiceError) as unknown:
        run(world, segments.add_segment_line, no, "X99")

    assert blocked.value.errors[0].field == "contactNo"
    assert "privacy blocked" in blocked.value.errors[0].message
    assert unknown.value.errors[0].code == ErrorCode.NOT_FOUND


def test_delete_line_is_an_undoable_reduce(world):
    no = new_segment(world)
    run(world, segments.add_contacts, no, ContactCriteria(contact={"no": "P11|P12"}))

    result = run(world, segments.delete_segment_line, no, 10000)

    assert result.affected_lines == 1
    assert line_contacts(world, no) == ["P12"]
    run(world, segments.go_back, no)
    assert line_contacts(world, no) == ["P11", "P12"]


def test_save_and_reuse_criteria_gives_same_contacts(world):
    first = new_segment(world)
    run(world, segments.add_contacts, first, ContactCriteria())
    run(
        world,
        segments.refine_contacts,
        first,
        ContactCriteria(contact={"no": "P11"}),
        entire_companies=True,
    )
    run(world, segments.save_segment_criteria, first, "ALPHA", "Alpha staff")
    second = new_segment(world)

    result = run(world, segments.reuse_segment_criteria, second, "ALPHA")

    assert line_contacts(world, second) == line_contacts(world, first)
    assert result.affected_lines == 5 + 2
    with session_scope(world) as session:
        refine = session.scalars(
            select(SegmentCriteriaLine).where(
                SegmentCriteriaLine.segment_no == second,
                SegmentCriteriaLine.action == "Remove Contacts - Refine",
                SegmentCriteriaLine.type == "Action",
            )
        ).one()
    assert refine.entire_companies is True


def test_save_criteria_rejects_duplicate_code_and_empty_segment(world):
    no = new_segment(world)
    with pytest.raises(ServiceError) as empty:
        run(world, segments.save_segment_criteria, no, "EMPTY", "")
    run(world, segments.add_contacts, no, ContactCriteria(contact={"no": "P11"}))
    run(world, segments.save_segment_criteria, no, "ONE", "")

    with pytest.raises(ServiceError) as duplicate:
        run(world, segments.save_segment_criteria, no, "ONE", "")

    assert "no criteria actions" in empty.value.errors[0].message
    assert duplicate.value.errors[0].code == ErrorCode.DUPLICATE


def test_refresh_reruns_criteria_and_keeps_manual_edits(world):
    no = new_segment(world)
    run(
        world,
        segments.add_contacts,
        no,
        ContactCriteria(contact={"country_code": "GB"}),
    )
    run(world, segments.add_segment_line, no, "P21")
    run(world, segments.delete_segment_line, no, 10000)  # C1, removed by hand
    with session_scope(world, write=True) as session:
        session.get(Contact, "P21").country_code = "GB"  # P21 now matches the criteria
        session.get(Contact, "P12").country_code = "FR"  # P12 no longer does

    result = run(world, segments.refresh_segment, no)

    assert sorted(line_contacts(world, no)) == ["P11", "P21", "P21"]
    assert result.affected_lines == 2  # P12 removed, a second P21 added


def test_update_segment_update_lines_follows_template_lines(world):
    no = new_segment(world, interaction_template_code="BUS")
    run(world, segments.add_contacts, no, ContactCriteria(contact={"no": "P11|P12"}))
    run(
        world,
        segments.update_segment_line,
        no,
        20000,
        {"interaction_template_code": ""},
    )

    run(
        world,
        segments.update_segment,
        no,
        {"unit_cost": 12, "description": "New"},
        update_lines=True,
    )

    with session_scope(world) as session:
        lines = session.scalars(
            select(SegmentLine)
            .where(SegmentLine.segment_no == no)
            .order_by(SegmentLine.line_no)
        ).all()
    assert (lines[0].cost, lines[0].description) == (12, "New")
    assert (lines[1].cost, lines[1].description) == (8, "Spring mailing")


def test_update_segment_without_update_lines_leaves_lines(world):
    no = new_segment(world, interaction_template_code="BUS")
    run(world, segments.add_contacts, no, ContactCriteria(contact={"no": "P11"}))

    run(world, segments.update_segment, no, {"unit_cost": 12})

    with session_scope(world) as session:
        assert session.get(SegmentLine, (no, 10000)).cost == 8


def test_create_segment_rejects_unknown_codes(world):
    with pytest.raises(ServiceError) as raised:
        run(
            world,
            segments.create_segment,
            {"description": "x", "salesperson_code": "ZZ", "campaign_no": "NOPE"},
        )

    fields = {error.field for error in raised.value.errors}
    assert fields == {"input.salespersonCode", "input.campaignNo"}


def test_create_segment_numbers_from_series(world):
    first = new_segment(world)
    second = new_segment(world)

    assert (first, second) == ("SM10001", "SM10002")


def test_delete_segment_removes_lines(world):
    no = new_segment(world)
    run(world, segments.add_contacts, no, ContactCriteria())

    run(world, segments.delete_segment, no)

    assert line_contacts(world, no) == []
    with pytest.raises(ServiceError):
        run(world, segments.get_segment, no)


def test_line_numbers_pass_32_bits(world):
    # 214,749 lines in steps of 10000 pass 2**31; the columns are 64-bit.
    no = new_segment(world)
    with session_scope(world, write=True) as session:
        session.add(SegmentLine(segment_no=no, line_no=3_000_000_000, contact_no="P11"))

    run(world, segments.add_contacts, no, ContactCriteria(contact={"no": "P12"}))
    run(world, segments.reduce_contacts, no, ContactCriteria(contact={"no": "P12"}))
    run(world, segments.go_back, no)

    with session_scope(world) as session:
        line_nos = session.scalars(
            select(SegmentLine.line_no)
            .where(SegmentLine.segment_no == no)
            .order_by(SegmentLine.line_no)
        ).all()
    assert line_nos == [3_000_000_000, 3_000_010_000]
