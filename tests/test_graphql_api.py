"""The GraphQL app as a whole: schema file, security limits, masked errors, SQL cost."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event, func, insert, select
from starlette.testclient import TestClient
from strawberry.printer import print_schema

from graphql_api.app import create_app
from graphql_api.limits import MAX_BODY_BYTES
from graphql_api.schema import MAX_ALIASES, schema
from segments_module.contact_store import EmbeddedContactStore
from segments_module.db import session_scope
from segments_module.models import SegmentHeader, SegmentLine
from tests.factories import SMALL_CONTACTS, load_small_world

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"

SEGMENTS_WITH_LINES = """
{
  segments(first: 50) {
    edges { node {
      noOfLines
      lines(first: 10) { edges { node { contactName } } }
    } }
  }
}
"""

SEGMENTS_WITH_EVERYTHING = """
{
  segments(first: 50) {
    totalCount
    edges { node {
      no noOfLines cost duration noOfCriteriaActions
      criteria { lineNo }
      history(first: 5) { totalCount edges { node { lineNo } } }
      lines(first: 10) { totalCount edges { node { contactName } } }
    } }
  }
}
"""

CONTACTS = "{ contacts(first: 5) { edges { node { no name } } } }"

TOO_DEEP = """
{ segments { edges { node { lines { edges { node {
  contactName { a { b { c { d { e } } } } }
} } } } } } }
"""

CREATE_THEN_READ = """
mutation {
  first: createSegment(input: {no: "A1", description: "first"}) {
    segment { no noOfLines } errors { code }
  }
  second: createSegment(input: {no: "A2", description: "second"}) {
    segment { no } errors { code }
  }
}
"""

DEMO_SEGMENTS = """
{
  segments(first: 100) {
    totalCount
    edges { node { no description campaignNo salespersonCode interactionTemplateCode } }
  }
  contacts(first: 3, criteria: {contact: {type: "Company", countryCode: "GB"}}) {
    totalCount edges { node { no type countryCode } }
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


def add_segments_with_lines(engine, prefix: str, count: int, lines_each: int) -> None:
    contact_nos = [contact["no"] for contact in SMALL_CONTACTS]
    with session_scope(engine, write=True) as session:
        session.execute(
            insert(SegmentHeader),
            [
                {"no": f"{prefix}{index:04}", "description": "d"}
                for index in range(count)
            ],
        )
        if lines_each == 0:
            return
        session.execute(
            insert(SegmentLine),
            [
                {
                    "segment_no": f"{prefix}{index:04}",
                    "line_no": 10000 * (line + 1),
                    "contact_no": contact_nos[line % len(contact_nos)],
                    "cost": Decimal(1),
                }
                for index in range(count)
                for line in range(lines_each)
            ],
        )


def count_statements(engine, client: TestClient, query: str) -> int:
    statements: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert_no_errors(execute(client, query))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


# --- schema file --------------------------------------------------------------


def test_schema_file_matches_code():
    # given
    printed = print_schema(schema).rstrip("\n")

    # when
    committed = SCHEMA_FILE.read_text(encoding="utf-8").rstrip("\n")

    # then
    assert committed == printed, (
        "schema.graphql is out of date; run `segments export-schema --output "
        "schema.graphql`"
    )


# --- statement counts ---------------------------------------------------------


def test_segments_with_lines_statement_count_constant(world_engine, client):
    # given
    add_segments_with_lines(world_engine, "SM", 3, lines_each=4)
    few = count_statements(world_engine, client, SEGMENTS_WITH_LINES)

    # when
    add_segments_with_lines(world_engine, "SX", 40, lines_each=12)
    many = count_statements(world_engine, client, SEGMENTS_WITH_LINES)

    # then: the page, the totals, the lines and the contact names (plus BEGIN on
    # SQLite), however many segments there are
    assert many == few
    assert many <= 5


def test_segments_all_nested_fields_statement_count_constant(world_engine, client):
    # given
    add_segments_with_lines(world_engine, "SM", 2, lines_each=3)
    few = count_statements(world_engine, client, SEGMENTS_WITH_EVERYTHING)

    # when
    add_segments_with_lines(world_engine, "SX", 30, lines_each=0)
    many = count_statements(world_engine, client, SEGMENTS_WITH_EVERYTHING)

    # then
    assert many == few


# --- security extensions and errors -------------------------------------------


def test_depth_limit_rejects_deep_query(client):
    # when
    response = execute(client, TOO_DEEP)

    # then
    messages = [error["message"] for error in response.json()["errors"]]
    assert any(
        "exceeds maximum operation depth of 10" in message for message in messages
    )


def test_alias_limit_rejects_many_aliases(client):
    # given
    aliases = " ".join(
        f'a{index}: segment(no: "X") {{ no }}' for index in range(MAX_ALIASES + 1)
    )

    # when
    response = execute(client, "{ " + aliases + " }")

    # then
    body = response.json()
    assert body["data"] is None
    assert "aliases found" in body["errors"][0]["message"]


def test_token_limit_rejects_huge_document(client):
    # given
    fields = " ".join("no" for _ in range(3000))

    # when
    response = execute(client, "{ segments { edges { node { " + fields + " } } } }")

    # then
    assert "token" in response.json()["errors"][0]["message"].lower()


class BrokenStore(EmbeddedContactStore):
    def contacts(self):
        raise RuntimeError("secret connection string postgres://u:p@db/x")


def test_unexpected_error_masked_and_logged(world_engine, caplog):
    # given
    app = create_app(engine=world_engine, store=BrokenStore())

    # when
    with caplog.at_level(logging.ERROR, logger="graphql_api"):
        with TestClient(app) as client:
            response = execute(client, CONTACTS)

    # then
    error = response.json()["errors"][0]
    assert error["message"] == "Unexpected error."
    assert "secret" not in response.text
    logged = [record for record in caplog.records if record.name == "graphql_api"]
    assert len(logged) == 1
    assert "secret connection string" in str(logged[0].exc_info[1])


def test_client_error_not_masked(client):
    # when
    response = execute(client, "{ segments(first: -1) { totalCount } }")

    # then
    assert (
        response.json()["errors"][0]["message"] == "first is -1; it must be 0 or more."
    )


def test_mutations_in_one_document_see_committed_rows(client):
    # when
    data = assert_no_errors(execute(client, CREATE_THEN_READ))

    # then
    assert data["first"]["segment"] == {"no": "A1", "noOfLines": 0}
    assert data["second"]["segment"] == {"no": "A2"}


# --- the app ------------------------------------------------------------------


def test_graphiql_page_served(client):
    # when
    response = client.get("/graphql", headers={"Accept": "text/html"})

    # then
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_healthz_checks_database(client):
    # when
    response = client.get("/healthz")

    # then
    assert response.json() == {"status": "ok"}


def test_actor_from_user_headers(world_engine):
    # given
    app = create_app(engine=world_engine)

    # when
    with TestClient(
        app, headers={"X-User-Id": "j.doe", "X-User-Groups": "a, b"}
    ) as client:
        data = assert_no_errors(execute(client, CREATE_THEN_READ))
    with TestClient(app) as client:
        response = execute(
            client,
            'mutation { createSegment(input: {description: "x"}) { segment { no } } }',
        )

    # then
    assert data["first"]["segment"]["no"] == "A1"
    with session_scope(world_engine) as session:
        assert session.get(SegmentHeader, "A1").created_by == "j.doe"
        new_no = assert_no_errors(response)["createSegment"]["segment"]["no"]
        assert session.get(SegmentHeader, new_no).created_by == "admin"


CREATE_SEGMENT = """
mutation Create($description: String!) {
  createSegment(input: {no: "BIG", description: $description}) {
    segment { no } errors { field code message }
  }
}
"""


def segment_count(engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(SegmentHeader))


def test_request_body_over_limit_refused_with_413(client, world_engine):
    # given: a variable alone larger than the limit
    description = "x" * (MAX_BODY_BYTES + 1)

    # when
    response = execute(client, CREATE_SEGMENT, description=description)

    # then
    assert response.status_code == 413
    error = response.json()["errors"][0]
    assert "over the limit of 1,000,000 bytes" in error["message"]
    assert error["extensions"] == {"code": "REQUEST_TOO_LARGE"}
    assert segment_count(world_engine) == 0


def test_request_body_without_length_over_limit_refused(client, world_engine):
    # given: a chunked body, so no Content-Length announces its size
    document = json.dumps(
        {"query": CREATE_SEGMENT, "variables": {"description": "y" * MAX_BODY_BYTES}}
    ).encode()

    def chunks():
        for start in range(0, len(document), 65536):
            yield document[start : start + 65536]

    # when
    response = client.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )

    # then
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert segment_count(world_engine) == 0


def test_request_body_under_limit_runs(client, world_engine):
    # given: a body just under the limit once the document is added
    description = "z" * (MAX_BODY_BYTES - 2000)

    # when
    response = execute(client, CREATE_SEGMENT, description=description)

    # then: the request reaches the service, which judges the value itself
    assert response.status_code == 200
    assert response.json()["data"]["createSegment"] is not None


@pytest.mark.parametrize(
    "user_id",
    ["u" * 51, "j\tdoe", "j\x7fdoe"],
    ids=["51-characters", "tab", "delete"],
)
def test_invalid_user_header_refused_with_400(world_engine, user_id):
    # given
    app = create_app(engine=world_engine)

    # when
    with TestClient(app, headers={"X-User-Id": user_id}) as client:
        mutation = execute(client, CREATE_SEGMENT, description="d")
        query = execute(client, CONTACTS)

    # then: every operation gets the same clear error, nothing is written
    for response in (mutation, query):
        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert error["extensions"] == {"code": "INVALID_HEADER"}
        assert error["message"].startswith("X-User-Id ")
        assert "at most 50 characters" in error["message"]
    assert segment_count(world_engine) == 0


def test_user_header_of_50_characters_stored(world_engine):
    # given: the longest user id the columns hold
    user_id = "u" * 50
    app = create_app(engine=world_engine)

    # when
    with TestClient(app, headers={"X-User-Id": user_id}) as client:
        data = assert_no_errors(execute(client, CREATE_SEGMENT, description="d"))

    # then
    assert data["createSegment"] == {"segment": {"no": "BIG"}, "errors": []}
    with session_scope(world_engine) as session:
        assert session.get(SegmentHeader, "BIG").created_by == user_id


def test_action_payload_descriptions_say_what_they_count():
    # given
    payload = schema.get_type_by_name("SegmentActionPayload")

    # when
    descriptions = {field.python_name: field.description for field in payload.fields}

    # then
    assert "Lines added plus lines removed" in descriptions["affected_lines"]
    skipped = descriptions["skipped_contacts"]
    assert "reuseLoggedSegment" in skipped
    assert "excluded" in skipped
    assert "privacy blocked" in skipped
    assert "deleted" in skipped


def test_demo_data_segments_and_contacts(demo_engine):
    # given
    app = create_app(engine=demo_engine)

    # when
    with TestClient(app) as client:
        data = assert_no_errors(execute(client, DEMO_SEGMENTS))

    # then
    segments = data["segments"]
    assert segments["totalCount"] >= 1
    first = segments["edges"][0]["node"]
    assert first["no"] == "SM10001"
    assert first["description"] == "Increase sale"
    assert first["salespersonCode"] == "HR"
    assert first["interactionTemplateCode"] == "BUS"
    contacts = data["contacts"]["edges"]
    assert contacts
    assert all(edge["node"]["type"] == "COMPANY" for edge in contacts)
    assert all(edge["node"]["countryCode"] == "GB" for edge in contacts)
