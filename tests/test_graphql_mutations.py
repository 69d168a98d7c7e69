"""GraphQL mutations: each service through to the database, and payload errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from graphql_api.app import create_app
from segments_module.db import session_scope
from segments_module.models import (
    InteractionGroup,
    InteractionLogEntry,
    InteractionTemplate,
    InteractionTemplateLanguage,
    LoggedSegment,
    SavedSegmentCriteria,
    SegmentHeader,
    SegmentLine,
)
from tests.factories import load_small_world

SEGMENT_FIELDS = """
  no description salespersonCode interactionTemplateCode interactionGroupCode
  unitCost informationFlow correspondenceTypeDefault noOfLines noOfCriteriaActions
  lines(first: 50) { edges { node { lineNo contactNo contactName languageCode subject
                                    evaluation } } }
"""

CREATE_SEGMENT = f"""
mutation Create($input: CreateSegmentInput!) {{
  createSegment(input: $input) {{
    segment {{ {SEGMENT_FIELDS} }}
    errors {{ field code message }}
  }}
}}
"""

UPDATE_SEGMENT = f"""
mutation Update($no: String!, $input: UpdateSegmentInput!, $updateLines: Boolean!) {{
  updateSegment(no: $no, input: $input, updateLines: $updateLines) {{
    segment {{ {SEGMENT_FIELDS} }}
    errors {{ field code message }}
  }}
}}
"""

DELETE_SEGMENT = """
mutation Delete($no: String!) {
  deleteSegment(no: $no) { deletedNo errors { field code message } }
}
"""

ACTION_FIELDS = f"""
  segment {{ {SEGMENT_FIELDS} }}
  affectedLines
  skippedContacts {{ contactNo reason }}
  errors {{ field code message }}
"""

ADD_CONTACTS = f"""
mutation Add($segmentNo: String!, $criteria: ContactCriteriaInput!,
             $options: AddContactsOptions) {{
  addContacts(segmentNo: $segmentNo, criteria: $criteria, options: $options) {{
    {ACTION_FIELDS}
  }}
}}
"""

REDUCE_CONTACTS = f"""
mutation Reduce($segmentNo: String!, $criteria: ContactCriteriaInput!,
                $entireCompanies: Boolean!) {{
  reduceContacts(segmentNo: $segmentNo, criteria: $criteria,
                 entireCompanies: $entireCompanies) {{ {ACTION_FIELDS} }}
}}
"""

REFINE_CONTACTS = f"""
mutation Refine($segmentNo: String!, $criteria: ContactCriteriaInput!,
                $entireCompanies: Boolean!) {{
  refineContacts(segmentNo: $segmentNo, criteria: $criteria,
                 entireCompanies: $entireCompanies) {{ {ACTION_FIELDS} }}
}}
"""

ADD_SEGMENT_LINE = f"""
mutation AddLine($segmentNo: String!, $contactNo: String!, $input: SegmentLineInput) {{
  addSegmentLine(segmentNo: $segmentNo, contactNo: $contactNo, input: $input) {{
    {ACTION_FIELDS}
  }}
}}
"""

UPDATE_SEGMENT_LINE = """
mutation UpdateLine($segmentNo: String!, $lineNo: LineNo!, $input: SegmentLineInput!) {
  updateSegmentLine(segmentNo: $segmentNo, lineNo: $lineNo, input: $input) {
    segmentLine { lineNo contactNo contactName evaluation subject description }
    errors { field code message }
  }
}
"""

DELETE_SEGMENT_LINE = f"""
mutation DeleteLine($segmentNo: String!, $lineNo: LineNo!) {{
  deleteSegmentLine(segmentNo: $segmentNo, lineNo: $lineNo) {{ {ACTION_FIELDS} }}
}}
"""

GO_BACK = f"""
mutation GoBack($segmentNo: String!) {{
  goBack(segmentNo: $segmentNo) {{ {ACTION_FIELDS} }}
}}
"""

SAVE_CRITERIA = """
mutation Save($segmentNo: String!, $code: String!, $description: String!) {
  saveSegmentCriteria(segmentNo: $segmentNo, code: $code, description: $description) {
    savedSegmentCriteria { code description userId lines { type action } }
    errors { field code message }
  }
}
"""

REUSE_CRITERIA = f"""
mutation Reuse($segmentNo: String!, $code: String!) {{
  reuseSegmentCriteria(segmentNo: $segmentNo, code: $code) {{ {ACTION_FIELDS} }}
}}
"""

REUSE_LOGGED_SEGMENT = f"""
mutation ReuseLogged($segmentNo: String!, $entryNo: Int!) {{
  reuseLoggedSegment(segmentNo: $segmentNo, loggedSegmentEntryNo: $entryNo) {{
    {ACTION_FIELDS}
  }}
}}
"""

REFRESH_SEGMENT = f"""
mutation Refresh($segmentNo: String!) {{
  refreshSegment(segmentNo: $segmentNo) {{ {ACTION_FIELDS} }}
}}
"""

LOG_SEGMENT = """
mutation Log($segmentNo: String!, $createFollowUp: Boolean!) {
  logSegment(segmentNo: $segmentNo, createFollowUp: $createFollowUp) {
    loggedSegment {
      entryNo segmentNo description userId canceled noOfInteractions
      interactionLogEntries(first: 10) { totalCount edges { node { contactNo } } }
    }
    followUpSegment { no description noOfLines }
    noOfInteractions
    errors { field code message }
  }
}
"""

SET_CANCELED = """
mutation Cancel($entryNo: Int!, $canceled: Boolean!) {
  setLoggedSegmentCanceled(entryNo: $entryNo, canceled: $canceled) {
    loggedSegment { entryNo canceled noOfInteractions }
    errors { field code message }
  }
}
"""

CREATE_FOLLOW_UP = """
mutation FollowUp($entryNo: Int!) {
  createFollowUpSegment(loggedSegmentEntryNo: $entryNo) {
    segment { no description noOfLines lines { edges { node { contactNo } } } }
    errors { field code message }
  }
}
"""

GROUP_MUTATIONS = """
mutation Groups {
  created: createInteractionGroup(input: {code: "CALL", description: "Calls"}) {
    interactionGroup { code description } errors { field code message }
  }
  updated: updateInteractionGroup(code: "CALL", input: {description: "Phone calls"}) {
    interactionGroup { code description } errors { field code message }
  }
}
"""

DELETE_GROUP = """
mutation DeleteGroup($code: String!) {
  deleteInteractionGroup(code: $code) { deletedCode errors { field code message } }
}
"""

TEMPLATE_MUTATIONS = """
mutation Templates {
  created: createInteractionTemplate(input: {
    code: "PHONE", interactionGroupCode: "LETTER", description: "Phone call",
    unitCost: "1.25", informationFlow: INBOUND, initiatedBy: THEM,
    correspondenceTypeDefault: EMAIL
  }) {
    interactionTemplate {
      code unitCost informationFlow initiatedBy correspondenceTypeDefault
    }
    errors { field code message }
  }
  updated: updateInteractionTemplate(code: "PHONE", input: {description: "Call"}) {
    interactionTemplate { code description unitCost } errors { field code message }
  }
  language: setInteractionTemplateLanguage(
    templateCode: "PHONE", languageCode: "ENG", input: {subject: "Your call"}
  ) {
    interactionTemplateLanguage { interactionTemplateCode languageCode subject }
    errors { field code message }
  }
}
"""

DELETE_TEMPLATE = """
mutation DeleteTemplate($code: String!) {
  deleteLanguage: deleteInteractionTemplateLanguage(
    templateCode: $code, languageCode: "ENG"
  ) {
    deletedCode errors { field code message }
  }
  deleteTemplate: deleteInteractionTemplate(code: $code) {
    deletedCode errors { field code message }
  }
}
"""

CREATE_TEMPLATE_WITHOUT_GROUP = """
mutation {
  createInteractionTemplate(input: {code: "X"}) {
    interactionTemplate { code } errors { field code message }
  }
}
"""


def assert_no_errors(response) -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("errors") is None, body["errors"]
    return body["data"]


def payload(response, field: str) -> dict:
    """Return a mutation's payload after checking it has no errors of either kind."""
    result = assert_no_errors(response)[field]
    assert result["errors"] == [], result["errors"]
    return result


def execute(client: TestClient, query: str, **variables):
    return client.post("/graphql", json={"query": query, "variables": variables})


@pytest.fixture
def world_engine(engine):
    with session_scope(engine, write=True) as session:
        load_small_world(session)
    return engine


@pytest.fixture
def client(world_engine):
    app = create_app(engine=world_engine)
    with TestClient(app, headers={"X-User-Id": "marketing.user"}) as client:
        yield client


def count_rows(engine, model, *conditions) -> int:
    with session_scope(engine) as session:
        return session.scalar(
            select(func.count()).select_from(model).where(*conditions)
        )


def create(client, **values) -> dict:
    input_values = dict({"description": "Spring letter"}, **values)
    return payload(
        execute(client, CREATE_SEGMENT, input=input_values), "createSegment"
    )["segment"]


def add_contacts(client, segment_no: str, criteria: dict, **options) -> dict:
    response = execute(
        client, ADD_CONTACTS, segmentNo=segment_no, criteria=criteria, options=options
    )
    return payload(response, "addContacts")


def line_contacts(segment: dict) -> list[str]:
    return [edge["node"]["contactNo"] for edge in segment["lines"]["edges"]]


# --- header -------------------------------------------------------------------


def test_create_segment_takes_number_and_template(client, world_engine):
    # when
    segment = create(client, interactionTemplateCode="BUS", salespersonCode="JO")

    # then
    assert segment["no"] == "SM10001"
    assert segment["interactionGroupCode"] == "LETTER"
    assert Decimal(segment["unitCost"]) == Decimal(8)
    assert segment["informationFlow"] == "OUTBOUND"
    assert segment["correspondenceTypeDefault"] == "HARD_COPY"
    with session_scope(world_engine) as session:
        header = session.get(SegmentHeader, "SM10001")
        assert header.description == "Spring letter"
        assert header.created_by == "marketing.user"


def test_create_segment_duplicate_no_is_payload_error(client, world_engine):
    # given
    create(client, no="S1")

    # when
    response = execute(
        client, CREATE_SEGMENT, input={"no": "S1", "description": "again"}
    )

    # then
    result = assert_no_errors(response)["createSegment"]
    assert result["segment"] is None
    assert result["errors"][0]["code"] == "DUPLICATE"
    assert result["errors"][0]["field"] == "input.no"
    assert count_rows(world_engine, SegmentHeader) == 1


def test_create_segment_unknown_salesperson_rolls_back(client, world_engine):
    # when
    response = execute(
        client, CREATE_SEGMENT, input={"description": "x", "salespersonCode": "NOBODY"}
    )

    # then
    error = assert_no_errors(response)["createSegment"]["errors"][0]
    assert error == {
        "field": "input.salespersonCode",
        "code": "NOT_FOUND",
        "message": error["message"],
    }
    assert "NOBODY" in error["message"]
    assert count_rows(world_engine, SegmentHeader) == 0


def test_update_segment_with_update_lines(client, world_engine):
    # given
    segment = create(client, interactionTemplateCode="BUS")
    add_contacts(client, segment["no"], {"contact": {"no": "P11|P21"}})

    # when
    response = execute(
        client,
        UPDATE_SEGMENT,
        no=segment["no"],
        input={"description": "Summer letter", "salespersonCode": "HR"},
        updateLines=True,
    )

    # then
    updated = payload(response, "updateSegment")["segment"]
    assert updated["description"] == "Summer letter"
    assert updated["salespersonCode"] == "HR"
    with session_scope(world_engine) as session:
        salespeople = session.scalars(select(SegmentLine.salesperson_code)).all()
    assert salespeople == ["HR", "HR"]


def test_update_segment_not_found(client):
    # when
    response = execute(client, UPDATE_SEGMENT, no="NOPE", input={}, updateLines=False)

    # then
    result = assert_no_errors(response)["updateSegment"]
    assert result["segment"] is None
    assert result["errors"][0]["code"] == "NOT_FOUND"
    assert "NOPE" in result["errors"][0]["message"]


def test_delete_segment_removes_lines(client, world_engine):
    # given
    segment = create(client)
    add_contacts(client, segment["no"], {"contact": {"countryCode": "GB"}})

    # when
    result = payload(execute(client, DELETE_SEGMENT, no=segment["no"]), "deleteSegment")

    # then
    assert result["deletedNo"] == segment["no"]
    assert count_rows(world_engine, SegmentHeader) == 0
    assert count_rows(world_engine, SegmentLine) == 0


# --- criteria actions ---------------------------------------------------------


def test_add_contacts_by_criteria(client, world_engine):
    # given
    segment = create(client, interactionTemplateCode="BUS")

    # when
    result = add_contacts(client, segment["no"], {"contact": {"countryCode": "GB"}})

    # then: P22 is excluded from segments
    assert result["affectedLines"] == 3
    assert line_contacts(result["segment"]) == ["C1", "P11", "P12"]
    assert result["segment"]["noOfLines"] == 3
    assert result["segment"]["noOfCriteriaActions"] == 1
    first_line = result["segment"]["lines"]["edges"][0]["node"]
    assert first_line["contactName"] == "Alpha Ltd"
    assert count_rows(world_engine, SegmentLine) == 3


def test_add_contacts_options_ignore_exclusion(client):
    # given
    segment = create(client)

    # when
    result = add_contacts(
        client, segment["no"], {"contact": {"countryCode": "GB"}}, ignoreExclusion=True
    )

    # then
    assert "P22" in line_contacts(result["segment"])


def test_add_contacts_invalid_filter_has_field_path(client, world_engine):
    # given
    segment = create(client)
    criteria = {
        "contact": {"countryCode": "GB||US"},
        "anyOf": [{"contact": {"city": "London"}}, {"mailingGroup": "A..B..C"}],
    }

    # when
    response = execute(client, ADD_CONTACTS, segmentNo=segment["no"], criteria=criteria)

    # then
    result = assert_no_errors(response)["addContacts"]
    fields = [error["field"] for error in result["errors"]]
    assert "criteria.contact.countryCode" in fields
    assert "criteria.anyOf[1].mailingGroup" in fields
    assert {error["code"] for error in result["errors"]} == {"INVALID_FILTER"}
    assert result["segment"] is None
    assert count_rows(world_engine, SegmentLine) == 0


def test_add_contacts_unknown_segment(client):
    # when
    response = execute(client, ADD_CONTACTS, segmentNo="NOPE", criteria={})

    # then
    error = assert_no_errors(response)["addContacts"]["errors"][0]
    assert error["code"] == "NOT_FOUND"
    assert error["field"] == "segmentNo"


def test_reduce_and_refine_contacts(client):
    # given
    segment = create(client)
    add_contacts(client, segment["no"], {"contact": {"type": "Person"}})

    # when
    reduced = payload(
        execute(
            client,
            REDUCE_CONTACTS,
            segmentNo=segment["no"],
            criteria={"contact": {"countryCode": "DE"}},
            entireCompanies=False,
        ),
        "reduceContacts",
    )
    refined = payload(
        execute(
            client,
            REFINE_CONTACTS,
            segmentNo=segment["no"],
            criteria={"mailingGroup": "X-CARD"},
            entireCompanies=False,
        ),
        "refineContacts",
    )

    # then
    assert reduced["affectedLines"] == 1
    assert line_contacts(reduced["segment"]) == ["P11", "P12"]
    assert refined["affectedLines"] == 1
    assert line_contacts(refined["segment"]) == ["P11"]
    assert refined["segment"]["noOfCriteriaActions"] == 3


def test_manual_lines_and_go_back(client, world_engine):
    # given
    segment = create(client, interactionTemplateCode="BUS")
    no = segment["no"]

    # when
    added = payload(
        execute(
            client,
            ADD_SEGMENT_LINE,
            segmentNo=no,
            contactNo="P21",
            input={"evaluation": "POSITIVE"},
        ),
        "addSegmentLine",
    )
    line_no = added["segment"]["lines"]["edges"][0]["node"]["lineNo"]
    updated = payload(
        execute(
            client,
            UPDATE_SEGMENT_LINE,
            segmentNo=no,
            lineNo=line_no,
            input={"description": "For Carl", "evaluation": "NEGATIVE"},
        ),
        "updateSegmentLine",
    )
    deleted = payload(
        execute(client, DELETE_SEGMENT_LINE, segmentNo=no, lineNo=line_no),
        "deleteSegmentLine",
    )
    undone = payload(execute(client, GO_BACK, segmentNo=no), "goBack")

    # then
    assert added["affectedLines"] == 1
    assert added["segment"]["lines"]["edges"][0]["node"]["evaluation"] == "POSITIVE"
    assert updated["segmentLine"]["description"] == "For Carl"
    assert updated["segmentLine"]["evaluation"] == "NEGATIVE"
    assert updated["segmentLine"]["contactName"] == "Carl Braun"
    assert deleted["segment"]["noOfLines"] == 0
    assert undone["segment"]["noOfLines"] == 1
    with session_scope(world_engine) as session:
        line = session.get(SegmentLine, (no, line_no))
        assert line.description == "For Carl"
        assert line.evaluation == "Negative"


def test_update_segment_line_unknown_line(client):
    # given
    segment = create(client)

    # when
    response = execute(
        client,
        UPDATE_SEGMENT_LINE,
        segmentNo=segment["no"],
        lineNo=999,
        input={"description": "x"},
    )

    # then
    result = assert_no_errors(response)["updateSegmentLine"]
    assert result["segmentLine"] is None
    assert result["errors"][0]["code"] == "NOT_FOUND"
    assert result["errors"][0]["field"] == "lineNo"


def test_go_back_without_actions(client):
    # given
    segment = create(client)

    # when
    response = execute(client, GO_BACK, segmentNo=segment["no"])

    # then
    assert (
        assert_no_errors(response)["goBack"]["errors"][0]["code"] == "NOTHING_TO_UNDO"
    )


def test_save_and_reuse_segment_criteria(client, world_engine):
    # given
    source = create(client)
    add_contacts(client, source["no"], {"contact": {"countryCode": "DE"}})
    target = create(client)

    # when
    saved = payload(
        execute(
            client,
            SAVE_CRITERIA,
            segmentNo=source["no"],
            code="DE",
            description="Germany",
        ),
        "saveSegmentCriteria",
    )["savedSegmentCriteria"]
    reused = payload(
        execute(client, REUSE_CRITERIA, segmentNo=target["no"], code="DE"),
        "reuseSegmentCriteria",
    )
    duplicate = execute(
        client, SAVE_CRITERIA, segmentNo=source["no"], code="DE", description="again"
    )

    # then
    assert saved["code"] == "DE"
    assert saved["userId"] == "marketing.user"
    assert saved["lines"][0] == {"type": "ACTION", "action": "ADD"}
    assert line_contacts(reused["segment"]) == ["C2", "P21"]
    assert count_rows(world_engine, SavedSegmentCriteria) == 1
    error = assert_no_errors(duplicate)["saveSegmentCriteria"]["errors"][0]
    assert error["code"] == "DUPLICATE"


def test_refresh_segment_reruns_criteria(client, world_engine):
    # given
    segment = create(client)
    add_contacts(client, segment["no"], {"contact": {"countryCode": "DE"}})
    with session_scope(world_engine, write=True) as session:
        from segments_module.models import Contact

        session.get(Contact, "P11").country_code = "DE"

    # when
    result = payload(
        execute(client, REFRESH_SEGMENT, segmentNo=segment["no"]), "refreshSegment"
    )

    # then
    assert "P11" in line_contacts(result["segment"])


# --- logging ------------------------------------------------------------------


def test_log_segment_with_follow_up(client, world_engine):
    # given
    segment = create(client, interactionTemplateCode="BUS")
    add_contacts(client, segment["no"], {"contact": {"no": "P11|P21"}})

    # when
    result = payload(
        execute(client, LOG_SEGMENT, segmentNo=segment["no"], createFollowUp=True),
        "logSegment",
    )

    # then
    logged = result["loggedSegment"]
    assert result["noOfInteractions"] == 2
    assert logged["segmentNo"] == segment["no"]
    assert logged["userId"] == "marketing.user"
    assert logged["noOfInteractions"] == 2
    entries = logged["interactionLogEntries"]
    assert [edge["node"]["contactNo"] for edge in entries["edges"]] == ["P11", "P21"]
    follow_up = result["followUpSegment"]
    assert follow_up["description"] == f"Follow-up on segment {segment['no']}"
    assert follow_up["noOfLines"] == 2
    assert count_rows(world_engine, InteractionLogEntry) == 2
    assert (
        count_rows(world_engine, SegmentHeader, SegmentHeader.no == segment["no"]) == 0
    )


def test_log_segment_twice_is_already_logged(client, world_engine):
    # given
    segment = create(client, interactionTemplateCode="BUS")
    add_contacts(client, segment["no"], {"contact": {"no": "P11"}})
    payload(
        execute(client, LOG_SEGMENT, segmentNo=segment["no"], createFollowUp=False),
        "logSegment",
    )

    # when
    response = execute(
        client, LOG_SEGMENT, segmentNo=segment["no"], createFollowUp=False
    )

    # then
    result = assert_no_errors(response)["logSegment"]
    assert result["loggedSegment"] is None
    assert result["errors"][0]["code"] == "ALREADY_LOGGED"
    assert count_rows(world_engine, LoggedSegment) == 1


def test_log_segment_empty_segment(client, world_engine):
    # given
    segment = create(client)

    # when
    response = execute(
        client, LOG_SEGMENT, segmentNo=segment["no"], createFollowUp=False
    )

    # then
    error = assert_no_errors(response)["logSegment"]["errors"][0]
    assert error["code"] == "EMPTY_SEGMENT"
    assert count_rows(world_engine, LoggedSegment) == 0


def test_log_segment_reports_every_failing_line(client, world_engine):
    # given: two lines whose contacts were deleted in the host
    segment = create(client, interactionTemplateCode="BUS")
    add_contacts(client, segment["no"], {"contact": {"no": "P11|P12|P21"}})
    with session_scope(world_engine, write=True) as session:
        session.execute(
            SegmentLine.__table__.update()
            .where(SegmentLine.contact_no.in_(["P11", "P21"]))
            .values(contact_no="GONE")
        )

    # when
    response = execute(
        client, LOG_SEGMENT, segmentNo=segment["no"], createFollowUp=False
    )

    # then
    errors = assert_no_errors(response)["logSegment"]["errors"]
    assert [error["code"] for error in errors] == ["LINE_INVALID", "LINE_INVALID"]
    assert all(error["field"].endswith(".contactNo") for error in errors)
    assert count_rows(world_engine, InteractionLogEntry) == 0
    assert count_rows(world_engine, SegmentLine) == 3


def test_cancel_logged_segment_and_follow_up(client, world_engine):
    # given
    segment = create(client, interactionTemplateCode="BUS")
    add_contacts(client, segment["no"], {"contact": {"no": "P11|P12"}})
    logged = payload(
        execute(client, LOG_SEGMENT, segmentNo=segment["no"], createFollowUp=False),
        "logSegment",
    )["loggedSegment"]

    # when
    canceled = payload(
        execute(client, SET_CANCELED, entryNo=logged["entryNo"], canceled=True),
        "setLoggedSegmentCanceled",
    )["loggedSegment"]
    follow_up = payload(
        execute(client, CREATE_FOLLOW_UP, entryNo=logged["entryNo"]),
        "createFollowUpSegment",
    )["segment"]
    reused = payload(
        execute(
            client,
            REUSE_LOGGED_SEGMENT,
            segmentNo=create(client)["no"],
            entryNo=logged["entryNo"],
        ),
        "reuseLoggedSegment",
    )

    # then
    assert canceled["canceled"] is True
    assert canceled["noOfInteractions"] == 2
    assert (
        count_rows(world_engine, InteractionLogEntry, InteractionLogEntry.canceled) == 2
    )
    assert follow_up["noOfLines"] == 2
    assert line_contacts(reused["segment"]) == ["P11", "P12"]
    assert reused["skippedContacts"] == []


def test_reuse_logged_segment_reports_skipped(client, world_engine):
    # given
    segment = create(client, interactionTemplateCode="BUS")
    add_contacts(client, segment["no"], {"contact": {"no": "P11|P12"}})
    logged = payload(
        execute(client, LOG_SEGMENT, segmentNo=segment["no"], createFollowUp=False),
        "logSegment",
    )["loggedSegment"]
    with session_scope(world_engine, write=True) as session:
        from segments_module.models import Contact

        session.get(Contact, "P12").privacy_blocked = True

    # when
    reused = payload(
        execute(
            client,
            REUSE_LOGGED_SEGMENT,
            segmentNo=create(client)["no"],
            entryNo=logged["entryNo"],
        ),
        "reuseLoggedSegment",
    )

    # then
    assert line_contacts(reused["segment"]) == ["P11"]
    assert [skipped["contactNo"] for skipped in reused["skippedContacts"]] == ["P12"]
    assert reused["skippedContacts"][0]["reason"]


def test_set_canceled_unknown_entry(client):
    # when
    response = execute(client, SET_CANCELED, entryNo=999, canceled=True)

    # then
    error = assert_no_errors(response)["setLoggedSegmentCanceled"]["errors"][0]
    assert error["code"] == "NOT_FOUND"
    assert error["field"] == "entryNo"


# --- interaction groups and templates -----------------------------------------


def test_interaction_group_create_update_delete(client, world_engine):
    # when
    data = assert_no_errors(execute(client, GROUP_MUTATIONS))
    deleted = payload(
        execute(client, DELETE_GROUP, code="CALL"), "deleteInteractionGroup"
    )
    in_use = execute(client, DELETE_GROUP, code="LETTER")

    # then
    assert data["created"]["interactionGroup"] == {
        "code": "CALL",
        "description": "Calls",
    }
    assert data["updated"]["interactionGroup"]["description"] == "Phone calls"
    assert deleted["deletedCode"] == "CALL"
    assert (
        count_rows(world_engine, InteractionGroup, InteractionGroup.code == "CALL") == 0
    )
    assert (
        assert_no_errors(in_use)["deleteInteractionGroup"]["errors"][0]["code"]
        == "INVALID"
    )


def test_interaction_template_create_update_language_delete(client, world_engine):
    # when
    data = assert_no_errors(execute(client, TEMPLATE_MUTATIONS))
    deleted = assert_no_errors(execute(client, DELETE_TEMPLATE, code="PHONE"))

    # then
    created = data["created"]["interactionTemplate"]
    assert created == {
        "code": "PHONE",
        "unitCost": "1.25",
        "informationFlow": "INBOUND",
        "initiatedBy": "THEM",
        "correspondenceTypeDefault": "EMAIL",
    }
    assert data["updated"]["interactionTemplate"]["description"] == "Call"
    assert data["language"]["interactionTemplateLanguage"]["subject"] == "Your call"
    assert deleted["deleteLanguage"]["deletedCode"] == "ENG"
    assert deleted["deleteTemplate"]["deletedCode"] == "PHONE"
    assert (
        count_rows(
            world_engine, InteractionTemplate, InteractionTemplate.code == "PHONE"
        )
        == 0
    )
    assert count_rows(world_engine, InteractionTemplateLanguage) == 2


def test_create_template_without_group_is_required_error(client):
    # when
    response = execute(client, CREATE_TEMPLATE_WITHOUT_GROUP)

    # then
    error = assert_no_errors(response)["createInteractionTemplate"]["errors"][0]
    assert error["field"] == "input.interactionGroupCode"
    assert error["code"] == "REQUIRED"


# --- not-found errors name the argument -----------------------------------------

ERRORS_ONLY = "errors { field code message }"


@pytest.mark.parametrize(
    ("mutation", "field"),
    [
        (
            'setInteractionTemplateLanguage(templateCode: "NOPE", languageCode: '
            '"ENG", input: {subject: "s"})',
            "templateCode",
        ),
        (
            'deleteInteractionTemplateLanguage(templateCode: "NOPE", '
            'languageCode: "ENG")',
            "templateCode",
        ),
        (
            'deleteInteractionTemplateLanguage(templateCode: "BUS", '
            'languageCode: "DAN")',
            "languageCode",
        ),
        ('updateInteractionTemplate(code: "NOPE", input: {description: "d"})', "code"),
        ('deleteInteractionTemplate(code: "NOPE")', "code"),
        ('updateInteractionGroup(code: "NOPE", input: {description: "d"})', "code"),
        ('deleteInteractionGroup(code: "NOPE")', "code"),
        ('updateSegment(no: "NOPE", input: {description: "d"})', "no"),
        ('deleteSegment(no: "NOPE")', "no"),
        ('goBack(segmentNo: "NOPE")', "segmentNo"),
        ('refreshSegment(segmentNo: "NOPE")', "segmentNo"),
        ('logSegment(segmentNo: "NOPE")', "segmentNo"),
        ('addSegmentLine(segmentNo: "NOTE", contactNo: "NOPE")', "contactNo"),
        ('deleteSegmentLine(segmentNo: "NOTE", lineNo: 990000)', "lineNo"),
        (
            'updateSegmentLine(segmentNo: "NOTE", lineNo: 990000, '
            'input: {subject: "s"})',
            "lineNo",
        ),
        ('reuseSegmentCriteria(segmentNo: "NOTE", code: "NOPE")', "code"),
        (
            'reuseLoggedSegment(segmentNo: "NOTE", loggedSegmentEntryNo: 999)',
            "loggedSegmentEntryNo",
        ),
        ("createFollowUpSegment(loggedSegmentEntryNo: 999)", "loggedSegmentEntryNo"),
        ("setLoggedSegmentCanceled(entryNo: 999, canceled: true)", "entryNo"),
    ],
)
def test_not_found_error_names_mutation_argument(client, mutation, field):
    # given: segment NOTE exists; every other value does not
    create(client, no="NOTE")

    # when
    response = execute(client, f"mutation {{ result: {mutation} {{ {ERRORS_ONLY} }} }}")

    # then
    error = assert_no_errors(response)["result"]["errors"][0]
    assert error["code"] == "NOT_FOUND"
    assert error["field"] == field
