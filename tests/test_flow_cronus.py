"""The whole segment flow through GraphQL on the CRONUS demo company.

Every expected count is worked out twice: by hand (the literals) and from the
packaged CRONUS CSV files with the csv module, independently of the product's SQL.
"""

from __future__ import annotations

import csv
from importlib import resources

import pytest
from starlette.testclient import TestClient

from graphql_api.app import create_app

CREATE_SEGMENT = """
mutation Create($description: String!) {
  createSegment(input: {description: $description, interactionTemplateCode: "BUS"}) {
    segment { no }
    errors { field code message }
  }
}
"""

ACTION_FIELDS = """
  affectedLines
  segment { no noOfLines noOfCriteriaActions }
  errors { field code message }
"""

ADD_CONTACTS = f"""
mutation Add(
  $no: String!, $criteria: ContactCriteriaInput!, $options: AddContactsOptions
) {{
  addContacts(segmentNo: $no, criteria: $criteria, options: $options) {{
    {ACTION_FIELDS}
  }}
}}
"""

REDUCE_CONTACTS = f"""
mutation Reduce($no: String!, $criteria: ContactCriteriaInput!) {{
  reduceContacts(segmentNo: $no, criteria: $criteria) {{ {ACTION_FIELDS} }}
}}
"""

REFINE_CONTACTS = f"""
mutation Refine($no: String!, $criteria: ContactCriteriaInput!) {{
  refineContacts(segmentNo: $no, criteria: $criteria) {{ {ACTION_FIELDS} }}
}}
"""

GO_BACK = f"""
mutation Back($no: String!) {{ goBack(segmentNo: $no) {{ {ACTION_FIELDS} }} }}
"""

SAVE_CRITERIA = """
mutation Save($no: String!, $code: String!) {
  saveSegmentCriteria(segmentNo: $no, code: $code, description: "GB persons") {
    errors { field code message }
  }
}
"""

REUSE_CRITERIA = f"""
mutation Reuse($no: String!, $code: String!) {{
  reuseSegmentCriteria(segmentNo: $no, code: $code) {{ {ACTION_FIELDS} }}
}}
"""

SEGMENT_CONTACTS = """
query Lines($no: String!) {
  segment(no: $no) {
    noOfLines
    lines(first: 500) { totalCount edges { node { contactNo contactName } } }
  }
}
"""

LOG_SEGMENT = """
mutation Log($no: String!) {
  logSegment(segmentNo: $no, createFollowUp: true) {
    loggedSegment { entryNo segmentNo noOfInteractions canceled }
    followUpSegment { no description noOfLines }
    errors { field code message }
  }
}
"""

CANCEL = """
mutation Cancel($entryNo: Int!) {
  setLoggedSegmentCanceled(entryNo: $entryNo, canceled: true) {
    loggedSegment { canceled noOfInteractions }
    errors { field code message }
  }
}
"""

ENTRIES = """
query Entries($entryNo: Int!) {
  interactionLogEntries(first: 500, filter: {loggedSegmentEntryNo: $entryNo}) {
    totalCount
    edges { node { contactNo canceled } }
  }
}
"""


def read_cronus(name: str) -> list[dict[str, str]]:
    data = resources.files("segments_module.demo") / "data" / name
    with data.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def expected_from_csv() -> dict[str, object]:
    contacts = {row["No."]: row for row in read_cronus("CreateContact.csv")}
    persons_gb = {
        no
        for no, row in contacts.items()
        if row["Type"] == "1" and row["Country Code"] == "GB" and no.startswith("CT1")
    }
    x_card = {
        row["Contact No."]
        for row in read_cronus("CreateContactMailingGroup.csv")
        if row["Mailing Group Code"] == "X-CARD"
    }
    after_add = persons_gb | x_card
    after_reduce = {no for no in after_add if contacts[no]["Salesperson Code"] != "HR"}
    after_refine = {no for no in after_reduce if contacts[no]["Language Code"] == "ENG"}
    return {
        "persons_gb": persons_gb,
        "x_card_new": x_card - persons_gb,
        "after_reduce": after_reduce,
        "after_refine": after_refine,
    }


@pytest.fixture
def client(demo_engine):
    with TestClient(create_app(engine=demo_engine)) as client:
        yield client


def call(client, query: str, **variables) -> dict:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def payload(data: dict) -> dict:
    (value,) = data.values()
    assert value["errors"] == [], value["errors"]
    return value


def segment_contacts(client, no: str) -> list[str]:
    lines = call(client, SEGMENT_CONTACTS, no=no)["segment"]["lines"]
    return [edge["node"]["contactNo"] for edge in lines["edges"]]


def test_cronus_flow_through_graphql(client):
    expected = expected_from_csv()
    # Worked out by hand from CreateContact.csv and CreateContactMailingGroup.csv.
    assert len(expected["persons_gb"]) == 45
    assert len(expected["x_card_new"]) == 13
    assert len(expected["after_reduce"]) == 47
    assert len(expected["after_refine"]) == 40

    no = payload(call(client, CREATE_SEGMENT, description="CRONUS GB persons"))[
        "segment"
    ]["no"]

    # All persons in GB whose number starts with CT1.
    persons = {"contact": {"type": "Person", "countryCode": "GB", "no": "CT1*"}}
    added = payload(call(client, ADD_CONTACTS, no=no, criteria=persons))
    assert added["affectedLines"] == 45
    assert set(segment_contacts(client, no)) == expected["persons_gb"]

    # The X-CARD mailing group, twice: the second time adds no duplicates.
    x_card = {"mailingGroup": "X-CARD"}
    first = payload(call(client, ADD_CONTACTS, no=no, criteria=x_card))
    second = payload(call(client, ADD_CONTACTS, no=no, criteria=x_card))
    assert first["affectedLines"] == 13
    assert second["affectedLines"] == 0
    assert first["segment"]["noOfLines"] == 58
    contacts = segment_contacts(client, no)
    assert len(contacts) == len(set(contacts)) == 58

    # Reduce by salesperson HR, then refine by language ENG.
    reduced = payload(
        call(
            client,
            REDUCE_CONTACTS,
            no=no,
            criteria={"contact": {"salespersonCode": "HR"}},
        )
    )
    assert reduced["affectedLines"] == 11
    assert set(segment_contacts(client, no)) == expected["after_reduce"]
    refined = payload(
        call(
            client,
            REFINE_CONTACTS,
            no=no,
            criteria={"contact": {"languageCode": "ENG"}},
        )
    )
    assert refined["affectedLines"] == 7
    assert set(segment_contacts(client, no)) == expected["after_refine"]

    # Go back undoes the refine exactly.
    back = payload(call(client, GO_BACK, no=no))
    assert back["affectedLines"] == 7
    assert back["segment"]["noOfCriteriaActions"] == 4
    assert set(segment_contacts(client, no)) == expected["after_reduce"]

    # Save the criteria and reuse them on a new segment: the same contacts.
    payload(call(client, SAVE_CRITERIA, no=no, code="GB-CT1"))
    other = payload(call(client, CREATE_SEGMENT, description="Reused"))["segment"]["no"]
    reused = payload(call(client, REUSE_CRITERIA, no=other, code="GB-CT1"))
    assert reused["segment"]["noOfLines"] == 47
    assert sorted(segment_contacts(client, other)) == sorted(
        segment_contacts(client, no)
    )

    # Log with a follow-up segment, then log again.
    logged = payload(call(client, LOG_SEGMENT, no=no))
    assert logged["loggedSegment"]["segmentNo"] == no
    assert logged["loggedSegment"]["noOfInteractions"] == 47
    assert logged["followUpSegment"]["description"] == f"Follow-up on segment {no}"
    assert logged["followUpSegment"]["noOfLines"] == 47
    again = call(client, LOG_SEGMENT, no=no)["logSegment"]
    assert [error["code"] for error in again["errors"]] == ["ALREADY_LOGGED"]

    # Cancel the logged segment: every entry is canceled.
    entry_no = logged["loggedSegment"]["entryNo"]
    canceled = payload(call(client, CANCEL, entryNo=entry_no))
    assert canceled["loggedSegment"]["canceled"] is True
    assert canceled["loggedSegment"]["noOfInteractions"] == 47
    entries = call(client, ENTRIES, entryNo=entry_no)["interactionLogEntries"]
    assert entries["totalCount"] == 47
    assert all(edge["node"]["canceled"] for edge in entries["edges"])
    assert {edge["node"]["contactNo"] for edge in entries["edges"]} == expected[
        "after_reduce"
    ]
