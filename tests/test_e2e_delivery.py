"""End to end: `segments serve` with the demo, a GraphQL client and a real SMTP server.

A client uploads a Word template, gives it to a template language, builds a
segment, merges it for review, personalises one line's letter, logs it with
delivery and downloads a delivered letter, all over HTTP on loopback.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import httpx
import pytest
from sqlalchemy import func, update

from segments_module.db import create_db_engine
from segments_module.models import Contact
from tests.merge_fixtures import build_template, paragraph, run, simple_field

REPO_ROOT = Path(__file__).resolve().parents[1]
PREFLIGHT = {"GraphQL-Require-Preflight": "1"}
MEMO_TEXT = "We are moving to a new office."
PERSONAL_TEXT = "A personal note: thank you for twenty years with us."


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def memo_template(*extra: str) -> bytes:
    """A letter with the contact's name in the body and the company in the header."""
    return build_template(
        [
            paragraph(
                run("Dear "), simple_field(" MERGEFIELD Name ", "«Name»"), run(",")
            ),
            paragraph(run(MEMO_TEXT)),
            *(paragraph(run(text)) for text in extra),
        ],
        header=[
            paragraph(
                simple_field(
                    " MERGEFIELD Company_Information_Name ",
                    "«Company_Information_Name»",
                )
            )
        ],
    )


@pytest.fixture
def server(database_url, smtp_server, tmp_path):
    """Serve the API with the CRONUS demo on the test database; yield its base URL."""
    port = free_port()
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "PYTHONUNBUFFERED": "1",
        "SEGMENTS_DATABASE_URL": database_url,
        "SEGMENTS_SMTP_HOST": "127.0.0.1",
        "SEGMENTS_SMTP_PORT": str(smtp_server.port),
        "SEGMENTS_SMTP_SENDER": "marketing@cronus.example",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "segments_module.cli", "serve", "--port", str(port)]
        + ["--demo"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = ""
    try:
        for line in process.stdout:
            output += line
            if "Uvicorn running on" in line:
                break
        else:
            pytest.fail(f"segments serve exited with {process.wait()}: {output}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.communicate(timeout=30)


def graphql(client: httpx.Client, query: str, **variables) -> dict:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def upload(client: httpx.Client, query: str, data: bytes, **variables) -> dict:
    response = client.post(
        "/graphql",
        data={
            "operations": json.dumps(
                {"query": query, "variables": {**variables, "file": None}}
            ),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        files={"0": ("letter.docx", data, "application/octet-stream")},
        headers=PREFLIGHT,
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def text_of(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    header = "\n".join(
        paragraph.text
        for section in document.sections
        for paragraph in section.header.paragraphs
    )
    return "\n".join(paragraph.text for paragraph in document.paragraphs) + header


def test_merge_personalise_log_deliver_over_http(server, smtp_server, database_url):
    client = httpx.Client(base_url=server, timeout=60)
    engine = create_db_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            update(Contact)
            .where(Contact.no.like("CT10012%"), Contact.type == "Person")
            .values(email=func.lower(Contact.no) + "@example.com")
        )
    engine.dispose()

    # given a memo template uploaded for English on template MEMO
    uploaded = upload(
        client,
        "mutation($file: Upload!) { uploadAttachment(file: $file) {"
        " attachment { no downloadUrl } errors { message } } }",
        memo_template(),
    )["uploadAttachment"]
    assert uploaded["errors"] == []
    template_no = uploaded["attachment"]["no"]
    language = graphql(
        client,
        'mutation($no: Int!) { setInteractionTemplateLanguage(templateCode: "MEMO",'
        ' languageCode: "ENG", input: {attachmentNo: $no, subject: "We are moving"})'
        " { errors { message } } }",
        no=template_no,
    )
    assert language["setInteractionTemplateLanguage"]["errors"] == []

    # and a segment of English persons numbered CT10012..., by e-mail, as attachment
    segment = graphql(
        client,
        'mutation { createSegment(input: {description: "Moving",'
        ' interactionTemplateCode: "MEMO", correspondenceTypeDefault: EMAIL,'
        " ignoreContactCorresType: true, sendWordDocsAsAttachment: true})"
        " { segment { no } errors { message } } }",
    )["createSegment"]
    segment_no = segment["segment"]["no"]
    added = graphql(
        client,
        "mutation($no: String!) { addContacts(segmentNo: $no, criteria: {contact:"
        ' {type: "Person", languageCode: "ENG", no: "CT10012*"}})'
        " { affectedLines errors { message } } }",
        no=segment_no,
    )["addContacts"]
    lines = added["affectedLines"]
    assert lines > 1

    # when it is merged for review
    merged = graphql(
        client,
        "mutation($no: String!) { mergeSegment(segmentNo: $no) { job { status done"
        " total document { downloadUrl } zip { downloadUrl } } errors { message } } }",
        no=segment_no,
    )["mergeSegment"]

    # then the zip contains one letter per line, each with its contact's name
    job = merged["job"]
    assert merged["errors"] == []
    assert job["status"] == "DONE"
    assert job["done"] == lines
    archive = zipfile.ZipFile(io.BytesIO(client.get(job["zip"]["downloadUrl"]).content))
    assert len(archive.namelist()) == lines
    combined = client.get(job["document"]["downloadUrl"])
    assert combined.status_code == 200
    assert text_of(combined.content).count(MEMO_TEXT) == lines

    # when the first line gets its own letter with a personal paragraph
    first_line = graphql(
        client,
        "query($no: String!) { segment(no: $no) { lines(first: 1) { edges { node {"
        " lineNo contactNo } } } } }",
        no=segment_no,
    )["segment"]["lines"]["edges"][0]["node"]
    personalised = upload(
        client,
        "mutation($no: String!, $line: LineNo!, $file: Upload) {"
        " personalizeSegmentLineDocument(segmentNo: $no, lineNo: $line, file: $file)"
        " { segmentLine { attachmentIsUnique attachment { no } }"
        " errors { message } } }",
        memo_template(PERSONAL_TEXT),
        no=segment_no,
        line=first_line["lineNo"],
    )["personalizeSegmentLineDocument"]
    assert personalised["errors"] == []
    assert personalised["segmentLine"]["attachmentIsUnique"] is True

    # and the segment is logged with delivery
    logged = graphql(
        client,
        "mutation($no: String!) { logSegment(segmentNo: $no, deliver: true) {"
        " loggedSegment { entryNo } deliveryJob { status done failures }"
        " errors { message } } }",
        no=segment_no,
    )["logSegment"]

    # then every contact got one e-mail, and only the first the personal paragraph
    assert logged["errors"] == []
    assert logged["deliveryJob"] == {"status": "DONE", "done": lines, "failures": 0}
    messages = {item.message["To"]: item.message for item in smtp_server.messages}
    assert len(smtp_server.messages) == lines
    for recipient, message in messages.items():
        [part] = list(message.iter_attachments())
        letter = text_of(part.get_content())
        assert MEMO_TEXT in letter
        assert "CRONUS International Ltd." in letter
        is_first = recipient == f"{first_line['contactNo'].lower()}@example.com"
        assert (PERSONAL_TEXT in letter) is is_first, recipient

    # and each entry offers its delivered letter for download
    entries = graphql(
        client,
        "query($entry: Int!) { interactionLogEntries(filter: {loggedSegmentEntryNo:"
        " $entry}) { totalCount edges { node { contactNo deliveryStatus"
        " deliveryError mergedDocument { downloadUrl } } } } }",
        entry=logged["loggedSegment"]["entryNo"],
    )["interactionLogEntries"]
    assert entries["totalCount"] == lines
    node = entries["edges"][0]["node"]
    assert node["deliveryStatus"] == "BLANK"
    assert node["deliveryError"] == ""
    download = client.get(node["mergedDocument"]["downloadUrl"])
    assert download.status_code == 200
    assert MEMO_TEXT in text_of(download.content)

    # and the template the log used can no longer be replaced
    replaced = upload(
        client,
        "mutation($no: Int!, $file: Upload!) { replaceAttachment(no: $no, file: $file)"
        " { errors { code } } }",
        memo_template("changed"),
        no=template_no,
    )["replaceAttachment"]
    assert replaced["errors"] == [{"code": "READ_ONLY"}]
