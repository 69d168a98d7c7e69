"""GraphQL queries: lists with pagination and filters, single objects, enums."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert
from starlette.testclient import TestClient

from graphql_api.app import create_app
from segments_module.db import session_scope
from segments_module.models import (
    InteractionLogEntry,
    LoggedSegment,
    SavedSegmentCriteria,
    SavedSegmentCriteriaLine,
    SegmentCriteriaLine,
    SegmentHeader,
    SegmentHistory,
    SegmentLine,
)
from tests.factories import load_small_world

SEGMENTS = """
query Segments($first: Int, $after: String, $last: Int, $before: String,
               $orderBy: SegmentOrder) {
  segments(first: $first, after: $after, last: $last, before: $before,
           orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { no description date } }
  }
}
"""

SEGMENT = """
query Segment($no: String!, $first: Int, $after: String) {
  segment(no: $no) {
    no description salespersonCode interactionTemplateCode correspondenceTypeDefault
    informationFlow initiatedBy unitCost unitDuration campaignTarget
    noOfLines cost duration noOfCriteriaActions
    lines(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { node {
        lineNo contactNo contactName contactCompanyNo correspondenceType
        correspondenceTypeNote cost duration evaluation
      } }
    }
    criteria { lineNo type actionNo action allowExistingContacts entireCompanies
               path source field filter view }
    history(first: 10) { totalCount edges { node { actionNo lineNo contactNo kind } } }
  }
}
"""

LOGGED_SEGMENTS = """
query LoggedSegments($filter: LoggedSegmentFilter, $first: Int, $after: String) {
  loggedSegments(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      entryNo segmentNo description creationDate userId canceled noOfInteractions
      interactionLogEntries(first: 2) {
        totalCount pageInfo { hasNextPage } edges { node { entryNo contactNo } }
      }
    } }
  }
}
"""

LOGGED_SEGMENT = """
query LoggedSegment($entryNo: Int!, $after: String) {
  loggedSegment(entryNo: $entryNo) {
    entryNo noOfInteractions
    interactionLogEntries(first: 2, after: $after) {
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { node { entryNo } }
    }
  }
}
"""

INTERACTION_LOG_ENTRIES = """
query Entries($filter: InteractionLogEntryFilter, $first: Int, $after: String) {
  interactionLogEntries(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      entryNo contactNo contactCompanyNo date description subject informationFlow
      initiatedBy evaluation correspondenceType cost duration segmentNo
      loggedSegmentEntryNo deliveryStatus canceled userId
    } }
  }
}
"""

TEMPLATES_AND_GROUPS = """
{
  interactionTemplates(first: 10) {
    totalCount
    edges { node {
      code interactionGroupCode unitCost informationFlow initiatedBy
      correspondenceTypeDefault languageCodeDefault
      languages { languageCode description subject }
    } }
  }
  interactionGroups { edges { node { code description } } }
}
"""

SAVED_CRITERIA = """
{
  savedSegmentCriteria(first: 5) {
    totalCount
    edges { node { code description userId lines { lineNo type action filter } } }
  }
}
"""

CONTACTS = """
query Contacts($criteria: ContactCriteriaInput, $first: Int, $after: String) {
  contacts(criteria: $criteria, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { no name type correspondenceType excludeFromSegment privacyBlocked } }
  }
}
"""


def assert_no_errors(response) -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("errors") is None, body["errors"]
    return body["data"]


def execute(client: TestClient, query: str, **variables):
    return client.post("/graphql", json={"query": query, "variables": variables})


@pytest.fixture
def world_engine(engine):
    with session_scope(engine, write=True) as session:
        load_small_world(session)
    return engine


@pytest.fixture
def client(world_engine):
    with TestClient(create_app(engine=world_engine)) as client:
        yield client


def add_segments(engine, *headers: dict) -> None:
    with session_scope(engine, write=True) as session:
        session.execute(insert(SegmentHeader), list(headers))


def add_lines(engine, segment_no: str, contact_nos: list[str]) -> None:
    with session_scope(engine, write=True) as session:
        session.execute(
            insert(SegmentLine),
            [
                {
                    "segment_no": segment_no,
                    "line_no": 10000 * (index + 1),
                    "contact_no": contact_no,
                    "contact_company_no": contact_no[:2].replace("P", "C"),
                    "cost": Decimal("2.50"),
                    "duration": Decimal(3),
                    "correspondence_type": "Hard Copy",
                    "correspondence_type_note": "",
                    "evaluation": "",
                }
                for index, contact_no in enumerate(contact_nos)
            ],
        )


def add_logged_segment(engine, entry_no: int, segment_no: str, contact_nos, **values):
    with session_scope(engine, write=True) as session:
        session.execute(
            insert(LoggedSegment),
            [
                dict(
                    {
                        "entry_no": entry_no,
                        "segment_no": segment_no,
                        "description": f"Logged {segment_no}",
                        "creation_date": date(2026, 3, 1),
                        "created_at": datetime(2026, 3, 1, 9, 0),
                        "user_id": "marketing.user",
                    },
                    **values,
                )
            ],
        )
        session.execute(
            insert(InteractionLogEntry),
            [
                {
                    "entry_no": entry_no * 100 + index,
                    "contact_no": contact_no,
                    "segment_no": segment_no,
                    "logged_segment_entry_no": entry_no,
                    "description": f"Logged {segment_no}",
                    "information_flow": "Outbound",
                    "initiated_by": "Us",
                    "correspondence_type": "Email",
                    "evaluation": "Very Positive",
                    "delivery_status": "",
                    "canceled": values.get("canceled", False),
                    "date": date(2026, 3, 1),
                }
                for index, contact_no in enumerate(contact_nos)
            ],
        )


def all_pages(client, query: str, field: str, size: int, **variables) -> list[dict]:
    """Follow endCursor through the whole list and return every node."""
    nodes, after = [], None
    while True:
        data = assert_no_errors(
            execute(client, query, first=size, after=after, **variables)
        )
        connection = data[field]
        nodes.extend(edge["node"] for edge in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


# --- segments -----------------------------------------------------------------


def test_segments_pages_forward_by_no(client, world_engine):
    # given
    add_segments(
        world_engine, *({"no": f"SM{i:03}", "description": "x"} for i in range(7))
    )

    # when
    first_page = assert_no_errors(execute(client, SEGMENTS, first=3))["segments"]
    nodes = all_pages(client, SEGMENTS, "segments", 3)

    # then
    assert first_page["totalCount"] == 7
    assert [edge["node"]["no"] for edge in first_page["edges"]] == [
        "SM000",
        "SM001",
        "SM002",
    ]
    assert first_page["pageInfo"]["hasNextPage"] is True
    assert first_page["pageInfo"]["hasPreviousPage"] is False
    assert [node["no"] for node in nodes] == [f"SM{i:03}" for i in range(7)]


def test_segments_pages_backward_with_last_before(client, world_engine):
    # given
    add_segments(
        world_engine, *({"no": f"SM{i:03}", "description": "x"} for i in range(5))
    )

    # when
    last_page = assert_no_errors(execute(client, SEGMENTS, last=2))["segments"]
    before = last_page["pageInfo"]["startCursor"]
    previous_page = assert_no_errors(execute(client, SEGMENTS, last=2, before=before))

    # then
    assert [edge["node"]["no"] for edge in last_page["edges"]] == ["SM003", "SM004"]
    assert last_page["pageInfo"]["hasPreviousPage"] is True
    previous = previous_page["segments"]
    assert [edge["node"]["no"] for edge in previous["edges"]] == ["SM001", "SM002"]
    assert previous["pageInfo"]["hasNextPage"] is True


def test_segments_cursor_stable_with_tied_dates(client, world_engine):
    # given: six segments share one date, two have none
    same_day = date(2026, 5, 1)
    add_segments(
        world_engine,
        *(
            {"no": f"T{i}", "description": "tie", "date": same_day}
            for i in (5, 1, 4, 2, 6, 3)
        ),
        {"no": "N1", "description": "no date", "date": None},
        {"no": "N2", "description": "no date", "date": None},
        {"no": "L1", "description": "later", "date": date(2026, 6, 1)},
    )
    order = {"field": "DATE", "direction": "ASC"}

    # when
    nodes = all_pages(client, SEGMENTS, "segments", 2, orderBy=order)
    descending = all_pages(
        client, SEGMENTS, "segments", 4, orderBy={"field": "DATE", "direction": "DESC"}
    )

    # then: every segment once, ties in no. order, undated first
    expected = ["N1", "N2", "T1", "T2", "T3", "T4", "T5", "T6", "L1"]
    assert [node["no"] for node in nodes] == expected
    assert [node["no"] for node in descending] == list(reversed(expected))


def test_segments_cursor_stays_valid_after_insert(client, world_engine):
    # given
    add_segments(
        world_engine, *({"no": f"SM{i}", "description": "d"} for i in (1, 3, 5))
    )
    page = assert_no_errors(execute(client, SEGMENTS, first=2))["segments"]

    # when: a row is inserted before the cursor
    add_segments(world_engine, {"no": "SM0", "description": "d"})
    next_page = assert_no_errors(
        execute(client, SEGMENTS, first=2, after=page["pageInfo"]["endCursor"])
    )["segments"]

    # then: the next page starts right after SM3, nothing repeated or skipped
    assert [edge["node"]["no"] for edge in next_page["edges"]] == ["SM5"]


def test_segments_page_size_cap(client, world_engine):
    # when
    allowed = execute(client, SEGMENTS, first=500)
    too_many = execute(client, SEGMENTS, first=501)

    # then
    assert_no_errors(allowed)
    error = too_many.json()["errors"][0]
    assert "maximum page size of 500" in error["message"]
    assert error["extensions"]["code"] == "INVALID"


def test_segments_invalid_cursor_is_client_error(client, world_engine):
    # when
    response = execute(client, SEGMENTS, first=2, after="not-a-cursor")
    other_list = assert_no_errors(execute(client, CONTACTS, first=1))["contacts"]
    foreign = execute(
        client, SEGMENTS, first=2, after=other_list["pageInfo"]["endCursor"]
    )

    # then
    assert "Invalid cursor 'not-a-cursor'" in response.json()["errors"][0]["message"]
    assert "Invalid cursor" in foreign.json()["errors"][0]["message"]


def forged_cursor(kind: str, values: list) -> str:
    payload = json.dumps([kind, values]).encode()
    return base64.urlsafe_b64encode(payload).decode()


@pytest.mark.parametrize(
    "values",
    [
        [None],
        [{"a": 1}],
        [["SM1"]],
        [7],
        [True],
        ["SM1\u0000"],
    ],
    ids=["null", "object", "list", "number", "bool", "nul-character"],
)
def test_contacts_forged_cursor_value_is_client_error(client, values):
    # given: a cursor of the right list whose value is not a contact no.
    cursor = forged_cursor("contact", values)

    # when
    response = execute(client, CONTACTS, first=2, after=cursor)

    # then
    error = response.json()["errors"][0]
    assert error["message"].startswith("Invalid cursor ")
    assert "for a contact list" in error["message"]
    assert error["extensions"]["code"] == "INVALID"


@pytest.mark.parametrize(
    ("values", "order"),
    [
        (["2026-05-01", 3], "DATE"),
        (["not a date", "T1"], "DATE"),
        ([20260501, "T1"], "DATE"),
        ([None, "T1"], "DESCRIPTION"),
    ],
    ids=["number-for-no", "bad-date", "number-for-date", "null-description"],
)
def test_segments_forged_cursor_of_two_keys_is_client_error(client, values, order):
    # given
    cursor = forged_cursor(f"segment by {order.lower()}", values)

    # when
    response = execute(
        client, SEGMENTS, first=2, after=cursor, orderBy={"field": order}
    )

    # then
    assert response.json()["errors"][0]["message"].startswith("Invalid cursor ")


@pytest.mark.parametrize(
    "values", [["1"], [1.5], [2**70], [None]], ids=["text", "fraction", "huge", "null"]
)
def test_logged_segment_entries_forged_cursor_is_client_error(
    client, world_engine, values
):
    # given
    add_logged_segment(world_engine, 1, "SM1", ["P11", "P12", "P21"])
    cursor = forged_cursor("interaction log entry", values)

    # when
    response = execute(client, LOGGED_SEGMENT, entryNo=1, after=cursor)

    # then
    error = response.json()["errors"][0]
    assert error["message"].startswith("Invalid cursor ")
    assert error["path"] == ["loggedSegment", "interactionLogEntries"]


def test_segments_long_invalid_cursor_cut_in_message(client):
    # given
    cursor = "A" * 5000

    # when
    response = execute(client, SEGMENTS, first=2, after=cursor)

    # then: the first 40 characters are quoted, not the whole input
    message = response.json()["errors"][0]["message"]
    assert f"Invalid cursor '{'A' * 40}...' for a segment by no list." in message
    assert "A" * 41 not in message


def test_segments_forged_cursor_of_valid_values_pages_on(client, world_engine):
    # given: a cursor built by hand with the right types works like a returned one
    add_segments(
        world_engine, *({"no": f"SM{i}", "description": "d"} for i in (1, 2, 3))
    )
    cursor = forged_cursor("segment by no", ["SM1"])

    # when
    page = assert_no_errors(execute(client, SEGMENTS, first=5, after=cursor))

    # then
    assert [edge["node"]["no"] for edge in page["segments"]["edges"]] == [
        "SM2",
        "SM3",
    ]


def test_segment_fields_and_computed_totals(client, world_engine):
    # given
    add_segments(
        world_engine,
        {
            "no": "SM1",
            "description": "Spring letter",
            "salesperson_code": "JO",
            "interaction_template_code": "BUS",
            "correspondence_type_default": "Hard Copy",
            "information_flow": "Outbound",
            "initiated_by": "Us",
            "unit_cost": Decimal("2.50"),
            "unit_duration": Decimal(3),
            "campaign_target": True,
        },
    )
    add_lines(world_engine, "SM1", ["P11", "P12", "P21"])

    # when
    data = assert_no_errors(execute(client, SEGMENT, no="SM1", first=2))

    # then
    segment = data["segment"]
    assert segment["description"] == "Spring letter"
    assert segment["correspondenceTypeDefault"] == "HARD_COPY"
    assert segment["informationFlow"] == "OUTBOUND"
    assert segment["initiatedBy"] == "US"
    assert Decimal(segment["unitCost"]) == Decimal("2.50")
    assert segment["campaignTarget"] is True
    assert segment["noOfLines"] == 3
    assert Decimal(segment["cost"]) == Decimal("7.50")
    assert Decimal(segment["duration"]) == Decimal(9)
    assert segment["noOfCriteriaActions"] == 0
    lines = segment["lines"]
    assert lines["totalCount"] == 3
    assert lines["pageInfo"]["hasNextPage"] is True
    first_line = lines["edges"][0]["node"]
    assert first_line["lineNo"] == 10000
    assert first_line["contactName"] == "Anna Smith"
    assert first_line["correspondenceType"] == "HARD_COPY"
    assert first_line["evaluation"] == "BLANK"


def test_segment_lines_page_after_cursor(client, world_engine):
    # given
    add_segments(world_engine, {"no": "SM1", "description": "d"})
    add_lines(world_engine, "SM1", ["P11", "P12", "P21", "C1", "C2"])
    first_page = assert_no_errors(execute(client, SEGMENT, no="SM1", first=2))

    # when
    cursor = first_page["segment"]["lines"]["pageInfo"]["endCursor"]
    second_page = assert_no_errors(
        execute(client, SEGMENT, no="SM1", first=2, after=cursor)
    )

    # then
    lines = second_page["segment"]["lines"]
    assert [edge["node"]["contactNo"] for edge in lines["edges"]] == ["P21", "C1"]
    assert lines["pageInfo"]["hasPreviousPage"] is True
    assert lines["pageInfo"]["hasNextPage"] is True


def test_segment_criteria_and_history(client, world_engine):
    # given
    add_segments(world_engine, {"no": "SM1", "description": "d"})
    add_lines(world_engine, "SM1", ["P11"])
    with session_scope(world_engine, write=True) as session:
        session.execute(
            insert(SegmentCriteriaLine),
            [
                {
                    "segment_no": "SM1",
                    "line_no": 10000,
                    "type": "Action",
                    "action_no": 1,
                    "action": "Add Contacts",
                    "allow_existing_contacts": True,
                },
                {
                    "segment_no": "SM1",
                    "line_no": 20000,
                    "type": "Filter",
                    "action_no": 1,
                    "action": "Add Contacts",
                    "source": "contact",
                    "field": "country_code",
                    "filter": "GB",
                    "view": "Country/Region Code is GB",
                },
            ],
        )
        session.execute(
            insert(SegmentHistory),
            [
                {
                    "segment_no": "SM1",
                    "action_no": 1,
                    "line_no": 10000,
                    "contact_no": "P11",
                    "kind": "Insert",
                }
            ],
        )

    # when
    segment = assert_no_errors(execute(client, SEGMENT, no="SM1"))["segment"]

    # then
    assert segment["noOfCriteriaActions"] == 1
    action, country = segment["criteria"]
    assert action["type"] == "ACTION"
    assert action["action"] == "ADD"
    assert action["allowExistingContacts"] is True
    assert country["type"] == "FILTER"
    assert country["field"] == "country_code"
    assert country["view"] == "Country/Region Code is GB"
    history = segment["history"]
    assert history["totalCount"] == 1
    assert history["edges"][0]["node"] == {
        "actionNo": 1,
        "lineNo": 10000,
        "contactNo": "P11",
        "kind": "INSERT",
    }


def test_segment_unknown_no_returns_null(client):
    # when
    data = assert_no_errors(execute(client, SEGMENT, no="NOPE"))

    # then
    assert data["segment"] is None


# --- logged segments and the interaction log ----------------------------------


def test_logged_segments_filter_and_counts(client, world_engine):
    # given
    add_logged_segment(world_engine, 1, "SM1", ["P11", "P12", "P21"])
    add_logged_segment(world_engine, 2, "SM2", ["P11"], canceled=True)

    # when
    everything = assert_no_errors(execute(client, LOGGED_SEGMENTS))["loggedSegments"]
    canceled = assert_no_errors(
        execute(client, LOGGED_SEGMENTS, filter={"canceled": True})
    )["loggedSegments"]
    by_segment = assert_no_errors(
        execute(client, LOGGED_SEGMENTS, filter={"segmentNo": "SM1"})
    )["loggedSegments"]

    # then
    assert everything["totalCount"] == 2
    first = everything["edges"][0]["node"]
    assert first["segmentNo"] == "SM1"
    assert first["creationDate"] == "2026-03-01"
    assert first["noOfInteractions"] == 3
    entries = first["interactionLogEntries"]
    assert entries["totalCount"] == 3
    assert entries["pageInfo"]["hasNextPage"] is True
    assert [edge["node"]["contactNo"] for edge in entries["edges"]] == ["P11", "P12"]
    assert [edge["node"]["entryNo"] for edge in canceled["edges"]] == [2]
    assert canceled["edges"][0]["node"]["noOfInteractions"] == 1
    assert [edge["node"]["entryNo"] for edge in by_segment["edges"]] == [1]


def test_logged_segment_counts_entries_matching_its_canceled(client, world_engine):
    # given: one of three entries was canceled on its own
    add_logged_segment(world_engine, 1, "SM1", ["P11", "P12", "P21"])
    with session_scope(world_engine, write=True) as session:
        session.get(InteractionLogEntry, 100).canceled = True

    # when
    data = assert_no_errors(execute(client, LOGGED_SEGMENT, entryNo=1))

    # then
    assert data["loggedSegment"]["noOfInteractions"] == 2


def test_logged_segment_entries_page_after_cursor(client, world_engine):
    # given
    add_logged_segment(world_engine, 1, "SM1", ["P11", "P12", "P21"])
    first = assert_no_errors(execute(client, LOGGED_SEGMENT, entryNo=1))[
        "loggedSegment"
    ]

    # when
    cursor = first["interactionLogEntries"]["pageInfo"]["endCursor"]
    second = assert_no_errors(execute(client, LOGGED_SEGMENT, entryNo=1, after=cursor))

    # then
    entries = second["loggedSegment"]["interactionLogEntries"]
    assert [edge["node"]["entryNo"] for edge in entries["edges"]] == [102]
    assert entries["pageInfo"]["hasNextPage"] is False
    assert entries["pageInfo"]["hasPreviousPage"] is True


def test_interaction_log_entries_filters(client, world_engine):
    # given
    add_logged_segment(world_engine, 1, "SM1", ["P11", "P12"])
    add_logged_segment(world_engine, 2, "SM2", ["P11"], canceled=True)

    # when
    by_contact = assert_no_errors(
        execute(client, INTERACTION_LOG_ENTRIES, filter={"contactNo": "P11"})
    )["interactionLogEntries"]
    by_logged = assert_no_errors(
        execute(client, INTERACTION_LOG_ENTRIES, filter={"loggedSegmentEntryNo": 1})
    )["interactionLogEntries"]
    not_canceled = assert_no_errors(
        execute(
            client,
            INTERACTION_LOG_ENTRIES,
            filter={"segmentNo": "SM2", "canceled": False},
        )
    )["interactionLogEntries"]
    pages = all_pages(client, INTERACTION_LOG_ENTRIES, "interactionLogEntries", 1)

    # then
    assert [edge["node"]["entryNo"] for edge in by_contact["edges"]] == [100, 200]
    assert by_logged["totalCount"] == 2
    assert not_canceled["totalCount"] == 0
    entry = by_contact["edges"][0]["node"]
    assert entry["informationFlow"] == "OUTBOUND"
    assert entry["evaluation"] == "VERY_POSITIVE"
    assert entry["correspondenceType"] == "EMAIL"
    assert entry["deliveryStatus"] == "BLANK"
    assert entry["date"] == "2026-03-01"
    assert [node["entryNo"] for node in pages] == [100, 101, 200]


def test_interaction_templates_and_groups(client):
    # when
    data = assert_no_errors(execute(client, TEMPLATES_AND_GROUPS))

    # then
    template = data["interactionTemplates"]["edges"][0]["node"]
    assert data["interactionTemplates"]["totalCount"] == 1
    assert template["code"] == "BUS"
    assert template["interactionGroupCode"] == "LETTER"
    assert template["informationFlow"] == "OUTBOUND"
    assert template["correspondenceTypeDefault"] == "HARD_COPY"
    assert [language["languageCode"] for language in template["languages"]] == [
        "DEU",
        "ENG",
    ]
    assert template["languages"][1]["subject"] == "Hello"
    assert data["interactionGroups"]["edges"][0]["node"] == {
        "code": "LETTER",
        "description": "Letters",
    }


def test_saved_segment_criteria_with_lines(client, world_engine):
    # given
    with session_scope(world_engine, write=True) as session:
        session.add(
            SavedSegmentCriteria(code="GB", description="British", user_id="u1")
        )
        session.flush()
        session.execute(
            insert(SavedSegmentCriteriaLine),
            [
                {
                    "code": "GB",
                    "line_no": 10000,
                    "type": "Action",
                    "action_no": 1,
                    "action": "Remove Contacts - Refine",
                }
            ],
        )

    # when
    data = assert_no_errors(execute(client, SAVED_CRITERIA))

    # then
    saved = data["savedSegmentCriteria"]["edges"][0]["node"]
    assert saved["code"] == "GB"
    assert saved["userId"] == "u1"
    assert saved["lines"] == [
        {"lineNo": 10000, "type": "ACTION", "action": "REFINE", "filter": ""}
    ]


# --- contacts preview ---------------------------------------------------------


def test_contacts_preview_matches_criteria(client):
    # given
    criteria = {
        "contact": {"countryCode": "GB", "type": "Person"},
        "anyOf": [{"mailingGroup": "X-CARD"}, {"contact": {"name": "Bert*"}}],
    }

    # when
    data = assert_no_errors(execute(client, CONTACTS, criteria=criteria))

    # then
    nodes = [edge["node"] for edge in data["contacts"]["edges"]]
    assert [node["no"] for node in nodes] == ["P11", "P12", "P22"]
    assert nodes[2]["excludeFromSegment"] is True
    assert nodes[1]["correspondenceType"] == "EMAIL"
    assert nodes[0]["type"] == "PERSON"


def test_contacts_preview_not_and_paging(client):
    # given
    criteria = {"not": {"contact": {"countryCode": "DE"}}}

    # when
    nodes = all_pages(client, CONTACTS, "contacts", 2, criteria=criteria)

    # then
    assert [node["no"] for node in nodes] == ["C1", "P11", "P12", "P22"]


def test_contacts_preview_invalid_filter_names_field(client):
    # given
    criteria = {
        "contact": {"countryCode": "GB||US"},
        "anyOf": [{"mailingGroup": "A..B..C"}],
    }

    # when
    response = execute(client, CONTACTS, criteria=criteria)

    # then
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INVALID_FILTER"
    fields = [item["field"] for item in error["extensions"]["errors"]]
    assert "criteria.contact.countryCode" in fields
    assert "criteria.contact.countryCode" in error["message"]
