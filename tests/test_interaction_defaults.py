"""Header from template, lines from header and contact, host events, template CRUD."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from segments_module.criteria.model import ContactCriteria
from segments_module.db import session_scope
from segments_module.errors import ErrorCode, ServiceError
from segments_module.models import Attachment, InteractionTemplate, SegmentLine
from segments_module.services import host_events, interactions, segments
from segments_module.services.defaults import NO_EMAIL_NOTE
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


def lines_by_contact(engine, segment_no: str) -> dict[str, SegmentLine]:
    with session_scope(engine) as session:
        rows = session.scalars(
            select(SegmentLine).where(SegmentLine.segment_no == segment_no)
        )
        return {line.contact_no: line for line in rows}


def filled_segment(engine, contact_filter: str = "C1|P11|P12|C2|P21", **values) -> str:
    values.setdefault("description", "Spring mailing")
    no = run(engine, segments.create_segment, values).no
    run(
        engine,
        segments.add_contacts,
        no,
        ContactCriteria(contact={"no": contact_filter}),
    )
    return no


def test_header_takes_template_defaults(world):
    header = run(
        world,
        segments.create_segment,
        {"description": "x", "interaction_template_code": "BUS"},
    )

    assert header.interaction_group_code == "LETTER"
    assert header.unit_cost == 8
    assert header.unit_duration == 30
    assert header.information_flow == "Outbound"
    assert header.initiated_by == "Us"
    assert header.language_code_default == "ENG"
    assert header.correspondence_type_default == "Hard Copy"
    assert header.subject_default == "Hello"


def test_line_language_follows_contact_when_template_has_it(world):
    no = filled_segment(world, interaction_template_code="BUS")
    with session_scope(world, write=True) as session:
        session.get(InteractionTemplate, "BUS")  # template has ENG and DEU

    lines = lines_by_contact(world, no)

    assert (lines["P11"].language_code, lines["P11"].subject) == ("ENG", "Hello")
    assert (lines["P21"].language_code, lines["P21"].subject) == ("DEU", "Hallo")


def test_line_language_falls_back_to_header_default(world):
    run(world, interactions.delete_template_language, "BUS", "DEU")

    no = filled_segment(world, interaction_template_code="BUS")

    assert lines_by_contact(world, no)["P21"].language_code == "ENG"
    assert lines_by_contact(world, no)["P21"].subject == "Hello"


def test_line_salesperson_header_first_then_contact(world):
    own = filled_segment(world)
    forced = filled_segment(world, salesperson_code="JO")

    assert lines_by_contact(world, own)["P21"].salesperson_code == "HR"
    assert lines_by_contact(world, forced)["P21"].salesperson_code == "JO"


def test_line_correspondence_type_rules(world):
    # Template BUS: default Hard Copy, does not ignore the contact's type.
    contact_first = filled_segment(world, interaction_template_code="BUS")
    header_forced = filled_segment(
        world,
        interaction_template_code="BUS",
        ignore_contact_corres_type=True,
        correspondence_type_default="Email",
    )

    lines = lines_by_contact(world, contact_first)
    forced = lines_by_contact(world, header_forced)

    assert lines["P21"].correspondence_type == "Email"  # the contact's own type
    assert lines["P21"].contact_via == "carl@beta.example"
    assert lines["P11"].correspondence_type == "Hard Copy"  # contact has none
    assert forced["P11"].correspondence_type == "Email"
    assert forced["P11"].contact_via == "anna@alpha.example"
    # P12 prefers Email but has no address: blank, with the reason.
    assert lines["P12"].correspondence_type == ""
    assert lines["P12"].correspondence_type_note == NO_EMAIL_NOTE
    assert forced["C1"].correspondence_type == ""


def test_template_that_ignores_contact_type_wins(world):
    run(
        world,
        interactions.update_interaction_template,
        "BUS",
        {"ignore_contact_corres_type": True},
    )

    no = filled_segment(world, interaction_template_code="BUS")

    assert lines_by_contact(world, no)["P21"].correspondence_type == "Hard Copy"


def test_line_override_of_language_brings_subject(world):
    no = filled_segment(world, "P11", interaction_template_code="BUS")

    line = run(world, segments.update_segment_line, no, 10000, {"language_code": "DEU"})

    assert (line.language_code, line.subject) == ("DEU", "Hallo")


def test_line_attachment_edit_makes_it_unique(world):
    no = filled_segment(world, "P11", interaction_template_code="BUS")
    with session_scope(world, write=True) as session:
        session.add(Attachment(no=7, file_name="letter.docx"))

    line = run(world, segments.update_segment_line, no, 10000, {"attachment_no": None})
    edited = run(world, segments.update_segment_line, no, 10000, {"attachment_no": 7})

    assert line.attachment_is_unique is False
    assert edited.attachment_is_unique is True


def test_line_email_without_address_is_rejected(world):
    no = filled_segment(world, "P12")

    with pytest.raises(ServiceError) as raised:
        run(
            world,
            segments.update_segment_line,
            no,
            10000,
            {"correspondence_type": "Email"},
        )

    assert raised.value.errors[0].field == "input.correspondenceType"
    assert "no e-mail address" in raised.value.errors[0].message


def test_line_rejects_unknown_option_and_field(world):
    no = filled_segment(world, "P11")

    with pytest.raises(ServiceError) as bad_option:
        run(world, segments.update_segment_line, no, 10000, {"evaluation": "Great"})
    with pytest.raises(ServiceError) as bad_field:
        run(world, segments.update_segment_line, no, 10000, {"contact_no": "P12"})

    assert bad_option.value.errors[0].code == ErrorCode.INVALID
    assert "'Very Positive'" in bad_option.value.errors[0].message
    assert bad_field.value.errors[0].field == "input.contactNo"


def test_template_change_with_update_lines_updates_all_lines(world):
    run(
        world,
        interactions.create_interaction_template,
        {
            "code": "MEMO",
            "interaction_group_code": "LETTER",
            "unit_cost": 2,
        },
    )
    no = filled_segment(world, "P11|P21", interaction_template_code="BUS")

    run(
        world,
        segments.update_segment,
        no,
        {"interaction_template_code": "MEMO"},
        update_lines=True,
    )

    lines = lines_by_contact(world, no)
    assert {line.interaction_template_code for line in lines.values()} == {"MEMO"}
    assert {line.cost for line in lines.values()} == {2}


def test_host_contact_deleted_leaves_no_line(world):
    no = filled_segment(world, "P11|P12")

    removed = run(world, host_events.on_contact_deleted, "P11")

    assert removed == 1
    assert list(lines_by_contact(world, no)) == ["P12"]


def test_host_company_changed_updates_lines(world):
    no = filled_segment(world, "P11")

    run(
        world,
        host_events.handle_host_event,
        host_events.HostEvent(host_events.HostEventKind.COMPANY_CHANGED, "P11", "C2"),
    )

    assert lines_by_contact(world, no)["P11"].contact_company_no == "C2"


def test_host_privacy_block_and_exclusion_remove_lines(world):
    no = filled_segment(world, "P11|P12|P21")

    run(world, host_events.on_contact_privacy_blocked, "P11")
    run(world, host_events.on_contact_excluded, "P12")

    assert list(lines_by_contact(world, no)) == ["P21"]


def test_interaction_group_and_template_crud(world):
    run(
        world,
        interactions.create_interaction_group,
        {"code": "EMAIL", "description": "E-mails"},
    )
    run(
        world,
        interactions.create_interaction_template,
        {
            "code": "NEWS",
            "interaction_group_code": "EMAIL",
            "correspondence_type_default": "Email",
        },
    )
    run(
        world,
        interactions.set_template_language,
        "NEWS",
        "DEU",
        {"subject": "Neuigkeiten"},
    )

    with pytest.raises(ServiceError) as in_use:
        run(world, interactions.delete_interaction_group, "EMAIL")
    with pytest.raises(ServiceError) as duplicate:
        run(world, interactions.create_interaction_group, {"code": "EMAIL"})
    with pytest.raises(ServiceError) as no_group:
        run(world, interactions.create_interaction_template, {"code": "X"})
    run(world, interactions.delete_interaction_template, "NEWS")
    run(world, interactions.delete_interaction_group, "EMAIL")

    assert in_use.value.errors[0].code == ErrorCode.INVALID
    assert duplicate.value.errors[0].code == ErrorCode.DUPLICATE
    assert no_group.value.errors[0].field == "input.interactionGroupCode"


def test_line_rejects_unknown_attachment_and_language(world):
    no = filled_segment(world, "P11")

    with pytest.raises(ServiceError) as raised:
        run(
            world,
            segments.update_segment_line,
            no,
            10000,
            {"attachment_no": 424242, "language_code": "zzz"},
        )

    fields = sorted(error.field for error in raised.value.errors)
    assert fields == ["input.attachmentNo", "input.languageCode"]
    assert (
        "'ZZZ' was not found"
        in raised.value.errors[0].message + raised.value.errors[1].message
    )


def test_header_reports_every_bad_field(world):
    with pytest.raises(ServiceError) as raised:
        run(
            world,
            segments.create_segment,
            {
                "description": "a\x00b",
                "unit_cost": "NaN",
                "unit_duration": -5,
                "salesperson_code": "zz",
                "information_flow": "Sideways",
            },
        )

    fields = sorted(error.field for error in raised.value.errors)
    assert fields == [
        "input.description",
        "input.informationFlow",
        "input.salespersonCode",
        "input.unitCost",
        "input.unitDuration",
    ]


def test_header_amounts_round_to_cents_and_codes_upper_case(world):
    header = run(
        world,
        segments.create_segment,
        {
            "no": "sm20001",
            "description": "x",
            "unit_cost": "0.125",
            "salesperson_code": "jo",
        },
    )

    assert header.no == "SM20001"
    assert header.unit_cost == Decimal("0.13")
    assert header.salesperson_code == "JO"
    same = run(world, segments.get_segment, "sm20001")
    assert same.no == "SM20001"


def test_campaign_target_needs_campaign(world):
    with pytest.raises(ServiceError) as raised:
        run(
            world,
            segments.create_segment,
            {"description": "x", "campaign_target": True},
        )

    assert raised.value.errors[0].field == "input.campaignTarget"
