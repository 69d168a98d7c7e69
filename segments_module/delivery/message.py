"""E-mail messages that deliver merged letters, with checks against header injection."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderParseError, NonASCIILocalPartDefect
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from email_validator import EmailNotValidError, validate_email

from segments_module.delivery.html import LetterBody, convert_letter

DOCX_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
DEFAULT_ATTACHMENT_TEXT = "Please find your letter attached: {file_name}\n"


def parse_mailbox(name: str, value: str) -> Address:
    """Parse "name@example.com" or "Display Name <name@example.com>".

    Raises ValueError naming `name` when the value contains a line break or another
    control character, is not exactly one address, or the address is invalid.
    """
    _check_header_value(name, value)
    not_one_address = ValueError(
        f"{name} {value!r} is not one e-mail address. Give a single address such "
        "as name@example.com or Name <name@example.com>."
    )
    try:
        header = policy.default.header_factory("To", value)
    except (HeaderParseError, IndexError, ValueError):
        # Python 3.11's header parser raises IndexError for input such as "a@".
        raise not_one_address from None
    # A non-ASCII local part is valid with SMTPUTF8 (RFC 6531), which smtplib uses
    # when the server offers it.
    defects = [
        defect
        for defect in header.defects
        if not isinstance(defect, NonASCIILocalPartDefect)
    ]
    addresses = header.addresses
    if len(addresses) != 1 or defects:
        raise not_one_address
    address = addresses[0]
    try:
        # globally_deliverable=False accepts company-internal domains such as .local.
        validated = validate_email(
            address.addr_spec,
            check_deliverability=False,
            globally_deliverable=False,
        )
    except EmailNotValidError as error:
        raise ValueError(
            f"{name} {value!r} is not a valid e-mail address: {error} Correct the "
            "address."
        ) from None
    if validated.ascii_domain and validated.ascii_domain != address.domain:
        # An internationalized domain goes out in its IDNA form (xn--...), so the
        # message needs SMTPUTF8 only for a non-ASCII local part.
        address = Address(
            display_name=address.display_name,
            username=address.username,
            domain=validated.ascii_domain,
        )
    return address


def _check_header_value(name: str, value: str) -> None:
    # A CR or LF would end the header and let the value inject its own headers. Tab
    # is the only control character allowed in a header.
    if any(_is_control(character) for character in value):
        raise ValueError(
            f"{name} {value!r} contains a line break or another control character, "
            "which could inject mail headers. Remove it."
        )


def _is_control(character: str) -> bool:
    return character != "\t" and (ord(character) < 32 or ord(character) == 127)


def message_id_for(
    entry_no: int, domain: str, logged_at: datetime | None = None
) -> str:
    """Return the Message-ID of the e-mail of one interaction log entry.

    The ID is the same for every attempt, so a receiver can spot a duplicate when
    the server accepted a message but the entry's status was not saved.
    `logged_at`, the time its segment was logged, keeps two databases that number
    their entries alike (a test and a live one) from sending the same IDs.
    """
    if isinstance(entry_no, bool) or not isinstance(entry_no, int) or entry_no < 1:
        raise ValueError(
            f"entry_no {entry_no!r} is not an interaction log entry number. Pass the "
            "entry's positive integer Entry No."
        )
    _check_header_value("domain", domain)
    if not domain or any(character in domain for character in '<>@ \t"\\[]()'):
        raise ValueError(
            f"domain {domain!r} is not a domain for a Message-ID. Pass a host name "
            "such as segments.example.com."
        )
    stamp = f".{logged_at:%Y%m%d%H%M%S%f}" if logged_at is not None else ""
    return f"<interaction-log-entry-{entry_no}{stamp}@{domain}>"


def build_message(
    *,
    sender: str,
    recipient: str,
    subject: str,
    document: bytes,
    file_name: str,
    as_attachment: bool,
    message_id: str,
    recipient_name: str | None = None,
    attachment_text: str | None = None,
    date: datetime | None = None,
    body: LetterBody | None = None,
) -> EmailMessage:
    """Build the e-mail that delivers one merged letter.

    Without `as_attachment` the body is multipart/alternative with a plain-text part
    and an HTML part converted from the document, plus the document's images as
    related parts. With it, the body is `attachment_text` (a short default that
    names the file) and the document is attached as `file_name`. Sender and
    recipient may carry a display name ("Name <address>"). `recipient_name`
    replaces the recipient's display name. `body`, when given, is the converted
    letter (see LetterBodyTemplate) and spares converting `document` again.

    Raises ValueError naming the field when a value contains a line break or a
    control character, an address is invalid or the document is not a .docx file.
    """
    from_address = parse_mailbox("sender", sender)
    to_address = parse_mailbox("recipient", recipient)
    if recipient_name is not None:
        _check_header_value("recipient_name", recipient_name)
        to_address = Address(
            display_name=recipient_name,
            username=to_address.username,
            domain=to_address.domain,
        )
    _check_header_value("subject", subject)
    _check_file_name(file_name)
    _check_header_value("message_id", message_id)

    # Text parts use quoted-printable, so the message is 7-bit and needs no 8BITMIME
    # unless an address has a non-ASCII local part.
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = from_address
    message["To"] = to_address
    message["Subject"] = subject
    # The email package decodes RFC 2047 encoded words in a value it is given, so
    # "=?utf-8?q?=0D=0A...?=" would become a raw line break in the header.
    _check_header_value("subject", str(message["Subject"]))
    message["Date"] = format_datetime(date or datetime.now(UTC))
    message["Message-ID"] = message_id

    if as_attachment:
        _check_docx(document)
        text = attachment_text or DEFAULT_ATTACHMENT_TEXT.format(file_name=file_name)
        message.set_content(text, cte="quoted-printable")
        maintype, subtype = DOCX_CONTENT_TYPE.split("/")
        message.add_attachment(
            document, maintype=maintype, subtype=subtype, filename=file_name
        )
        return message

    image_domain = message_id.strip("<>").rpartition("@")[2] or "segments.local"
    letter = body
    if letter is None:
        letter = convert_letter(document, title=subject, image_domain=image_domain)
    message.set_content(letter.text, cte="quoted-printable")
    message.add_alternative(letter.html, subtype="html", cte="quoted-printable")
    html_part = message.get_payload()[1]
    for image in letter.images:
        maintype, _, subtype = image.content_type.partition("/")
        html_part.add_related(
            image.data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            cid=f"<{image.content_id}>",
        )
    return message


def _check_file_name(file_name: str) -> None:
    _check_header_value("file_name", file_name)
    if not file_name.strip() or "/" in file_name or "\\" in file_name:
        raise ValueError(
            f"file_name {file_name!r} is not a file name. Pass a name without folders, "
            "such as 'Thank you - CT100140.docx'."
        )


def _check_docx(document: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(document)) as archive:
            archive.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        raise ValueError(
            "document is not a .docx file (no word/document.xml in a ZIP archive). "
            "Pass the bytes of a Word document saved as .docx."
        ) from None
