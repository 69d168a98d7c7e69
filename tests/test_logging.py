"""Log Segment, its checks, follow-ups, canceling, reuse and concurrent logging."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from segments_module.criteria.model import ContactCriteria
from segments_module.db import session_scope
from segments_module.errors import ErrorCode, ServiceError
from segments_module.models import (
    Contact,
    InteractionLogEntry,
    LoggedSegment,
    SegmentHeader,
    SegmentLine,
)
from segments_module.services import logged_segments, segments
from segments_module.services.env import Actor, Env
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


def segment_with(engine, criteria: ContactCriteria, **values) -> str:
    values.setdefault("description", "Spring mailing")
    values.setdefault("interaction_template_code", "BUS")
    no = run(engine, segments.create_segment, values).no
    run(engine, segments.add_contacts, no, criteria)
    return no


def count(engine, statement) -> int:
    with session_scope(engine) as session:
        return session.scalar(statement)


def test_log_segment_writes_one_entry_per_line(world):
    no = segment_with(
        world, ContactCriteria(contact={"no": "P11|P21|C1"}), campaign_no="CP1"
    )

    result = run(world, logged_segments.log_segment, no)

    assert result.no_of_interactions == 3
    with session_scope(world) as session:
        logged = session.get(LoggedSegment, result.logged_segment.entry_no)
        entries = session.scalars(
            select(InteractionLogEntry).order_by(InteractionLogEntry.entry_no)
        ).all()
        assert session.get(SegmentHeader, no) is None
        assert session.scalar(select(func.count()).select_from(SegmentLine)) == 0
    assert (logged.segment_no, logged.description, logged.user_id) == (
        no,
        "Spring mailing",
        "marketing.user",
    )
    assert [entry.contact_no for entry in entries] == ["C1", "P11", "P21"]
    first = entries[1]
    assert first.logged_segment_entry_no == logged.entry_no
    assert first.segment_no == no
    assert first.interaction_template_code == "BUS"
    assert first.interaction_group_code == "LETTER"
    assert first.campaign_no == "CP1"
    assert first.subject == "Hello"
    assert first.cost == 8
    assert first.contact_company_no == "C1"
    assert entries[2].correspondence_type == "Email"
    assert entries[2].contact_via == "carl@beta.example"


def test_log_segment_twice_is_already_logged(world):
    no = segment_with(world, ContactCriteria(contact={"no": "P11"}))
    run(world, logged_segments.log_segment, no)

    with pytest.raises(ServiceError) as raised:
        run(world, logged_segments.log_segment, no)

    assert raised.value.errors[0].code == ErrorCode.ALREADY_LOGGED
    assert count(world, select(func.count()).select_from(LoggedSegment)) == 1


def test_log_segment_requires_description_and_lines(world):
    empty = run(world, segments.create_segment, {"description": "Empty"}).no
    untitled = segment_with(
        world, ContactCriteria(contact={"no": "P11"}), description=""
    )

    with pytest.raises(ServiceError) as no_lines:
        run(world, logged_segments.log_segment, empty)
    with pytest.raises(ServiceError) as no_description:
        run(world, logged_segments.log_segment, untitled)

    assert no_lines.value.errors[0].code == ErrorCode.EMPTY_SEGMENT
    assert no_description.value.errors[0].code == ErrorCode.REQUIRED
    assert no_description.value.errors[0].field == "description"


def test_log_segment_reports_every_failing_line(world):
    no = segment_with(world, ContactCriteria(contact={"no": "P11|P12|P21"}))
    with session_scope(world, write=True) as session:
        session.get(SegmentLine, (no, 10000)).date = None
        session.get(SegmentLine, (no, 20000)).salesperson_code = "GONE"
        third = session.get(SegmentLine, (no, 30000))
        third.correspondence_type = "Email"
        third.contact_via = ""
        session.delete(session.get(Contact, "P21"))

    with pytest.raises(ServiceError) as raised:
        run(world, logged_segments.log_segment, no)

    fields = [error.field for error in raised.value.errors]
    assert fields == [
        "lines[10000].date",
        "lines[20000].salespersonCode",
        "lines[30000].contactNo",
        "lines[30000].contactVia",
    ]
    assert all(error.code == ErrorCode.LINE_INVALID for error in raised.value.errors)
    assert "GONE" in raised.value.errors[1].message
    # Nothing was written and the segment is still open.
    assert count(world, select(func.count()).select_from(InteractionLogEntry)) == 0
    assert count(world, select(func.count()).where(SegmentLine.segment_no == no)) == 3


def test_log_segment_with_follow_up_has_same_contacts(world):
    no = segment_with(
        world, ContactCriteria(contact={"no": "P11|P21"}), campaign_no="CP1"
    )

    result = run(world, logged_segments.log_segment, no, create_follow_up=True)

    follow_up = result.follow_up_segment
    assert follow_up.description == f"Follow-up on segment {no}"
    assert follow_up.campaign_no == "CP1"
    with session_scope(world) as session:
        contacts = session.scalars(
            select(SegmentLine.contact_no)
            .where(SegmentLine.segment_no == follow_up.no)
            .order_by(SegmentLine.line_no)
        ).all()
    assert contacts == ["P11", "P21"]


def test_cancel_and_uncancel_logged_segment(world):
    no = segment_with(world, ContactCriteria(contact={"no": "P11|P21"}))
    entry_no = run(world, logged_segments.log_segment, no).logged_segment.entry_no

    run(world, logged_segments.set_logged_segment_canceled, entry_no, True)
    canceled = count(
        world, select(func.count()).where(InteractionLogEntry.canceled.is_(True))
    )
    run(world, logged_segments.set_logged_segment_canceled, entry_no, False)
    after = count(
        world, select(func.count()).where(InteractionLogEntry.canceled.is_(True))
    )

    assert canceled == 2
    assert after == 0


def test_follow_up_from_any_logged_segment(world):
    no = segment_with(world, ContactCriteria(contact={"no": "P11|P12"}))
    entry_no = run(world, logged_segments.log_segment, no).logged_segment.entry_no

    first = run(world, logged_segments.create_follow_up_segment, entry_no)
    second = run(world, logged_segments.create_follow_up_segment, entry_no)

    assert first.no != second.no
    assert (
        count(world, select(func.count()).where(SegmentLine.segment_no == second.no))
        == 2
    )


def test_reuse_logged_segment_skips_suppressed_contacts(world):
    no = segment_with(world, ContactCriteria(contact={"no": "P11|P12|P21"}))
    entry_no = run(world, logged_segments.log_segment, no).logged_segment.entry_no
    with session_scope(world, write=True) as session:
        session.get(Contact, "P11").exclude_from_segment = True
        session.get(Contact, "P12").privacy_blocked = True
    target = run(world, segments.create_segment, {"description": "Again"}).no

    result = run(world, segments.reuse_logged_segment, target, entry_no)

    assert result.affected_lines == 1
    assert [(skip.contact_no, skip.reason) for skip in result.skipped_contacts] == [
        ("P11", "excluded from segments"),
        ("P12", "privacy blocked"),
    ]


def test_concurrent_log_segment_logs_once(world):
    no = segment_with(world, ContactCriteria())
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def log_it():
        barrier.wait()
        try:
            run(world, logged_segments.log_segment, no)
            outcomes.append("logged")
        except ServiceError as error:
            outcomes.append(error.errors[0].code.value)

    threads = [threading.Thread(target=log_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["ALREADY_LOGGED", "logged"]
    assert count(world, select(func.count()).select_from(LoggedSegment)) == 1
    assert count(world, select(func.count()).select_from(InteractionLogEntry)) == 5


def test_create_segment_with_logged_number_is_rejected(world):
    no = segment_with(world, ContactCriteria(contact={"no": "P11"}))
    run(world, logged_segments.log_segment, no)

    with pytest.raises(ServiceError) as raised:
        run(world, segments.create_segment, {"no": no, "description": "x"})

    assert raised.value.errors[0].code == ErrorCode.ALREADY_LOGGED


def test_log_segment_requires_a_template_per_line(world):
    no = segment_with(
        world, ContactCriteria(contact={"no": "P11"}), interaction_template_code=""
    )

    with pytest.raises(ServiceError) as raised:
        run(world, logged_segments.log_segment, no)

    assert raised.value.errors[0].field == "lines[10000].interactionTemplateCode"
    assert "no interaction template" in raised.value.errors[0].message
