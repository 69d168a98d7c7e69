"""Hostile input through GraphQL: each case ends in a result or a clear error.

None of them may reach the client as the masked "Unexpected error.", which means
an exception the API did not expect. Where a case fails, the error names the
field the client has to change.
"""

from __future__ import annotations

import json

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from graphql_api.app import create_app
from graphql_api.context import actor_from_request
from segments_module.db import session_scope
from tests.conftest import shared_data
from tests.factories import load_small_world

MASKED = "Unexpected error."
ERRORS = "errors { field code message }"

CREATE_SEGMENT = f"""
mutation Create($input: CreateSegmentInput!) {{
  result: createSegment(input: $input) {{ segment {{ no }} {ERRORS} }}
}}
"""

UPDATE_SEGMENT = f"""
mutation Update($no: String!, $input: UpdateSegmentInput!) {{
  result: updateSegment(no: $no, input: $input) {{ segment {{ no }} {ERRORS} }}
}}
"""

GO_BACK = f"""
mutation GoBack($segmentNo: String!) {{
  result: goBack(segmentNo: $segmentNo) {{ affectedLines {ERRORS} }}
}}
"""

ADD_CONTACTS = f"""
mutation Add($segmentNo: String!, $criteria: ContactCriteriaInput!) {{
  result: addContacts(
    segmentNo: $segmentNo, criteria: $criteria,
    options: {{allowExistingContacts: true}}
  ) {{ affectedLines {ERRORS} }}
}}
"""

ADD_SEGMENT_LINE = f"""
mutation AddLine($segmentNo: String!, $contactNo: String!) {{
  result: addSegmentLine(segmentNo: $segmentNo, contactNo: $contactNo) {{
    affectedLines {ERRORS}
  }}
}}
"""

CREATE_TEMPLATE = f"""
mutation CreateTemplate($input: CreateInteractionTemplateInput!) {{
  result: createInteractionTemplate(input: $input) {{
    interactionTemplate {{ code }} {ERRORS}
  }}
}}
"""

SET_TEMPLATE_LANGUAGE = f"""
mutation SetLanguage(
  $templateCode: String!, $input: InteractionTemplateLanguageInput!
) {{
  result: setInteractionTemplateLanguage(
    templateCode: $templateCode, languageCode: "ENG", input: $input
  ) {{ interactionTemplateLanguage {{ languageCode }} {ERRORS} }}
}}
"""

CONTACTS = """
query Contacts($criteria: ContactCriteriaInput) {
  contacts(criteria: $criteria, first: 5) { totalCount }
}
"""

# The segment every case that needs one works on.
SEGMENT_NO = "HOSTILE"


@pytest.fixture
def client(engine):
    with session_scope(engine, write=True) as session:
        load_small_world(session)
    with TestClient(create_app(engine=engine)) as client:
        response = send(
            client,
            CREATE_SEGMENT,
            input={"no": SEGMENT_NO, "description": "Hostile input"},
        )
        assert response["data"]["result"]["errors"] == []
        yield client


def send(client: TestClient, document: str, **variables) -> dict:
    """Post a document and return the body, after checking nothing was masked."""
    response = client.post("/graphql", json={"query": document, "variables": variables})
    body = response.json()
    messages = [error["message"] for error in body.get("errors") or []]
    assert MASKED not in messages, body
    assert response.status_code == 200, body
    return body


def named_fields(body: dict) -> list[str]:
    """Return the fields that the errors of a response name, of either kind."""
    fields = []
    for error in body.get("errors") or []:
        extensions = error.get("extensions") or {}
        fields.extend(item["field"] for item in extensions.get("errors", []))
        fields.append(error["message"])
    result = (body.get("data") or {}).get("result") or {}
    fields.extend(error["field"] for error in result.get("errors", []))
    return fields


def assert_rejected(body: dict, field: str) -> None:
    """The request failed, and one of its errors names `field`."""
    fields = named_fields(body)
    assert fields, f"expected an error naming {field}, got {body}"
    assert any(field in named for named in fields), body


def assert_accepted_or_rejected(body: dict, field: str) -> None:
    """The request succeeded, or every error it has names `field`."""
    fields = named_fields(body)
    assert all(field in named for named in fields), body


# --- NUL bytes ------------------------------------------------------------------


def test_nul_in_description_names_field(client):
    # when
    body = send(
        client, UPDATE_SEGMENT, no=SEGMENT_NO, input={"description": "Spring\x00"}
    )

    # then
    assert_rejected(body, "input.description")


def test_nul_in_new_segment_no_names_field(client):
    # when
    body = send(client, CREATE_SEGMENT, input={"no": "SM\x001", "description": "d"})

    # then
    assert_rejected(body, "input.no")


def test_nul_in_segment_no_argument_names_field(client):
    # when
    body = send(client, GO_BACK, segmentNo="SM\x001")

    # then
    assert_rejected(body, "segmentNo")


def test_nul_in_filter_value_names_field(client):
    # when
    body = send(
        client,
        ADD_CONTACTS,
        segmentNo=SEGMENT_NO,
        criteria={"contact": {"name": "Anna\x00*"}},
    )

    # then
    assert_rejected(body, "criteria.contact.name")


def test_nul_in_contact_no_names_field(client):
    # when
    body = send(client, ADD_SEGMENT_LINE, segmentNo=SEGMENT_NO, contactNo="P11\x00")

    # then
    assert_rejected(body, "contactNo")


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ('{ segment(no: "SM\\u0000") { no } }', "no"),
        (
            '{ loggedSegments(filter: {segmentNo: "SM\\u0000"}) { totalCount } }',
            "filter.segmentNo",
        ),
        (
            '{ interactionLogEntries(filter: {contactNo: "P11\\u0000"}) '
            "{ totalCount } }",
            "filter.contactNo",
        ),
        (
            '{ interactionLogEntries(filter: {segmentNo: "SM\\u0000"}) '
            "{ totalCount } }",
            "filter.segmentNo",
        ),
    ],
    ids=["segment", "logged-segments", "log-entries-contact", "log-entries-segment"],
)
def test_nul_in_query_argument_names_field(client, document, field):
    # when
    body = send(client, document)

    # then
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INVALID"
    assert error["message"].startswith(f"{field} contains a control character")
    assert [item["field"] for item in error["extensions"]["errors"]] == [field]


# --- the big list of naughty strings --------------------------------------------


def naughty_strings() -> list[str]:
    path = shared_data("messy/blns.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_naughty_strings_as_descriptions(client):
    # given
    strings = naughty_strings()

    # when / then: each is stored or refused with the field named
    for text in strings:
        body = send(client, UPDATE_SEGMENT, no=SEGMENT_NO, input={"description": text})
        assert_accepted_or_rejected(body, "input.description")


def test_naughty_strings_as_filter_values(client):
    # given
    strings = naughty_strings()

    # when / then
    for text in strings:
        body = send(
            client,
            ADD_CONTACTS,
            segmentNo=SEGMENT_NO,
            criteria={"contact": {"name": text}},
        )
        assert_accepted_or_rejected(body, "criteria.contact.name")


# --- amounts --------------------------------------------------------------------


@pytest.mark.parametrize("unit_cost", ["NaN", "Infinity", "1e400", "-5"])
def test_invalid_unit_cost_of_segment_names_field(client, unit_cost):
    # when
    body = send(client, UPDATE_SEGMENT, no=SEGMENT_NO, input={"unitCost": unit_cost})

    # then
    assert_rejected(body, "input.unitCost")


@pytest.mark.parametrize("unit_cost", ["NaN", "Infinity", "1e400", "-5"])
def test_invalid_unit_cost_of_template_names_field(client, unit_cost):
    # given
    template = {"code": "HOST", "interactionGroupCode": "LETTER", "unitCost": unit_cost}

    # when
    body = send(client, CREATE_TEMPLATE, input=template)

    # then
    assert_rejected(body, "input.unitCost")


# --- filters at and beyond their limits -----------------------------------------


def test_thousand_filter_alternatives(client):
    # given
    name_filter = "|".join(f"Name{index}" for index in range(1000))

    # when
    mutation = send(
        client,
        ADD_CONTACTS,
        segmentNo=SEGMENT_NO,
        criteria={"contact": {"name": name_filter}},
    )
    query = send(client, CONTACTS, criteria={"contact": {"name": name_filter}})

    # then
    assert_accepted_or_rejected(mutation, "criteria.contact.name")
    assert_accepted_or_rejected(query, "criteria.contact.name")


def test_filter_of_5000_characters_names_field(client):
    # given
    name_filter = "x" * 5000

    # when
    mutation = send(
        client,
        ADD_CONTACTS,
        segmentNo=SEGMENT_NO,
        criteria={"contact": {"name": name_filter}},
    )
    query = send(client, CONTACTS, criteria={"contact": {"name": name_filter}})

    # then
    assert_rejected(mutation, "criteria.contact.name")
    assert_rejected(query, "criteria.contact.name")


def test_filter_of_500_nested_parentheses_names_field(client):
    # given
    name_filter = "(" * 500 + "Anna*" + ")" * 500

    # when
    mutation = send(
        client,
        ADD_CONTACTS,
        segmentNo=SEGMENT_NO,
        criteria={"contact": {"name": name_filter}},
    )
    query = send(client, CONTACTS, criteria={"contact": {"name": name_filter}})

    # then
    assert_rejected(mutation, "criteria.contact.name")
    assert_rejected(query, "criteria.contact.name")


# --- references -----------------------------------------------------------------


def test_unknown_attachment_on_template_language_names_field(client):
    # when
    body = send(
        client,
        SET_TEMPLATE_LANGUAGE,
        templateCode="BUS",
        input={"attachmentNo": 424242},
    )

    # then
    assert_rejected(body, "input.attachmentNo")
    assert body["data"]["result"]["errors"][0]["code"] == "NOT_FOUND"


# --- Request bodies and scalars ----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[" * 100_000, "nested too deeply"),
        ("null", "must be a JSON object"),
        ('{"query": "{ __typename }", "operationName": ["x"]}', "operationName"),
    ],
)
def test_malformed_body_is_a_clear_400(client, body, message):
    response = client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert message in response.text


def test_line_no_that_is_not_a_number_names_it(client):
    document = """
    mutation { result: deleteSegmentLine(segmentNo: "HOSTILE", lineNo: "abc") {
      affectedLines errors { field code message } } }
    """

    body = send(client, document)

    assert_rejected(body, "LineNo must be a whole number")


def test_lone_surrogate_in_description_names_field(client):
    # json.dumps writes the surrogate as an escape, as a browser would send it.
    payload = {
        "query": CREATE_SEGMENT,
        "variables": {"input": {"description": "a\ud800"}},
    }

    response = client.post(
        "/graphql",
        content=json.dumps(payload),
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 200
    assert_rejected(response.json(), "input.description")


def test_integer_filter_out_of_range_names_field(client):
    criteria = {"profileAnswer": {"questionnaireCode": "*", "lineNo": "3000000000"}}

    body = send(client, ADD_CONTACTS, segmentNo=SEGMENT_NO, criteria=criteria)

    assert_rejected(body, "criteria.profileAnswer.lineNo")


def test_segment_lookup_ignores_case(client):
    document = '{ segment(no: " hostile ") { no } }'

    body = send(client, document)

    assert body["data"]["segment"] == {"no": SEGMENT_NO}


def test_user_id_header_in_utf8_is_kept():
    # ASGI servers pass header bytes on; Starlette reads them as Latin-1.
    scope = {"type": "http", "headers": [(b"x-user-id", "Jérôme".encode())]}

    actor = actor_from_request(Request(scope))

    assert actor.user_id == "Jérôme"
