"""Attachments over HTTP: multipart uploads, the attachment query and downloads."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from graphql_api.app import create_app
from segments_module.config import Settings
from segments_module.db import session_scope
from segments_module.models import Attachment
from segments_module.services.attachments import DOCX_CONTENT_TYPE
from tests.test_attachments import PDF, macro_document, word_document

PREFLIGHT = {"GraphQL-Require-Preflight": "1"}
ATTACHMENT_FIELDS = """
  no fileName fileExtension contentType size readOnly createdAt downloadUrl
"""
UPLOAD = f"""
mutation Upload($file: Upload!) {{
  uploadAttachment(file: $file) {{
    attachment {{ {ATTACHMENT_FIELDS} }}
    errors {{ field code message }}
  }}
}}
"""
REPLACE = f"""
mutation Replace($no: Int!, $file: Upload!) {{
  replaceAttachment(no: $no, file: $file) {{
    attachment {{ {ATTACHMENT_FIELDS} }}
    errors {{ field code message }}
  }}
}}
"""
ATTACHMENT = (
    f"query Read($no: Int!) {{ attachment(no: $no) {{ {ATTACHMENT_FIELDS} }} }}"
)


@pytest.fixture(params=["database", "folder"])
def settings(request, tmp_path) -> Settings:
    if request.param == "database":
        return Settings()
    return Settings(attachment_folder=str(tmp_path / "attachments"))


@pytest.fixture
def client(engine, settings):
    with TestClient(create_app(settings, engine=engine)) as client:
        yield client


def upload(
    client: TestClient,
    file_name: str,
    data: bytes,
    *,
    query: str = UPLOAD,
    variables: dict | None = None,
    headers: dict | None = None,
):
    """Send a GraphQL multipart request with one file mapped to variables.file."""
    variables = dict(variables or {}, file=None)
    return client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        files={"0": (file_name, data, "application/octet-stream")},
        headers=PREFLIGHT if headers is None else headers,
    )


def payload_of(response, mutation: str = "uploadAttachment") -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("errors") is None, body["errors"]
    return body["data"][mutation]


def attachment_count(engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(Attachment))


# --- upload and download --------------------------------------------------------


def test_upload_then_download_same_bytes(client, engine):
    # given
    data = word_document()

    # when
    payload = payload_of(upload(client, "Letter.docx", data))
    attachment = payload["attachment"]
    download = client.get(attachment["downloadUrl"])

    # then
    assert payload["errors"] == []
    assert attachment["fileName"] == "Letter.docx"
    assert attachment["fileExtension"] == "docx"
    assert attachment["contentType"] == DOCX_CONTENT_TYPE
    assert attachment["size"] == len(data)
    assert attachment["readOnly"] is False
    assert attachment["downloadUrl"] == f"/attachments/{attachment['no']}/Letter.docx"
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"] == DOCX_CONTENT_TYPE
    assert download.headers["x-content-type-options"] == "nosniff"
    assert attachment_count(engine) == 1


def test_download_by_no_only(client):
    # given
    data = word_document()
    no = payload_of(upload(client, "a.docx", data))["attachment"]["no"]

    # when
    download = client.get(f"/attachments/{no}")

    # then
    assert download.status_code == 200
    assert download.content == data


def test_upload_records_user(client, engine):
    # when
    payload = payload_of(
        upload(
            client,
            "a.docx",
            word_document(),
            headers={**PREFLIGHT, "X-User-Id": "anna"},
        )
    )

    # then
    with session_scope(engine) as session:
        row = session.get(Attachment, payload["attachment"]["no"])
    assert row.created_by == "anna"


def test_download_unicode_file_name(client):
    # given
    name = 'Brief für Müller – 東京 "1".docx'
    no = payload_of(upload(client, name, word_document()))["attachment"]["no"]

    # when
    download = client.get(f"/attachments/{no}")

    # then: the exact name in filename*, an ASCII stand-in in filename
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    assert 'filename="Brief fur Muller   _1_.docx"' in disposition


def test_upload_path_in_file_name_stripped(client):
    # when
    payload = payload_of(
        upload(client, "..\\..\\windows\\letter.docx", word_document())
    )

    # then
    assert payload["attachment"]["fileName"] == "letter.docx"


@pytest.mark.parametrize(
    ("file_name", "build", "expected"),
    [
        ("letter.pdf", lambda: PDF, "is not a Word document (.docx)"),
        ("letter.docx", lambda: PDF, "is not a Word document (.docx)"),
        ("letter.docm", word_document, "macro-enabled documents are not accepted"),
        ("letter.docx", macro_document, "macro-enabled documents are not accepted"),
        ("let\x01ter.docx", word_document, "control or text-direction character"),
    ],
)
def test_upload_bad_file_payload_error(client, engine, file_name, build, expected):
    # when
    payload = payload_of(upload(client, file_name, build()))

    # then
    assert payload["attachment"] is None
    assert len(payload["errors"]) == 1
    assert payload["errors"][0]["field"] == "file"
    assert payload["errors"][0]["code"] == "INVALID"
    assert expected in payload["errors"][0]["message"]
    assert attachment_count(engine) == 0


def test_upload_over_setting_payload_error(engine, tmp_path):
    # given: a limit just under the document's size, so the body passes HTTP limits
    data = word_document()
    settings = Settings(max_upload_bytes=len(data) - 1)

    # when
    with TestClient(create_app(settings, engine=engine)) as client:
        payload = payload_of(upload(client, "a.docx", data))

    # then
    assert payload["errors"][0]["field"] == "file"
    assert (
        f"over the upload limit of {len(data) - 1:,} bytes"
        in (payload["errors"][0]["message"])
    )
    assert attachment_count(engine) == 0


def test_upload_body_over_limit_413(engine):
    # given: a body larger than the file limit plus the form overhead
    settings = Settings(max_upload_bytes=1_000)

    # when
    with TestClient(create_app(settings, engine=engine)) as client:
        response = upload(client, "a.docx", bytes(2_000_000))

    # then
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert "1,000 bytes per file" in response.json()["errors"][0]["message"]
    assert attachment_count(engine) == 0


def test_json_body_limit_unchanged(client):
    # when: a JSON body over 1 MB, far under the upload limit
    response = client.post(
        "/graphql",
        content=json.dumps({"query": "{ __typename }", "padding": "x" * 1_100_000}),
        headers={"Content-Type": "application/json"},
    )

    # then
    assert response.status_code == 413


# --- CSRF protection and malformed multipart bodies -----------------------------


def test_upload_without_preflight_header_rejected(client, engine):
    # when
    response = upload(client, "a.docx", word_document(), headers={})

    # then
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "PREFLIGHT_REQUIRED"
    assert "GraphQL-Require-Preflight" in error["message"]
    assert attachment_count(engine) == 0


def test_upload_with_apollo_preflight_header(client):
    # when
    response = upload(
        client, "a.docx", word_document(), headers={"Apollo-Require-Preflight": "true"}
    )

    # then
    assert payload_of(response)["attachment"] is not None


@pytest.mark.parametrize(
    ("fields", "files"),
    [
        ({"operations": "not json", "map": "{}"}, {}),
        ({"operations": "[]", "map": "{}"}, {}),
        ({"operations": json.dumps({"query": UPLOAD}), "map": "[1, 2]"}, {}),
        ({"operations": json.dumps({"query": UPLOAD}), "map": '{"0": "x"}'}, {}),
        ({"operations": json.dumps({"query": UPLOAD}), "map": '{"0": ["x"]}'}, {}),
        (
            {"operations": json.dumps({"query": UPLOAD}), "map": '{"0": ["v.file"]}'},
            {"0": ("a.docx", b"x")},
        ),
        (
            {
                "operations": json.dumps({"query": UPLOAD}),
                "map": '{"0": ["variables.file.deep.path"]}',
            },
            {"0": ("a.docx", b"x")},
        ),
        (
            {
                "operations": json.dumps({"query": UPLOAD, "variables": []}),
                "map": '{"0": ["variables.file"]}',
            },
            {"0": ("a.docx", b"x")},
        ),
        (
            {"map": '{"0": ["variables.file"]}'},
            {"operations": ("ops.json", b"{}"), "0": ("a.docx", b"x")},
        ),
        (
            {
                "operations": json.dumps(
                    {"query": UPLOAD, "variables": {"file": None}}
                ),
                "map": json.dumps(
                    {"0": [f"variables.file{index}" for index in range(11)]}
                ),
            },
            {"0": ("a.docx", b"x")},
        ),
    ],
)
def test_malformed_multipart_400(client, engine, fields, files):
    # when
    response = client.post(
        "/graphql",
        data=fields,
        files=files or {"unused": ("u", b"")},
        headers=PREFLIGHT,
    )

    # then: a client error, never a server error
    assert response.status_code == 400, response.text
    assert attachment_count(engine) == 0


def test_upload_as_json_string_payload_error(client, engine):
    # when: the Upload variable sent as text in a JSON request
    response = client.post(
        "/graphql", json={"query": UPLOAD, "variables": {"file": "letter.docx"}}
    )

    # then
    payload = payload_of(response)
    assert payload["errors"][0]["field"] == "file"
    assert "must be an uploaded file" in payload["errors"][0]["message"]
    assert attachment_count(engine) == 0


# --- replace and query ----------------------------------------------------------


def test_replace_attachment_new_bytes(client):
    # given
    no = payload_of(upload(client, "old.docx", word_document("old")))["attachment"][
        "no"
    ]
    new_data = word_document("new")

    # when
    payload = payload_of(
        upload(client, "new.docx", new_data, query=REPLACE, variables={"no": no}),
        "replaceAttachment",
    )

    # then
    assert payload["errors"] == []
    assert payload["attachment"]["fileName"] == "new.docx"
    assert client.get(f"/attachments/{no}").content == new_data


def test_replace_read_only_payload_error(client, engine, settings):
    # given
    data = word_document()
    no = payload_of(upload(client, "a.docx", data))["attachment"]["no"]
    with session_scope(engine, write=True) as session:
        session.get(Attachment, no).read_only = True

    # when
    payload = payload_of(
        upload(
            client, "b.docx", word_document("new"), query=REPLACE, variables={"no": no}
        ),
        "replaceAttachment",
    )

    # then
    assert payload["attachment"] is None
    assert payload["errors"][0]["code"] == "READ_ONLY"
    assert client.get(f"/attachments/{no}").content == data


def test_replace_missing_attachment_payload_error(client):
    # when
    payload = payload_of(
        upload(client, "b.docx", word_document(), query=REPLACE, variables={"no": 999}),
        "replaceAttachment",
    )

    # then
    assert payload["errors"][0]["code"] == "NOT_FOUND"
    assert payload["errors"][0]["field"] == "no"


def test_attachment_query_fields(client):
    # given
    data = word_document()
    no = payload_of(upload(client, "a.docx", data))["attachment"]["no"]

    # when
    response = client.post(
        "/graphql", json={"query": ATTACHMENT, "variables": {"no": no}}
    )

    # then
    attachment = response.json()["data"]["attachment"]
    assert attachment["no"] == no
    assert attachment["size"] == len(data)
    assert attachment["downloadUrl"] == f"/attachments/{no}/a.docx"


def test_attachment_query_missing_null(client):
    # when
    response = client.post(
        "/graphql", json={"query": ATTACHMENT, "variables": {"no": 5}}
    )

    # then
    assert response.json() == {"data": {"attachment": None}}


# --- download errors ------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/attachments/999",
        "/attachments/999/a.docx",
        "/attachments/abc",
        "/attachments/0",
        "/attachments/-1",
        "/attachments/99999999999999999999999",
        "/attachments/%C2%B2",
    ],
)
def test_download_missing_404(client, path):
    # when
    response = client.get(path)

    # then
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_download_invalid_user_header_400(client):
    # given
    no = payload_of(upload(client, "a.docx", word_document()))["attachment"]["no"]

    # when
    response = client.get(f"/attachments/{no}", headers={"X-User-Id": "x" * 51})

    # then
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_HEADER"


def test_download_deleted_folder_file_404(engine, tmp_path):
    # given
    settings = Settings(attachment_folder=str(tmp_path / "files"))
    with TestClient(create_app(settings, engine=engine)) as client:
        no = payload_of(upload(client, "a.docx", word_document()))["attachment"]["no"]
        with session_scope(engine) as session:
            storage_path = session.get(Attachment, no).storage_path
        (tmp_path / "files" / storage_path).unlink()

        # when
        response = client.get(f"/attachments/{no}")

    # then
    assert response.status_code == 404
    assert (
        "missing from the attachment folder" in response.json()["errors"][0]["message"]
    )


def test_download_large_database_file_in_chunks(engine):
    # given a file of 3.5 MB stored in the database, larger than one chunk
    from segments_module.services.attachments import store_attachment
    from segments_module.services.env import Actor, Env

    data = bytes(range(256)) * (3 * 4096 + 2048)
    with session_scope(engine, write=True) as session:
        no = store_attachment(
            Env(session, Actor("test")),
            "letters.zip",
            data,
            validate_word=False,
            content_type="application/zip",
        ).no

    # when it is downloaded
    with TestClient(create_app(Settings(), engine=engine)) as client:
        response = client.get(f"/attachments/{no}")

    # then every byte arrives, with the size announced
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len(data))
    assert response.content == data


def test_download_with_other_file_name_not_found(engine):
    # given an attachment stored as letter.docx
    from segments_module.services.attachments import store_attachment
    from segments_module.services.env import Actor, Env

    with session_scope(engine, write=True) as session:
        no = store_attachment(
            Env(session, Actor("test")), "letter.docx", word_document()
        ).no

    # when it is asked for under its own name and under another one
    with TestClient(create_app(Settings(), engine=engine)) as client:
        own = client.get(f"/attachments/{no}/letter.docx")
        other = client.get(f"/attachments/{no}/SM10005.zip")

    # then only the link with its own name serves it
    assert own.status_code == 200
    assert other.status_code == 404


def test_download_changed_folder_file_refused(engine, tmp_path):
    # given an attachment in a folder store whose file was overwritten
    from segments_module.services.attachments import store_attachment
    from segments_module.services.env import Actor, Env

    settings = Settings(attachment_folder=str(tmp_path / "files"))
    with session_scope(engine, write=True) as session:
        attachment = store_attachment(
            Env(session, Actor("test"), settings), "letter.docx", word_document()
        )
        no, storage_path = attachment.no, attachment.storage_path
    (tmp_path / "files" / storage_path).write_bytes(b"garbage")

    # when it is downloaded
    with TestClient(create_app(settings, engine=engine)) as client:
        response = client.get(f"/attachments/{no}")

    # then the changed file is not sent, and the error explains why
    assert response.status_code == 500
    assert "was changed outside the module" in response.text
