"""Attachment storage in the database and in a folder, and Word upload checks."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zipfile
from contextlib import contextmanager

import docx
import pytest
from sqlalchemy import event, func, select

from segments_module.config import Settings, load_settings
from segments_module.db import session_scope
from segments_module.errors import ErrorCode, ServiceError
from segments_module.models import Attachment
from segments_module.services.attachments import (
    DOCX_CONTENT_TYPE,
    MAX_ZIP_ENTRIES,
    STORAGE_PATH_PATTERN,
    attachment_download_path,
    clean_file_name,
    copy_attachment,
    delete_attachments,
    mark_read_only,
    read_attachment,
    replace_attachment_content,
    store_attachment,
    validate_word_document,
)
from segments_module.services.env import Actor, Env

ACTOR = Actor("marketing.user")
MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
WORD_MAIN = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
NOT_WORD = "is not a Word document (.docx)"
MACRO = "macro-enabled documents are not accepted"


# --- documents built in code ----------------------------------------------------


def word_document(text: str = "Dear customer") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def rewrite_parts(data: bytes, change) -> bytes:
    """Return a copy of a zip with `change(parts)` applied to its name->bytes dict."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    change(parts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return buffer.getvalue()


def macro_document() -> bytes:
    def declare_macros(parts):
        types = parts["[Content_Types].xml"].decode()
        parts["[Content_Types].xml"] = types.replace(WORD_MAIN, MACRO_MAIN).encode()

    return rewrite_parts(word_document(), declare_macros)


def document_with_vba_project() -> bytes:
    def add_vba(parts):
        parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 not really a VBA project"

    return rewrite_parts(word_document(), add_vba)


def excel_renamed() -> bytes:
    def declare_workbook(parts):
        types = parts["[Content_Types].xml"].decode()
        parts["[Content_Types].xml"] = types.replace(
            WORD_MAIN,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        ).encode()

    return rewrite_parts(word_document(), declare_workbook)


def patch_central_directory(
    data: bytes, *, file_size: int | None = None, compress_size: int | None = None
) -> bytes:
    """Return the zip with the declared sizes of its first directory entry changed.

    Offsets follow the central directory file header of the zip APPNOTE: the
    compressed size is at byte 20 and the uncompressed size at byte 24.
    """
    patched = bytearray(data)
    start = patched.index(b"PK\x01\x02")
    if compress_size is not None:
        struct.pack_into("<I", patched, start + 20, compress_size)
    if file_size is not None:
        struct.pack_into("<I", patched, start + 24, file_size)
    return bytes(patched)


def plain_zip(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
OLE_WORD_97 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


# --- fixtures and helpers -------------------------------------------------------


@pytest.fixture(params=["database", "folder"])
def settings(request, tmp_path) -> Settings:
    """Settings of each store: bytes in the database, or files in tmp_path."""
    if request.param == "database":
        return Settings()
    return Settings(attachment_folder=str(tmp_path / "attachments"))


@contextmanager
def env_scope(engine, settings: Settings):
    with session_scope(engine, write=True) as session:
        yield Env(session, ACTOR, settings=settings)


def run(engine, settings: Settings, action, *args, **kwargs):
    with env_scope(engine, settings) as env:
        return action(env, *args, **kwargs)


def attachment_count(engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(Attachment))


def stored_row(engine, no: int) -> Attachment:
    with session_scope(engine) as session:
        return session.get(Attachment, no)


def folder_files(settings: Settings) -> list[str]:
    if not settings.attachment_folder:
        return []
    root = settings.attachment_folder
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    )


def rejection(call, *args, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- store and read ---------------------------------------------------------------


def test_store_and_read_round_trip(engine, settings):
    # given
    data = word_document()

    # when
    no = run(engine, settings, store_attachment, "Letter.docx", data).no

    # then
    row = stored_row(engine, no)
    assert row.file_name == "Letter.docx"
    assert row.file_extension == "docx"
    assert row.content_type == DOCX_CONTENT_TYPE
    assert row.size == len(data)
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert row.read_only is False
    assert row.created_by == ACTOR.user_id
    assert row.created_at is not None
    assert run(engine, settings, read_attachment, no) == data


def test_store_database_keeps_bytes_in_row(engine):
    # given
    data = word_document()

    # when
    no = run(engine, Settings(), store_attachment, "a.docx", data).no

    # then
    row = stored_row(engine, no)
    assert row.content == data
    assert row.storage_path == ""


def test_store_folder_names_file_randomly(engine, tmp_path):
    # given
    settings = Settings(attachment_folder=str(tmp_path / "files"))
    data = word_document()

    # when
    no = run(engine, settings, store_attachment, "../../etc/passwd.docx", data).no

    # then: the row has no bytes, the file has a random name under the folder
    row = stored_row(engine, no)
    assert row.content is None
    assert row.file_name == "passwd.docx"
    assert STORAGE_PATH_PATTERN.fullmatch(row.storage_path)
    assert folder_files(settings) == [row.storage_path]
    assert (tmp_path / "files" / row.storage_path).read_bytes() == data
    assert not (tmp_path / "etc").exists()


def test_store_without_validation_guesses_type(engine, settings):
    # when
    attachment = run(
        engine, settings, store_attachment, "letters.pdf", PDF, validate_word=False
    )

    # then
    assert attachment.content_type == "application/pdf"
    assert attachment.file_extension == "pdf"
    assert run(engine, settings, read_attachment, attachment.no) == PDF


def test_store_without_validation_takes_content_type(engine, settings):
    # when
    attachment = run(
        engine,
        settings,
        store_attachment,
        "body.html",
        b"<p>Hello</p>",
        validate_word=False,
        content_type="Text/HTML",
    )

    # then
    assert attachment.content_type == "text/html"


def test_store_rejects_invalid_content_type(engine, settings):
    # when
    error = rejection(
        run,
        engine,
        settings,
        store_attachment,
        "body.html",
        b"<p>Hello</p>",
        validate_word=False,
        content_type="text/html\r\nX-Injected: 1",
    )

    # then
    assert error.errors[0].field == "contentType"
    assert error.errors[0].code is ErrorCode.INVALID
    assert attachment_count(engine) == 0


def test_store_rolled_back_leaves_no_file(engine, tmp_path):
    # given
    settings = Settings(attachment_folder=str(tmp_path / "files"))

    # when: the transaction fails after the attachment was stored
    with pytest.raises(RuntimeError), env_scope(engine, settings) as env:
        store_attachment(env, "a.docx", word_document())
        assert len(folder_files(settings)) == 1
        raise RuntimeError("a later step failed")

    # then
    assert attachment_count(engine) == 0
    assert folder_files(settings) == []


def test_read_missing_attachment_not_found(engine, settings):
    # when
    error = rejection(run, engine, settings, read_attachment, 4242)

    # then
    assert error.errors[0].code is ErrorCode.NOT_FOUND
    assert "4242" in str(error)


@pytest.mark.parametrize("no", [0, -1, 2**31, 2**63])
def test_read_out_of_range_no_not_found(engine, no):
    # when
    error = rejection(run, engine, Settings(), read_attachment, no)

    # then: no query runs with a number the INTEGER column cannot hold
    assert error.errors[0].code is ErrorCode.NOT_FOUND


def test_read_changed_folder_file_rejected(engine, tmp_path):
    # given
    settings = Settings(attachment_folder=str(tmp_path / "files"))
    no = run(engine, settings, store_attachment, "a.docx", word_document()).no
    (tmp_path / "files" / stored_row(engine, no).storage_path).write_bytes(b"changed")

    # when
    error = rejection(run, engine, settings, read_attachment, no)

    # then
    assert error.errors[0].code is ErrorCode.INVALID
    assert "SHA-256" in str(error)


def test_read_deleted_folder_file_not_found(engine, tmp_path):
    # given
    settings = Settings(attachment_folder=str(tmp_path / "files"))
    no = run(engine, settings, store_attachment, "a.docx", word_document()).no
    (tmp_path / "files" / stored_row(engine, no).storage_path).unlink()

    # when
    error = rejection(run, engine, settings, read_attachment, no)

    # then
    assert error.errors[0].code is ErrorCode.NOT_FOUND
    assert "missing from the attachment folder" in str(error)


def test_read_tampered_storage_path_rejected(engine, tmp_path):
    # given: a row changed to point outside the folder
    settings = Settings(attachment_folder=str(tmp_path / "files"))
    (tmp_path / "secret.txt").write_text("secret")
    no = run(engine, settings, store_attachment, "a.docx", word_document()).no
    with session_scope(engine, write=True) as session:
        session.get(Attachment, no).storage_path = "../secret.txt"

    # when
    error = rejection(run, engine, settings, read_attachment, no)

    # then
    assert error.errors[0].code is ErrorCode.INVALID
    assert "invalid storage path" in str(error)


def test_read_folder_row_without_folder_setting(engine, tmp_path):
    # given
    folder_settings = Settings(attachment_folder=str(tmp_path / "files"))
    no = run(engine, folder_settings, store_attachment, "a.docx", word_document()).no

    # when
    error = rejection(run, engine, Settings(), read_attachment, no)

    # then
    assert "SEGMENTS_ATTACHMENT_FOLDER is not set" in str(error)


def test_read_database_row_after_folder_set(engine, tmp_path):
    # given: stored while the database held the bytes
    data = word_document()
    no = run(engine, Settings(), store_attachment, "a.docx", data).no

    # when
    folder_settings = Settings(attachment_folder=str(tmp_path / "files"))
    read = run(engine, folder_settings, read_attachment, no)

    # then
    assert read == data


# --- copy, replace, read-only ---------------------------------------------------


def test_copy_is_writable_duplicate(engine, settings):
    # given
    data = word_document()
    source = run(engine, settings, store_attachment, "a.docx", data).no
    run(engine, settings, mark_read_only, [source])

    # when
    copy = run(engine, settings, copy_attachment, source).no

    # then
    assert copy != source
    row = stored_row(engine, copy)
    assert row.read_only is False
    assert row.file_name == "a.docx"
    assert row.sha256 == stored_row(engine, source).sha256
    assert run(engine, settings, read_attachment, copy) == data
    if settings.attachment_folder:
        assert row.storage_path != stored_row(engine, source).storage_path
        assert len(folder_files(settings)) == 2


def test_copy_missing_attachment_not_found(engine, settings):
    # when
    error = rejection(run, engine, settings, copy_attachment, 77)

    # then
    assert error.errors[0].code is ErrorCode.NOT_FOUND


def test_replace_changes_bytes_and_name(engine, settings):
    # given
    no = run(engine, settings, store_attachment, "old.docx", word_document("old")).no
    new_data = word_document("new")

    # when
    run(engine, settings, replace_attachment_content, no, "new.docx", new_data)

    # then
    row = stored_row(engine, no)
    assert row.file_name == "new.docx"
    assert row.size == len(new_data)
    assert row.sha256 == hashlib.sha256(new_data).hexdigest()
    assert run(engine, settings, read_attachment, no) == new_data
    if settings.attachment_folder:
        # the old file is deleted once the replacement is committed
        assert folder_files(settings) == [row.storage_path]


def test_replace_rolled_back_keeps_old_file(engine, tmp_path):
    # given
    settings = Settings(attachment_folder=str(tmp_path / "files"))
    old_data = word_document("old")
    no = run(engine, settings, store_attachment, "old.docx", old_data).no
    old_files = folder_files(settings)

    # when
    with pytest.raises(RuntimeError), env_scope(engine, settings) as env:
        replace_attachment_content(env, no, "new.docx", word_document("new"))
        raise RuntimeError("a later step failed")

    # then
    assert folder_files(settings) == old_files
    assert run(engine, settings, read_attachment, no) == old_data


def test_replace_read_only_rejected(engine, settings):
    # given
    data = word_document("logged")
    no = run(engine, settings, store_attachment, "a.docx", data).no
    run(engine, settings, mark_read_only, [no])

    # when
    error = rejection(
        run, engine, settings, replace_attachment_content, no, "b.docx", word_document()
    )

    # then
    assert error.errors[0].code is ErrorCode.READ_ONLY
    assert error.errors[0].field == "no"
    assert "read-only" in error.errors[0].message
    assert run(engine, settings, read_attachment, no) == data
    assert stored_row(engine, no).file_name == "a.docx"


def test_replace_validates_new_document(engine, settings):
    # given
    data = word_document()
    no = run(engine, settings, store_attachment, "a.docx", data).no

    # when
    error = rejection(
        run, engine, settings, replace_attachment_content, no, "b.docx", PDF
    )

    # then
    assert NOT_WORD in str(error)
    assert run(engine, settings, read_attachment, no) == data


def test_mark_read_only_one_update_statement(engine, settings):
    # given
    nos = [
        run(engine, settings, store_attachment, f"{index}.docx", word_document()).no
        for index in range(3)
    ]
    statements: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE"):
            statements.append(statement)

    # when: duplicates and None (lines without an attachment) are passed as they are
    event.listen(engine, "before_cursor_execute", record)
    try:
        changed = run(engine, settings, mark_read_only, [nos[0], None, nos[1], nos[0]])
    finally:
        event.remove(engine, "before_cursor_execute", record)

    # then
    assert changed == 2
    assert len(statements) == 1
    assert [stored_row(engine, no).read_only for no in nos] == [True, True, False]


def test_mark_read_only_from_select(engine, settings):
    # given
    nos = [
        run(engine, settings, store_attachment, f"{index}.docx", word_document()).no
        for index in range(3)
    ]
    run(engine, settings, mark_read_only, [nos[0]])

    # when: every attachment, one of them already read-only
    changed = run(engine, settings, mark_read_only, select(Attachment.no))

    # then: only the rows that changed are counted
    assert changed == 2
    assert all(stored_row(engine, no).read_only for no in nos)


def test_mark_read_only_updates_loaded_rows(engine, settings):
    # given
    no = run(engine, settings, store_attachment, "a.docx", word_document()).no

    # when
    with env_scope(engine, settings) as env:
        loaded = env.session.get(Attachment, no)
        mark_read_only(env, [no])

        # then: a row loaded before the UPDATE reads the new value
        assert loaded.read_only is True


def test_mark_read_only_empty_list(engine, settings):
    # when
    changed = run(engine, settings, mark_read_only, [])

    # then
    assert changed == 0


# --- Word document checks -------------------------------------------------------


def test_validate_accepts_word_document():
    # when / then: no error
    validate_word_document("letter.DOCX", word_document(), Settings())


REJECTED_DOCUMENTS = [
    ("letter.docm", word_document, MACRO),
    ("letter.dotm", word_document, MACRO),
    ("letter.docx", macro_document, MACRO),
    ("letter.docx", document_with_vba_project, MACRO),
    ("letter.doc", lambda: OLE_WORD_97, NOT_WORD),
    ("letter.docx", lambda: OLE_WORD_97, NOT_WORD),
    ("letter.pdf", lambda: PDF, NOT_WORD),
    ("letter.docx", lambda: PDF, NOT_WORD),
    ("letter.docx", lambda: PDF + word_document(), NOT_WORD),
    ("letter.docx", lambda: os.urandom(4096), NOT_WORD),
    ("letter.docx", lambda: b"Dear customer,\nthank you.", NOT_WORD),
    ("letter.txt", lambda: b"Dear customer,\nthank you.", NOT_WORD),
    ("photo.png", lambda: PNG, NOT_WORD),
    ("letter.docx", lambda: PNG, NOT_WORD),
    ("letter", word_document, NOT_WORD),
    ("letter.docx", lambda: word_document()[:-200], NOT_WORD),
    ("letter.docx", excel_renamed, NOT_WORD),
    ("letter.docx", lambda: plain_zip({"word/document.xml": b"<w/>"}), NOT_WORD),
    (
        "letter.docx",
        lambda: plain_zip({"[Content_Types].xml": b"<Types><unclosed"}),
        NOT_WORD,
    ),
    (
        "letter.docx",
        lambda: rewrite_parts(
            word_document(), lambda parts: parts.update({"Word/Document.XML": b""})
        ),
        "appears twice",
    ),
    (
        "letter.docx",
        lambda: plain_zip({"[Content_Types].xml": b"<a/>"}, zipfile.ZIP_BZIP2),
        "compression method 12",
    ),
]


@pytest.mark.parametrize(("file_name", "build", "expected"), REJECTED_DOCUMENTS)
def test_validate_rejects_document(file_name, build, expected):
    # when
    error = rejection(validate_word_document, file_name, build(), Settings())

    # then
    assert error.errors[0].field == "file"
    assert error.errors[0].code is ErrorCode.INVALID
    assert expected in error.errors[0].message


def test_validate_macro_message_says_fix():
    # when
    error = rejection(validate_word_document, "a.docm", word_document(), Settings())

    # then
    assert "Save it as .docx" in str(error)


def test_validate_declared_size_over_limit():
    # given: a small zip whose directory declares 200 MB for one part
    bomb = patch_central_directory(word_document(), file_size=200_000_000)

    # when
    error = rejection(validate_word_document, "bomb.docx", bomb, Settings())

    # then: the message names the size and the limit
    message = error.errors[0].message
    assert "unpacks to" in message
    assert "over the limit of 100,000,000 bytes" in message
    assert "SEGMENTS_MAX_UNPACKED_BYTES" in message


def test_validate_real_zip_bomb_over_setting():
    # given: 5 MB of zeros packed into a few kilobytes, against a 1 MB limit
    bomb = plain_zip(
        {
            "[Content_Types].xml": b'<Types><Override ContentType="'
            + WORD_MAIN.encode()
            + b'"/></Types>',
            "word/document.xml": bytes(5_000_000),
        }
    )
    settings = Settings(max_unpacked_bytes=1_000_000)

    # when
    error = rejection(validate_word_document, "bomb.docx", bomb, settings)

    # then
    assert "over the limit of 1,000,000 bytes" in error.errors[0].message


def test_validate_impossible_ratio_rejected():
    # given: a part that declares 50 MB from its few kilobytes
    packed = patch_central_directory(word_document(), file_size=50_000_000)

    # when
    error = rejection(validate_word_document, "a.docx", packed, Settings())

    # then
    assert "more than deflate can pack" in error.errors[0].message


def test_validate_packed_sizes_over_archive_rejected():
    # given: packed sizes that add up to more than the file, as when parts overlap
    packed = patch_central_directory(word_document(), compress_size=10_000_000)

    # when
    error = rejection(validate_word_document, "a.docx", packed, Settings())

    # then
    assert "overlap" in error.errors[0].message


def test_validate_too_many_entries():
    # given
    parts = {f"customXml/item{index}.xml": b"" for index in range(MAX_ZIP_ENTRIES)}
    parts["[Content_Types].xml"] = b"<Types/>"

    # when
    error = rejection(validate_word_document, "a.docx", plain_zip(parts), Settings())

    # then
    assert f"over the limit of {MAX_ZIP_ENTRIES:,}" in error.errors[0].message


def test_validate_encrypted_part_rejected():
    # given: the encryption flag set on the first part
    data = bytearray(word_document())
    start = data.index(b"PK\x01\x02")
    data[start + 8] |= 0x1

    # when
    error = rejection(validate_word_document, "a.docx", bytes(data), Settings())

    # then
    assert "encrypted" in error.errors[0].message


def test_validate_upload_size_limit():
    # given
    data = word_document()
    settings = Settings(max_upload_bytes=len(data) - 1)

    # when
    error = rejection(validate_word_document, "a.docx", data, settings)

    # then
    message = error.errors[0].message
    assert f"{len(data):,} bytes" in message
    assert f"over the upload limit of {len(data) - 1:,} bytes" in message


def test_validate_empty_file_rejected():
    # when
    error = rejection(validate_word_document, "a.docx", b"", Settings())

    # then
    assert "is empty" in error.errors[0].message


def test_store_rejection_leaves_database_unchanged(engine, settings):
    # given
    run(engine, settings, store_attachment, "kept.docx", word_document())
    files_before = folder_files(settings)

    # when
    for file_name, build, _ in REJECTED_DOCUMENTS:
        rejection(run, engine, settings, store_attachment, file_name, build())

    # then
    assert attachment_count(engine) == 1
    assert folder_files(settings) == files_before


# --- file names -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("letter.docx", "letter.docx"),
        ("C:\\Users\\anna\\Documents\\letter.docx", "letter.docx"),
        ("../../etc/passwd.docx", "passwd.docx"),
        ("  Brief für Müller – 東京.docx ", "Brief für Müller – 東京.docx"),
        ("Cafe\u0301.docx", "Caf\u00e9.docx"),
        ("family 👨\u200d👩\u200d👧.docx", "family 👨\u200d👩\u200d👧.docx"),
    ],
)
def test_clean_file_name_keeps_unicode(file_name, expected):
    # when
    cleaned = clean_file_name(file_name)

    # then
    assert cleaned == expected


@pytest.mark.parametrize(
    "file_name",
    [
        "let\x00ter.docx",
        "let\nter.docx",
        "letter\x7f.docx",
        "letter\x85.docx",
        "invoice\u202excod.docx",
        "letter\ud800.docx",
    ],
)
def test_clean_file_name_rejects_control_characters(file_name):
    # when
    error = rejection(clean_file_name, file_name)

    # then
    assert error.errors[0].field == "file"
    assert error.errors[0].code is ErrorCode.INVALID
    assert "control or text-direction character" in error.errors[0].message


@pytest.mark.parametrize("file_name", ["", "   ", "folder/", "..", "C:\\"])
def test_clean_file_name_rejects_empty(file_name):
    # when
    error = rejection(clean_file_name, file_name)

    # then
    assert error.errors[0].code is ErrorCode.REQUIRED


def test_clean_file_name_rejects_long_name():
    # when
    error = rejection(clean_file_name, "a" * 246 + ".docx")

    # then
    assert "251 characters long" in error.errors[0].message


def test_clean_file_name_rejects_long_extension():
    # when
    error = rejection(clean_file_name, "letter.abcdefghijk")

    # then
    assert "extension over 10 characters" in error.errors[0].message


def test_download_path_quotes_name():
    # when
    path = attachment_download_path(7, "Brief für Müller/#1?.docx")

    # then
    assert path == "/attachments/7/Brief%20f%C3%BCr%20M%C3%BCller%2F%231%3F.docx"


# --- settings -------------------------------------------------------------------


@pytest.fixture
def clean_environment(monkeypatch):
    for name in (
        "SEGMENTS_ATTACHMENT_FOLDER",
        "SEGMENTS_MAX_UPLOAD_BYTES",
        "SEGMENTS_MAX_UNPACKED_BYTES",
        "SEGMENTS_TIME_ZONE",
    ):
        monkeypatch.delenv(name, raising=False)


def test_settings_attachment_defaults(clean_environment):
    # when
    settings = load_settings()

    # then
    assert settings.attachment_folder == ""
    assert settings.max_upload_bytes == 20_000_000
    assert settings.max_unpacked_bytes == 100_000_000


def test_settings_attachment_from_environment(clean_environment, monkeypatch, tmp_path):
    # given
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEGMENTS_ATTACHMENT_FOLDER", "files")
    monkeypatch.setenv("SEGMENTS_MAX_UPLOAD_BYTES", "5_000_000")
    monkeypatch.setenv("SEGMENTS_MAX_UNPACKED_BYTES", "50000000")

    # when
    settings = load_settings()

    # then: a relative folder is made absolute
    assert settings.attachment_folder == str(tmp_path / "files")
    assert settings.max_upload_bytes == 5_000_000
    assert settings.max_unpacked_bytes == 50_000_000


@pytest.mark.parametrize("value", ["0", "-1", "20MB", "1.5", "²"])
def test_settings_invalid_byte_limit(clean_environment, monkeypatch, value):
    # given
    monkeypatch.setenv("SEGMENTS_MAX_UPLOAD_BYTES", value)

    # when
    with pytest.raises(ValueError) as caught:
        load_settings()

    # then
    assert "SEGMENTS_MAX_UPLOAD_BYTES" in str(caught.value)
    assert "positive whole number of bytes" in str(caught.value)


def test_delete_attachments_removes_folder_files(engine, tmp_path):
    # given two attachments in a folder store
    settings = Settings(attachment_folder=str(tmp_path / "files"))
    nos = [
        run(engine, settings, store_attachment, f"letter{n}.docx", word_document()).no
        for n in range(2)
    ]
    assert len(folder_files(settings)) == 2

    # when they are deleted
    deleted = run(engine, settings, delete_attachments, nos)

    # then the rows and, after the commit, the files are gone
    assert deleted == 2
    assert attachment_count(engine) == 0
    assert folder_files(settings) == []
