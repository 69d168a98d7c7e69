"""GraphQL jobs: background merges with progress, resends, and their errors."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, update
from starlette.testclient import TestClient

from graphql_api.app import create_app
from segments_module.config import Settings
from segments_module.db import session_scope
from segments_module.delivery import SmtpSettings
from segments_module.models import Contact
from segments_module.services import jobs
from tests.test_delivery import THANKS_NOTES, cronus  # noqa: F401  (fixture)

JOB_FIELDS = "id kind status done total failures message warnings"


@pytest.fixture
def client_factory(cronus):  # noqa: F811
    def make(smtp_settings: SmtpSettings | None = None) -> TestClient:
        app = create_app(
            Settings(),
            engine=cronus,
            smtp_settings=smtp_settings or SmtpSettings.from_env(environ={}),
        )
        return TestClient(app)

    return make


def execute(client: TestClient, query: str, **variables) -> dict:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def new_segment(client: TestClient, correspondence: str = "EMAIL") -> str:
    created = execute(
        client,
        "mutation($type: CorrespondenceType!) { createSegment(input: {description:"
        ' "Thanks", interactionTemplateCode: "BUS", correspondenceTypeDefault: $type,'
        " ignoreContactCorresType: true, sendWordDocsAsAttachment: true})"
        " { segment { no } } }",
        type=correspondence,
    )
    segment_no = created["createSegment"]["segment"]["no"]
    execute(
        client,
        "mutation($no: String!) { addContacts(segmentNo: $no, criteria: {contact:"
        ' {type: "Person", languageCode: "ENG|DEU|ESP"}}) { affectedLines } }',
        no=segment_no,
    )
    return segment_no


def wait_for_job(client: TestClient, job_id: int) -> dict:
    """Poll job(id) until it is DONE or FAILED, as a client would."""
    seen = []
    for _ in range(600):
        job = execute(
            client, f"query($id: Int!) {{ job(id: $id) {{ {JOB_FIELDS} }} }}", id=job_id
        )["job"]
        seen.append(job["status"])
        if job["status"] in ("DONE", "FAILED"):
            return job
        time.sleep(0.05)
    pytest.fail(f"job {job_id} did not finish: {seen[-5:]}")


def test_long_merge_reports_progress(client_factory, monkeypatch):
    # given a limit of two letters for work inside the request
    monkeypatch.setattr(jobs, "INLINE_LETTER_LIMIT", 2)
    with client_factory() as client:
        segment_no = new_segment(client)

        # when the segment is merged
        started = execute(
            client,
            f"mutation($no: String!) {{ mergeSegment(segmentNo: $no, outputs: [ZIP])"
            f" {{ job {{ {JOB_FIELDS} }} errors {{ message }} }} }}",
            no=segment_no,
        )["mergeSegment"]

        # then the request returns a queued job that a client follows to the end
        job = started["job"]
        assert started["errors"] == []
        assert job["kind"] == "MERGE"
        assert job["status"] in ("QUEUED", "RUNNING", "DONE")
        finished = wait_for_job(client, job["id"])
    assert finished["status"] == "DONE"
    assert finished["done"] == finished["total"]
    assert finished["total"] > 2
    assert finished["message"] == f"Merged {finished['total']} letters."


def test_merge_unknown_segment_error(client_factory):
    with client_factory() as client:
        result = execute(
            client,
            'mutation { mergeSegment(segmentNo: "NOPE") { job { id }'
            " errors { field code message } } }",
        )["mergeSegment"]
    assert result["job"] is None
    assert result["errors"][0]["field"] == "segmentNo"
    assert result["errors"][0]["code"] == "NOT_FOUND"


def test_resend_after_server_back(client_factory, smtp_server, cronus):  # noqa: F811
    # given a segment logged with delivery while the SMTP server was down
    with session_scope(cronus, write=True) as session:
        session.execute(
            update(Contact)
            .where(Contact.language_code.in_(list(THANKS_NOTES)))
            .values(email=func.lower(Contact.no) + "@example.com")
        )
    smtp_server.stop()
    with client_factory(smtp_server.settings()) as client:
        segment_no = new_segment(client)
        logged = execute(
            client,
            "mutation($no: String!) { logSegment(segmentNo: $no, deliver: true) {"
            f" loggedSegment {{ entryNo }} deliveryJob {{ {JOB_FIELDS} }} }} }}",
            no=segment_no,
        )["logSegment"]
    entry_no = logged["loggedSegment"]["entryNo"]
    failed_job = logged["deliveryJob"]
    assert failed_job["failures"] == failed_job["total"]
    with client_factory() as client:
        in_error = execute(
            client,
            "{ interactionLogEntries(filter: {deliveryStatus: ERROR}) { totalCount } }",
        )["interactionLogEntries"]
    assert in_error["totalCount"] == failed_job["total"]

    # when the server is back and the logged segment's failed deliveries are resent
    smtp_server.start()
    with client_factory(smtp_server.settings()) as client:
        resent = execute(
            client,
            "mutation($entry: Int!) { resendInteractions(loggedSegmentEntryNo: $entry)"
            f" {{ job {{ {JOB_FIELDS} }} errors {{ message }} }} }}",
            entry=entry_no,
        )["resendInteractions"]
        again = execute(
            client,
            "mutation($entry: Int!) { resendInteractions(loggedSegmentEntryNo: $entry)"
            " { job { id } errors { message } } }",
            entry=entry_no,
        )["resendInteractions"]

    # then every letter went out once, and a second resend has nothing to do
    assert resent["job"]["kind"] == "DELIVERY"
    assert resent["job"]["failures"] == 0
    assert resent["job"]["done"] == failed_job["total"]
    assert len(smtp_server.messages) == failed_job["total"]
    assert again == {"job": None, "errors": []}


def test_resend_needs_entries_or_logged_segment(client_factory):
    with client_factory() as client:
        result = execute(
            client,
            "mutation { resendInteractions { job { id } errors { field code } } }",
        )["resendInteractions"]
    assert result == {
        "job": None,
        "errors": [{"field": "entryNos", "code": "REQUIRED"}],
    }


def test_log_deliver_without_smtp_rejected(client_factory):
    # given an API without SMTP settings and a segment of Email lines
    with client_factory() as client:
        segment_no = new_segment(client)

        # when the segment is logged with delivery
        result = execute(
            client,
            "mutation($no: String!) { logSegment(segmentNo: $no, deliver: true) {"
            " loggedSegment { entryNo } errors { field code message } } }",
            no=segment_no,
        )["logSegment"]
        still_open = execute(
            client, "query($no: String!) { segment(no: $no) { no } }", no=segment_no
        )

    # then nothing is logged and the error names the variables to set
    assert result["loggedSegment"] is None
    [error] = result["errors"]
    assert error["field"] == "deliver"
    assert "SEGMENTS_SMTP_HOST" in error["message"]
    assert still_open["segment"] == {"no": segment_no}


def test_company_information_read_and_changed(client_factory):
    with client_factory() as client:
        # given the CRONUS company of the demo
        before = execute(
            client, "{ companyInformation { name phoneNo vatRegistrationNo } }"
        )

        # when its phone number changes, and a bad value is sent
        changed = execute(
            client,
            'mutation { updateCompanyInformation(input: {phoneNo: "+44 20 7946 0000"})'
            " { companyInformation { name phoneNo } errors { field code } } }",
        )["updateCompanyInformation"]
        rejected = execute(
            client,
            'mutation { updateCompanyInformation(input: {name: "A\\u0000B"})'
            " { companyInformation { name } errors { field code } } }",
        )["updateCompanyInformation"]

    # then the change is kept, other fields stay, and the bad value is named
    assert before["companyInformation"] == {
        "name": "CRONUS International Ltd.",
        "phoneNo": "0666-666-6666",
        "vatRegistrationNo": "777777777",
    }
    assert changed == {
        "companyInformation": {
            "name": "CRONUS International Ltd.",
            "phoneNo": "+44 20 7946 0000",
        },
        "errors": [],
    }
    assert rejected == {
        "companyInformation": None,
        "errors": [{"field": "input.name", "code": "INVALID"}],
    }
