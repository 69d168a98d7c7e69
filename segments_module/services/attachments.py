"""Stored files: Word templates, personalised copies and merged documents.

The bytes of an attachment are in the database (`content`) when
Settings.attachment_folder is empty. Otherwise they are in a file under that folder,
named by a random hex name (never the user's file name), and `storage_path` is that
file's path relative to the folder. Rows keep working when the setting changes,
because each row is read from where it was written.

A file is written before its row is flushed. When the transaction rolls back, the
files written in it are deleted, and a file replaced in it is deleted only after
the commit.
NOTE: a file is left behind with no row when the process dies between writing it
and the end of its transaction, or when only a savepoint around it rolls back.
Nothing removes such orphan files yet.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
import secrets
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

from lxml import etree
from sqlalchemy import Select, delete, event, select, update
from sqlalchemy.orm import Session, SessionTransaction, defer

from ..config import Settings
from ..errors import ErrorCode, ServiceError, not_found
from ..models import Attachment
from .env import Env
from .validation import CONTROL_CHARACTERS

logger = logging.getLogger(__name__)

DOCX_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
# Main-part content types in [Content_Types].xml: that of .docx, and the
# macro-enabled ones of .docm and .dotm.
WORD_MAIN_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
MACRO_MAIN_CONTENT_TYPES = frozenset(
    {
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    }
)
VBA_PROJECT_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
MACRO_EXTENSIONS = frozenset({"docm", "dotm"})

# Estimate: a .docx has 10 to 30 parts plus one per embedded image or object.
# Business Central's Word report templates have 11 to 21.
MAX_ZIP_ENTRIES = 10_000
# The deflate format cannot pack data more than 1032:1 (zlib's technical details,
# https://zlib.net/zlib_tech.html), so a part that declares more is damaged or
# forged. Real documents come close: 100,000 empty python-docx paragraphs pack
# 412:1. Zip bombs under this ratio are caught by Settings.max_unpacked_bytes.
MAX_COMPRESSION_RATIO = 1_100
# [Content_Types].xml is 1.3 to 2.2 KB in Business Central's Word templates.
MAX_CONTENT_TYPES_BYTES = 1_000_000
ZIP_LOCAL_HEADER = b"PK\x03\x04"
ENCRYPTED_FLAG = 0x1  # general purpose bit 0 of a zip entry
# Exceptions of zipfile on damaged archives. It raises NotImplementedError for a
# zip version or method it does not support and RuntimeError for a password.
UNREADABLE_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    ValueError,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
)

MAX_FILE_NAME_LENGTH = 250  # Attachment.file_name is VARCHAR(250)
MAX_EXTENSION_LENGTH = 10  # Attachment.file_extension is VARCHAR(10)
MAX_CONTENT_TYPE_LENGTH = 100  # Attachment.content_type is VARCHAR(100)
# Besides CONTROL_CHARACTERS: tab, line breaks, C1 controls, and the bidirectional
# embeddings, overrides and isolates that make "letter\u202excod.exe" display as
# "letterexe.docx".
UNSAFE_NAME_CHARACTERS = re.compile(r"[\t\n\r\x80-\x9f\u202a-\u202e\u2066-\u2069]")
CONTENT_TYPE_PATTERN = re.compile(r"[a-z0-9][\w.+-]*/[a-z0-9][\w.+-]*", re.ASCII)
# Paths this module writes: two hex digits of shard, then the 32-digit file name.
STORAGE_PATH_PATTERN = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}")
# Attachment.no is a 32-bit INTEGER column on both backends.
MAX_ATTACHMENT_NO = 2**31 - 1
# Bound parameters per UPDATE ... WHERE no IN (...), under PostgreSQL's 65,535.
UPDATE_CHUNK = 10_000

FILE_FIELD = "file"


# --- File names ------------------------------------------------------------------


def clean_file_name(file_name: str) -> str:
    """Return the name without any folder part, trimmed and in Unicode NFC form.

    Raises ServiceError (field "file") for an empty name, a control or
    bidirectional-override character, or a name or extension too long to store.
    """
    name = re.split(r"[\\/]", file_name or "")[-1]
    name = unicodedata.normalize("NFC", name).strip()
    if CONTROL_CHARACTERS.search(name) or UNSAFE_NAME_CHARACTERS.search(name):
        raise ServiceError.single(
            FILE_FIELD,
            ErrorCode.INVALID,
            f"File name {name!r} contains a control or text-direction character. "
            "Rename the file without such characters and upload it again.",
        )
    if not name.strip("."):
        raise ServiceError.single(
            FILE_FIELD,
            ErrorCode.REQUIRED,
            f"File name {file_name!r} is empty after removing its folder. Send the "
            "file with its name, e.g. letter.docx.",
        )
    if len(name) > MAX_FILE_NAME_LENGTH:
        raise ServiceError.single(
            FILE_FIELD,
            ErrorCode.INVALID,
            f"File name {name[:40]!r}... is {len(name)} characters long, over the "
            f"limit of {MAX_FILE_NAME_LENGTH}. Rename the file with a shorter name.",
        )
    if len(file_extension(name)) > MAX_EXTENSION_LENGTH:
        raise ServiceError.single(
            FILE_FIELD,
            ErrorCode.INVALID,
            f"File name {name!r} has an extension over {MAX_EXTENSION_LENGTH} "
            "characters. Rename the file with its usual extension, e.g. .docx.",
        )
    return name


def file_extension(file_name: str) -> str:
    """Return the lower-case extension without its dot, or "" when there is none."""
    stem, dot, extension = file_name.rpartition(".")
    return extension.lower() if dot and stem else ""


def attachment_download_path(no: int, file_name: str) -> str:
    """Return the download route of an attachment, e.g. "/attachments/7/letter.docx".

    The name only makes the URL readable and is percent-encoded as one path
    segment. The route serves the attachment by its no.
    """
    return f"/attachments/{no}/{quote(file_name, safe='')}"


# --- Word document checks --------------------------------------------------------


def validate_word_document(file_name: str, data: bytes, settings: Settings) -> None:
    """Raise ServiceError (field "file") unless `data` is a .docx without macros.

    Only the zip directory and [Content_Types].xml are read. The checks use the
    sizes the archive declares and never unpack the other parts. Python's zipfile
    stops reading each part at its declared size, so those sizes also bound what
    later readers of the document unpack.
    """
    name = clean_file_name(file_name)
    _check_upload_size(name, len(data), settings)
    extension = file_extension(name)
    if extension in MACRO_EXTENSIONS:
        raise _macro_error(name)
    if extension != "docx":
        raise _not_word_error(name)
    # A zip appended to another file (a PDF, an image) would still open in
    # zipfile, which reads the directory at the end.
    if not data.startswith(ZIP_LOCAL_HEADER):
        raise _not_word_error(name)
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except UNREADABLE_ZIP_ERRORS:
        raise _not_word_error(name) from None
    with archive:
        entries = archive.infolist()
        _check_entries(name, entries, len(data), settings)
        content_types = _read_content_types(name, archive, entries)
    _check_content_types(name, content_types)


def _check_upload_size(name: str, size: int, settings: Settings) -> None:
    if size > settings.max_upload_bytes:
        raise ServiceError.single(
            FILE_FIELD,
            ErrorCode.INVALID,
            f"File {name!r} is {size:,} bytes, over the upload limit of "
            f"{settings.max_upload_bytes:,} bytes (SEGMENTS_MAX_UPLOAD_BYTES). Send "
            "a smaller file, e.g. with compressed images.",
        )
    if size == 0:
        raise ServiceError.single(
            FILE_FIELD,
            ErrorCode.INVALID,
            f"File {name!r} is empty. Upload the saved document.",
        )


def _not_word_error(name: str, reason: str = "") -> ServiceError:
    detail = f" ({reason})" if reason else ""
    return ServiceError.single(
        FILE_FIELD,
        ErrorCode.INVALID,
        f"File {name!r} is not a Word document (.docx){detail}. Open it in Word, "
        "save it as Word Document (*.docx) and upload that file.",
    )


def _macro_error(name: str) -> ServiceError:
    return ServiceError.single(
        FILE_FIELD,
        ErrorCode.INVALID,
        f"File {name!r} is macro-enabled, and macro-enabled documents are not "
        "accepted. Save it as .docx (Word Document) and upload that file.",
    )


def _check_entries(
    name: str, entries: list[zipfile.ZipInfo], archive_size: int, settings: Settings
) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _not_word_error(
            name,
            f"it has {len(entries):,} parts, over the limit of {MAX_ZIP_ENTRIES:,}",
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > settings.max_unpacked_bytes:
        raise ServiceError.single(
            FILE_FIELD,
            ErrorCode.INVALID,
            f"File {name!r} unpacks to {unpacked:,} bytes, over the limit of "
            f"{settings.max_unpacked_bytes:,} bytes (SEGMENTS_MAX_UNPACKED_BYTES). "
            "Remove or compress large images, or split the document.",
        )
    # Parts that share their packed bytes make a small archive unpack many times
    # over; in a real zip each part's bytes are its own.
    if sum(entry.compress_size for entry in entries) > archive_size:
        raise _not_word_error(name, "its parts overlap, as in a zip bomb")
    names: set[str] = set()
    for entry in entries:
        # Word writes stored and deflated parts only. zipfile unpacks bzip2 and
        # LZMA parts in one call, without the per-read bound deflate has.
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _not_word_error(
                name,
                f"part {entry.filename!r} uses compression method "
                f"{entry.compress_type}",
            )
        if entry.flag_bits & ENCRYPTED_FLAG:
            raise _not_word_error(name, f"part {entry.filename!r} is encrypted")
        if entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
            raise _not_word_error(
                name,
                f"part {entry.filename!r} declares {entry.file_size:,} bytes packed "
                f"into {entry.compress_size:,}, more than deflate can pack",
            )
        # Part names are case-insensitive in Office Open XML packages.
        folded = entry.filename.casefold()
        if folded in names:
            raise _not_word_error(name, f"part {entry.filename!r} appears twice")
        names.add(folded)
        if folded.rsplit("/", 1)[-1] == "vbaproject.bin":
            raise _macro_error(name)


def _read_content_types(
    name: str, archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]
) -> etree._Element:
    entry = next(
        (item for item in entries if item.filename == "[Content_Types].xml"), None
    )
    if entry is None:
        raise _not_word_error(name, "it has no [Content_Types].xml")
    if entry.file_size > MAX_CONTENT_TYPES_BYTES:
        raise _not_word_error(
            name, f"its [Content_Types].xml is {entry.file_size:,} bytes"
        )
    # The XML comes from the uploader, so DTDs, entities and network access are off.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(archive.read(entry), parser)
    except (etree.XMLSyntaxError, *UNREADABLE_ZIP_ERRORS) as error:
        logger.info("Unreadable [Content_Types].xml in an upload: %s", error)
        raise _not_word_error(name, "its [Content_Types].xml is unreadable") from None


def _check_content_types(name: str, root: etree._Element) -> None:
    declared = {
        (element.get("ContentType") or "").strip()
        for element in root
        if isinstance(element.tag, str)
        and etree.QName(element).localname in ("Default", "Override")
    }
    if declared & MACRO_MAIN_CONTENT_TYPES or VBA_PROJECT_CONTENT_TYPE in declared:
        raise _macro_error(name)
    if WORD_MAIN_CONTENT_TYPE not in declared:
        raise _not_word_error(name, "it declares no Word main document")


# --- Storage ---------------------------------------------------------------------


@dataclass
class _TransactionFiles:
    """Files written or replaced in a session's current transaction."""

    written: list[Path] = field(default_factory=list)
    replaced: list[Path] = field(default_factory=list)

    def after_commit(self, session: Session) -> None:
        # SQLAlchemy also calls this when a savepoint is released.
        if session.in_nested_transaction():
            return
        self.written.clear()
        for path in self.replaced:
            _remove_file(path, "replaced after commit")
        self.replaced.clear()

    def after_transaction_end(
        self, session: Session, transaction: SessionTransaction
    ) -> None:
        # Savepoints end too, but only the outermost transaction decides which
        # files stay.
        if transaction.parent is not None:
            return
        for path in self.written:
            _remove_file(path, "written in a rolled-back transaction")
        self.written.clear()
        self.replaced.clear()


_FILES_KEY = "segments_module.attachment_files"


def _transaction_files(session: Session) -> _TransactionFiles:
    files = session.info.get(_FILES_KEY)
    if files is None:
        files = _TransactionFiles()
        session.info[_FILES_KEY] = files
        event.listen(session, "after_commit", files.after_commit)
        event.listen(session, "after_transaction_end", files.after_transaction_end)
    return files


def _remove_file(path: Path, reason: str) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        logger.warning(
            "Could not delete attachment file %s (%s): %s", path, reason, error
        )


def _folder(settings: Settings) -> Path:
    return Path(settings.attachment_folder).absolute()


def _write_file(env: Env, data: bytes) -> str:
    """Write `data` to a new file in the attachment folder; return its storage path."""
    name = secrets.token_hex(16)
    storage_path = f"{name[:2]}/{name}"
    folder = _folder(env.settings)
    path = folder / storage_path
    files = _transaction_files(env.session)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # "x" fails rather than overwrite, should 128 random bits ever repeat.
        with path.open("xb") as handle:
            files.written.append(path)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        logger.error("Cannot write attachment file %s: %s", path, error)
        raise ServiceError.single(
            "file",
            ErrorCode.INVALID,
            f"Cannot write to the attachment folder {str(folder)!r}: "
            f"{error.strerror or error}. Check that SEGMENTS_ATTACHMENT_FOLDER "
            "exists, is writable by the server and has free space.",
        ) from None
    return storage_path


def _stored_file(settings: Settings, attachment: Attachment) -> Path:
    if not settings.attachment_folder:
        logger.error(
            "Attachment %s is in the attachment folder, but no folder is set",
            attachment.no,
        )
        raise ServiceError.single(
            "no",
            ErrorCode.INVALID,
            f"Attachment {attachment.no} is stored in the attachment folder, but "
            "SEGMENTS_ATTACHMENT_FOLDER is not set. Set it to the folder the file "
            "was stored in.",
        )
    # Only paths this module wrote are followed, so a changed row cannot point
    # outside the folder.
    if not STORAGE_PATH_PATTERN.fullmatch(attachment.storage_path):
        logger.error(
            "Attachment %s has an invalid storage path %r",
            attachment.no,
            attachment.storage_path,
        )
        raise ServiceError.single(
            "no",
            ErrorCode.INVALID,
            f"Attachment {attachment.no} has an invalid storage path. Upload the "
            "document again.",
        )
    return _folder(settings) / attachment.storage_path


def _put_content(env: Env, attachment: Attachment, data: bytes) -> None:
    """Store `data` and its hash on the attachment, in the store the settings set."""
    if env.settings.attachment_folder:
        attachment.storage_path = _write_file(env, data)
        attachment.content = None
    else:
        attachment.storage_path = ""
        attachment.content = data
    attachment.size = len(data)
    attachment.sha256 = hashlib.sha256(data).hexdigest()


def _content_type(name: str, content_type: str | None) -> str:
    if content_type is None:
        if file_extension(name) == "docx":
            return DOCX_CONTENT_TYPE
        guessed, _ = mimetypes.guess_type(name, strict=False)
        return guessed or "application/octet-stream"
    content_type = content_type.strip().lower()
    if len(
        content_type
    ) > MAX_CONTENT_TYPE_LENGTH or not CONTENT_TYPE_PATTERN.fullmatch(content_type):
        raise ServiceError.single(
            "contentType",
            ErrorCode.INVALID,
            f"Content type {content_type[:120]!r} is not a media type such as "
            "application/pdf. Pass a type/subtype of at most "
            f"{MAX_CONTENT_TYPE_LENGTH} characters, or None to guess it.",
        )
    return content_type


def _now(env: Env):
    return env.settings.now().replace(tzinfo=None)


# --- Services --------------------------------------------------------------------


def store_attachment(
    env: Env,
    file_name: str,
    data: bytes,
    *,
    validate_word: bool = True,
    content_type: str | None = None,
    read_only: bool = False,
) -> Attachment:
    """Store a new attachment and flush it, so the returned row has its `no`.

    `read_only` is for documents that record what happened, such as a delivered
    letter or a merge output: they can never be replaced.

    With `validate_word`, `data` must pass validate_word_document and the content
    type is that of .docx. Without it, as for documents the module makes itself,
    only the file name is checked and the upload size limit does not apply. The
    content type is then `content_type`, or a guess from the extension.
    """
    name = clean_file_name(file_name)
    if validate_word:
        validate_word_document(name, data, env.settings)
        content_type = None
    attachment = Attachment(
        file_name=name,
        file_extension=file_extension(name),
        content_type=_content_type(name, content_type),
        read_only=read_only,
        created_at=_now(env),
        created_by=env.actor.user_id,
    )
    _put_content(env, attachment, data)
    env.session.add(attachment)
    env.session.flush()
    logger.info(
        "Attachment %s stored (%s bytes) by user %s",
        attachment.no,
        attachment.size,
        env.actor.user_id,
    )
    return attachment


def get_attachment(
    env: Env, no: int, field: str = "no", *, for_update: bool = False
) -> Attachment:
    """Return the attachment without loading its bytes, or raise not_found."""
    valid = isinstance(no, int) and not isinstance(no, bool)
    if not valid or not 0 < no <= MAX_ATTACHMENT_NO:
        raise not_found(field, "Attachment", no)
    statement = (
        select(Attachment).options(defer(Attachment.content)).where(Attachment.no == no)
    )
    if for_update:
        statement = statement.with_for_update()
    attachment = env.session.scalar(statement)
    if attachment is None:
        raise not_found(field, "Attachment", no)
    return attachment


def read_attachment(env: Env, attachment_or_no: Attachment | int) -> bytes:
    """Return the bytes of an attachment, from the database or the folder.

    Raises ServiceError when the attachment or its file is missing, or when a
    folder file no longer matches the SHA-256 stored with it.
    """
    attachment = (
        attachment_or_no
        if isinstance(attachment_or_no, Attachment)
        else get_attachment(env, attachment_or_no)
    )
    if not attachment.storage_path:
        return attachment.content or b""
    path = _stored_file(env.settings, attachment)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        logger.error("File of attachment %s is missing at %s", attachment.no, path)
        raise ServiceError.single(
            "no",
            ErrorCode.NOT_FOUND,
            f"The file of attachment {attachment.no} is missing from the attachment "
            "folder. Restore the folder from a backup or upload the document again.",
        ) from None
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        logger.error("File of attachment %s at %s was changed", attachment.no, path)
        raise ServiceError.single(
            "no",
            ErrorCode.INVALID,
            f"The file of attachment {attachment.no} was changed outside the module "
            "and no longer matches its SHA-256. Restore it from a backup or upload "
            "the document again.",
        )
    return data


def attachment_file_path(env: Env, attachment: Attachment) -> Path | None:
    """Return the folder file of an attachment, or None when it is in the database.

    Meant for streaming downloads. The file is not read, so its SHA-256 is not
    checked.
    """
    if not attachment.storage_path:
        return None
    return _stored_file(env.settings, attachment)


def copy_attachment(env: Env, no: int) -> Attachment:
    """Store a writable copy of an attachment, e.g. to personalise a read-only one."""
    source = get_attachment(env, no)
    data = read_attachment(env, source)
    copy = Attachment(
        file_name=source.file_name,
        file_extension=source.file_extension,
        content_type=source.content_type,
        read_only=False,
        created_at=_now(env),
        created_by=env.actor.user_id,
    )
    _put_content(env, copy, data)
    env.session.add(copy)
    env.session.flush()
    logger.info("Attachment %s copied to %s", source.no, copy.no)
    return copy


def replace_attachment_content(
    env: Env, no: int, file_name: str, data: bytes, *, validate_word: bool = True
) -> Attachment:
    """Replace an attachment's file and name, unless it is read-only.

    The row is locked first (SELECT ... FOR UPDATE on PostgreSQL, the write lock
    on SQLite). A concurrent mark_read_only therefore either waits for this
    transaction, or commits first so that this call fails.
    """
    attachment = get_attachment(env, no, for_update=True)
    if attachment.read_only:
        raise ServiceError.single(
            "no",
            ErrorCode.READ_ONLY,
            f"Attachment {no} is read-only because a logged interaction uses it. "
            "Upload the new document as a new attachment instead.",
        )
    name = clean_file_name(file_name)
    if validate_word:
        validate_word_document(name, data, env.settings)
    old_file = attachment_file_path(env, attachment)
    attachment.file_name = name
    attachment.file_extension = file_extension(name)
    attachment.content_type = _content_type(name, None)
    _put_content(env, attachment, data)
    env.session.flush()
    if old_file is not None:
        _transaction_files(env.session).replaced.append(old_file)
    logger.info(
        "Attachment %s replaced (%s bytes) by user %s",
        attachment.no,
        attachment.size,
        env.actor.user_id,
    )
    return attachment


def mark_read_only(env: Env, attachment_nos: Iterable[int | None] | Select) -> int:
    """Set read_only on the given attachments and return how many rows changed.

    A Select of attachment nos runs as one UPDATE ... WHERE no IN (SELECT ...).
    A collection runs one UPDATE per 10,000 distinct nos, and None values are
    skipped, so the nos of lines without an attachment can be passed as they are.
    """
    if isinstance(attachment_nos, Select):
        return _update_read_only(env, Attachment.no.in_(attachment_nos))
    nos = sorted({no for no in attachment_nos if no is not None})
    changed = 0
    for start in range(0, len(nos), UPDATE_CHUNK):
        changed += _update_read_only(
            env, Attachment.no.in_(nos[start : start + UPDATE_CHUNK])
        )
    return changed


def _update_read_only(env: Env, condition) -> int:
    statement = (
        update(Attachment)
        .where(condition, Attachment.read_only.is_(False))
        .values(read_only=True)
        .execution_options(synchronize_session=False)
    )
    changed = env.session.execute(statement).rowcount
    # Rows already in the session would keep read_only=False otherwise.
    for instance in env.session.identity_map.values():
        if isinstance(instance, Attachment):
            env.session.expire(instance, ["read_only"])
    return changed


def delete_attachments(env: Env, attachment_nos: Iterable[int]) -> int:
    """Delete attachments and, once the transaction commits, their folder files.

    Only for files the module made and nothing refers to, such as the outputs of
    an earlier review merge. Returns the number of rows deleted.
    """
    nos = sorted({no for no in attachment_nos if no is not None})
    if not nos:
        return 0
    paths = env.session.scalars(
        select(Attachment.storage_path).where(
            Attachment.no.in_(nos), Attachment.storage_path != ""
        )
    ).all()
    files = _transaction_files(env.session)
    for storage_path in paths:
        stub = Attachment(storage_path=storage_path)
        # Files of replaced content are removed after the commit; so are these.
        files.replaced.append(_stored_file(env.settings, stub))
    deleted = env.session.execute(
        delete(Attachment)
        .where(Attachment.no.in_(nos))
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    ).rowcount
    logger.info("Deleted %s attachments: %s", deleted, nos[:20])
    return deleted
