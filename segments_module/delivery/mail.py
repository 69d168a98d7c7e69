"""SMTP settings, e-mail messages for merged letters, and a Mailer that sends them.

The Mailer keeps one SMTP connection open for many messages. It sends each message at
most once per `send` call: it reconnects and tries again only when the connection
closed before the DATA command, so the server cannot have accepted the message.
"""

from __future__ import annotations

import io
import ipaddress
import logging
import os
import smtplib
import socket
import ssl
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderParseError, NonASCIILocalPartDefect
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Literal

from email_validator import EmailNotValidError, validate_email

from segments_module.delivery.html import LetterBody, convert_letter

logger = logging.getLogger(__name__)

Security = Literal["none", "starttls", "tls"]
SECURITY_MODES: tuple[Security, ...] = ("none", "starttls", "tls")
DEFAULT_PORTS: dict[Security, int] = {"none": 25, "starttls": 587, "tls": 465}
DEFAULT_TIMEOUT_SECONDS = 30.0
DOCX_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
DEFAULT_ATTACHMENT_TEXT = "Please find your letter attached: {file_name}\n"

HOST_VARIABLE = "SEGMENTS_SMTP_HOST"
PORT_VARIABLE = "SEGMENTS_SMTP_PORT"
SECURITY_VARIABLE = "SEGMENTS_SMTP_SECURITY"
USERNAME_VARIABLE = "SEGMENTS_SMTP_USERNAME"
PASSWORD_VARIABLE = "SEGMENTS_SMTP_PASSWORD"
SENDER_VARIABLE = "SEGMENTS_SMTP_SENDER"
TIMEOUT_VARIABLE = "SEGMENTS_SMTP_TIMEOUT"
CA_FILE_VARIABLE = "SEGMENTS_SMTP_CA_FILE"


class DeliveryError(Exception):
    """A message could not be sent.

    `reason` describes what failed and what to check. It can quote the server's reply,
    which may contain the recipient's address. `kind` is a short category without
    addresses, such as "connection refused" or "recipient rejected 550", for logs.
    """

    def __init__(
        self, reason: str, kind: str = "failed", maybe_sent: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        # True when the failure came after the message data went out, so the
        # server may have accepted it and sending again could deliver it twice.
        self.maybe_sent = maybe_sent


@dataclass(frozen=True)
class SmtpSettings:
    """Connection settings of the SMTP server that sends the letters."""

    host: str | None = None
    port: int = DEFAULT_PORTS["none"]
    security: Security = "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    # From address, either "name@example.com" or "Name <name@example.com>".
    sender: str | None = None
    timeout: float = DEFAULT_TIMEOUT_SECONDS  # seconds, per connect and per reply
    # A CA certificate file trusted in addition to the system's CAs.
    ca_file: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @property
    def endpoint(self) -> str:
        """The server as host:port, with an IPv6 address in brackets."""
        host = self.host or ""
        if ":" in host:
            host = f"[{host}]"
        return f"{host}:{self.port}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings:
        """Read the SEGMENTS_SMTP_* variables. Empty values count as unset.

        Without SEGMENTS_SMTP_HOST the settings are not `configured` and the other
        variables are not checked. Raises ValueError naming the variable, the value
        and the fix when a value is invalid.
        """
        if environ is None:
            environ = os.environ

        def read(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        host = read(HOST_VARIABLE)
        if host is None:
            return cls()
        _check_host(host)

        security = _parse_security(read(SECURITY_VARIABLE))
        port = _parse_port(read(PORT_VARIABLE), security)
        timeout = _parse_timeout(read(TIMEOUT_VARIABLE))
        sender = read(SENDER_VARIABLE)
        if sender is None:
            raise ValueError(
                f"{SENDER_VARIABLE} is not set, but {HOST_VARIABLE} is. Set it to the "
                "From address of the letters, such as marketing@example.com."
            )
        parse_mailbox(SENDER_VARIABLE, sender)

        username = read(USERNAME_VARIABLE)
        # The password keeps its spaces, because they can be part of it.
        password = environ.get(PASSWORD_VARIABLE) or None
        if password is not None and username is None:
            raise ValueError(
                f"{PASSWORD_VARIABLE} is set but {USERNAME_VARIABLE} is not. Set the "
                "user name to log in, or unset the password to send without login."
            )
        if username is not None and security == "none":
            logger.warning(
                "SMTP login to %s:%d is configured without TLS, so the password "
                "crosses the network unencrypted. Set %s to starttls or tls.",
                host,
                port,
                SECURITY_VARIABLE,
            )

        ca_file = read(CA_FILE_VARIABLE)
        if ca_file is not None:
            _check_ca_file(ca_file)

        return cls(
            host=host,
            port=port,
            security=security,
            username=username,
            password=password,
            sender=sender,
            timeout=timeout,
            ca_file=ca_file,
        )


def _check_host(host: str) -> None:
    invalid = any(character.isspace() or character in "/@[]" for character in host)
    if ":" in host and not invalid:
        # Only an IPv6 address may contain colons. A port belongs in its own variable.
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            invalid = True
    if invalid:
        raise ValueError(
            f"{HOST_VARIABLE} {host!r} is not a host name or IP address. Set it to "
            "the SMTP server's name, such as smtp.example.com, without a port."
        )


def _parse_security(value: str | None) -> Security:
    if value is None:
        return "none"
    security = value.lower()
    for mode in SECURITY_MODES:
        if security == mode:
            return mode
    raise ValueError(
        f"{SECURITY_VARIABLE} {value!r} is not a security mode. Set it to none, "
        "starttls (port 587) or tls (implicit TLS, port 465)."
    )


def _parse_port(value: str | None, security: Security) -> int:
    if value is None:
        return DEFAULT_PORTS[security]
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ValueError(
            f"{PORT_VARIABLE} {value!r} is not a TCP port. Set it to a number from "
            f"1 to 65535, or unset it to use {DEFAULT_PORTS[security]} for "
            f"{SECURITY_VARIABLE}={security}."
        )
    return port


def _parse_timeout(value: str | None) -> float:
    if value is None:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        timeout = float(value)
    except ValueError:
        timeout = 0.0
    # NaN fails this comparison too.
    if not 0 < timeout <= 3600:
        raise ValueError(
            f"{TIMEOUT_VARIABLE} {value!r} is not a valid timeout. Set it to a "
            "number of seconds greater than 0 and at most 3600, or unset it to use "
            f"{DEFAULT_TIMEOUT_SECONDS:g}."
        )
    return timeout


def _check_ca_file(path: str) -> None:
    try:
        ssl.create_default_context().load_verify_locations(cafile=path)
    except (OSError, ssl.SSLError) as error:
        raise ValueError(
            f"{CA_FILE_VARIABLE} {path!r} could not be loaded ({error}). Set it to a "
            "readable PEM file with the CA certificate, or unset it."
        ) from None


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


class _TrackedSMTP(smtplib.SMTP):
    """smtplib.SMTP that records whether DATA was sent for the current message."""

    data_sent = False

    def data(self, msg):  # type: ignore[no-untyped-def]
        self.data_sent = True
        return super().data(msg)


class _TrackedSMTPSSL(smtplib.SMTP_SSL):
    """smtplib.SMTP_SSL that records whether DATA was sent for the current message."""

    data_sent = False

    def data(self, msg):  # type: ignore[no-untyped-def]
        self.data_sent = True
        return super().data(msg)


class _ConnectionDropped(Exception):
    """The server closed the connection before DATA, so the message was not sent."""


class Mailer:
    """Sends messages through one SMTP connection, opened on the first `send`.

    Use it as a context manager so the connection is closed. Not thread-safe: use
    one Mailer per thread.
    """

    def __init__(self, settings: SmtpSettings) -> None:
        if not settings.configured:
            raise ValueError(
                f"SMTP is not configured because {HOST_VARIABLE} is not set. Set it "
                "and SEGMENTS_SMTP_SENDER before sending e-mail."
            )
        self.settings = settings
        self._connection: _TrackedSMTP | _TrackedSMTPSSL | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        """Send the message to its To, Cc and Bcc addresses.

        Reconnects once when the server closed the connection before DATA, as
        happens when the server dropped an idle connection. Raises
        DeliveryError for every other failure and closes the connection, so the
        next call starts with a fresh one.
        """
        message_id = message.get("Message-ID", "")
        try:
            try:
                self._send_once(message)
            except _ConnectionDropped:
                logger.info(
                    "SMTP server %s closed the connection before message %s; "
                    "reconnecting once",
                    self.settings.endpoint,
                    message_id,
                )
                self._discard_connection()
                self._send_once(message)
        except _ConnectionDropped:
            error = DeliveryError(
                f"The SMTP server {self.settings.endpoint} closed the connection "
                "twice before the message was sent. Check the server's log and "
                "its connection limits.",
                kind="connection closed twice",
            )
            self._fail(message_id, error)
        except DeliveryError as error:
            self._fail(message_id, error)

    def close(self) -> None:
        """Close the connection with QUIT, if one is open."""
        connection = self._connection
        if connection is None:
            return
        self._connection = None
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()
        logger.info("Closed SMTP connection to %s", self.settings.endpoint)

    def _send_once(self, message: EmailMessage) -> None:
        connection = self._connection or self._connect()
        connection.data_sent = False
        try:
            refused = connection.send_message(message)
        except smtplib.SMTPServerDisconnected as error:
            if isinstance(error.__context__, TimeoutError):
                # A server that stops replying is not a dropped idle connection.
                raise DeliveryError(
                    f"The SMTP server {self.settings.endpoint} did not reply within "
                    f"{self.settings.timeout:g} seconds"
                    + (
                        ", after the message was sent. It may have accepted it"
                        if connection.data_sent
                        else ""
                    )
                    + f". Check the server, or raise {TIMEOUT_VARIABLE}.",
                    kind="timed out",
                    maybe_sent=connection.data_sent,
                ) from None
            if not connection.data_sent:
                raise _ConnectionDropped from error
            raise DeliveryError(
                f"The connection to the SMTP server {self.settings.endpoint} closed "
                "after the message was sent but before the server confirmed it. The "
                "server may have accepted it: look for Message-ID "
                f"{message.get('Message-ID', '')} at the recipient before sending "
                "again.",
                kind="connection closed after DATA",
                maybe_sent=True,
            ) from None
        except smtplib.SMTPSenderRefused as error:
            if error.smtp_code == 421 and not connection.data_sent:
                # 421 is the server's notice that it closes the connection.
                raise _ConnectionDropped from error
            raise DeliveryError(
                f"The SMTP server {self.settings.endpoint} rejected the sender "
                f"address: {_reply(error.smtp_code, error.smtp_error)}. Check "
                f"{SENDER_VARIABLE} and that the login may send as that address.",
                kind=f"sender rejected {error.smtp_code}",
            ) from None
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            replies = "; ".join(
                _reply(code, text) for code, text in error.recipients.values()
            )
            raise DeliveryError(
                f"The SMTP server {self.settings.endpoint} rejected the recipient "
                f"address: {replies}. Check the contact's e-mail address.",
                kind="recipient rejected " + ",".join(map(str, codes)),
            ) from None
        except smtplib.SMTPDataError as error:
            raise DeliveryError(
                f"The SMTP server {self.settings.endpoint} rejected the message: "
                f"{_reply(error.smtp_code, error.smtp_error)}. Check the server's "
                "size limit and content rules.",
                kind=f"message rejected {error.smtp_code}",
            ) from None
        except smtplib.SMTPNotSupportedError as error:
            raise DeliveryError(
                f"The SMTP server {self.settings.endpoint} cannot send this message: "
                f"{error}. Use ASCII e-mail addresses or a server with SMTPUTF8.",
                kind="not supported",
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(
                f"Sending through the SMTP server {self.settings.endpoint} failed: "
                f"{_describe(error)}. Check the server and the network.",
                kind=f"send failed: {type(error).__name__}",
                maybe_sent=connection.data_sent,
            ) from None
        if refused:
            # Only some recipients were rejected, so the message counts as sent.
            logger.warning(
                "SMTP server %s rejected %d of the recipients of message %s",
                self.settings.endpoint,
                len(refused),
                message.get("Message-ID", ""),
            )

    def _connect(self) -> _TrackedSMTP | _TrackedSMTPSSL:
        settings = self.settings
        host = settings.host or ""
        connection: _TrackedSMTP | _TrackedSMTPSSL | None = None
        step = "connecting"
        try:
            # The constructors connect and check the 220 greeting. TLS verifies the
            # certificate against `host`.
            if settings.security == "tls":
                connection = _TrackedSMTPSSL(
                    host,
                    settings.port,
                    timeout=settings.timeout,
                    context=self._tls_context(),
                )
            else:
                connection = _TrackedSMTP(host, settings.port, timeout=settings.timeout)
            connection.ehlo()
            if settings.security == "starttls":
                step = "starting TLS"
                if not connection.has_extn("starttls"):
                    raise DeliveryError(
                        f"The SMTP server {settings.endpoint} does not offer STARTTLS. "
                        f"Check {PORT_VARIABLE} (STARTTLS is usually on 587) or set "
                        f"{SECURITY_VARIABLE}=tls for port 465.",
                        kind="STARTTLS not offered",
                    )
                connection.starttls(context=self._tls_context())
                connection.ehlo()
            if settings.username:
                step = "logging in"
                connection.login(settings.username, settings.password or "")
        except DeliveryError:
            _close_quietly(connection)
            raise
        except smtplib.SMTPAuthenticationError as error:
            _close_quietly(connection)
            raise DeliveryError(
                f"Login to the SMTP server {settings.endpoint} failed: "
                f"{_reply(error.smtp_code, error.smtp_error)}. Check "
                f"{USERNAME_VARIABLE} and {PASSWORD_VARIABLE}.",
                kind=f"login rejected {error.smtp_code}",
            ) from None
        except smtplib.SMTPNotSupportedError:
            _close_quietly(connection)
            raise DeliveryError(
                f"The SMTP server {settings.endpoint} does not offer login (AUTH) on "
                "this connection. Many servers offer it only after TLS: set "
                f"{SECURITY_VARIABLE} to starttls or tls, or unset "
                f"{USERNAME_VARIABLE}.",
                kind="login not offered",
            ) from None
        except ssl.SSLCertVerificationError as error:
            _close_quietly(connection)
            raise DeliveryError(
                f"TLS with the SMTP server {settings.endpoint} failed because its "
                f"certificate is not trusted ({error.verify_message}). Check that "
                f"{HOST_VARIABLE} matches the certificate, or set {CA_FILE_VARIABLE} "
                "to the CA that signed it.",
                kind="certificate not trusted",
            ) from None
        except ssl.SSLError as error:
            _close_quietly(connection)
            raise DeliveryError(
                f"TLS with the SMTP server {settings.endpoint} failed "
                f"({error.reason or error}). Check that {SECURITY_VARIABLE} matches "
                "the port: tls for implicit TLS (465), starttls for 587.",
                kind="TLS failed",
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            _close_quietly(connection)
            raise DeliveryError(
                f"{step.capitalize()} to the SMTP server {settings.endpoint} failed: "
                f"{_describe(error)}. {_advice(error)}",
                kind=f"{step} failed: {_describe_kind(error)}",
            ) from None

        self._connection = connection
        logger.info(
            "Opened SMTP connection to %s (security %s, login %s)",
            settings.endpoint,
            settings.security,
            "yes" if settings.username else "no",
        )
        return connection

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.settings.ca_file:
            context.load_verify_locations(cafile=self.settings.ca_file)
        return context

    def _discard_connection(self) -> None:
        connection = self._connection
        self._connection = None
        if connection is not None:
            _close_quietly(connection)
            logger.info("Closed SMTP connection to %s", self.settings.endpoint)

    def _fail(self, message_id: str, error: DeliveryError) -> None:
        self._discard_connection()
        # The kind, not the reason, because the reason can contain an address.
        logger.warning(
            "Sending message %s through %s failed: %s",
            message_id,
            self.settings.endpoint,
            error.kind,
        )
        raise error


def _close_quietly(connection: smtplib.SMTP | None) -> None:
    if connection is None:
        return
    try:
        connection.close()
    except OSError:
        pass


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"


def _describe(error: BaseException) -> str:
    error = _cause(error)
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, socket.gaierror):
        return f"host name not found ({error.strerror})"
    if isinstance(error, smtplib.SMTPResponseException):
        return _reply(error.smtp_code, error.smtp_error)
    return str(error) or type(error).__name__


def _describe_kind(error: BaseException) -> str:
    error = _cause(error)
    if isinstance(error, smtplib.SMTPResponseException):
        return str(error.smtp_code)
    if isinstance(error, ConnectionRefusedError | TimeoutError | socket.gaierror):
        return _describe(error).partition(" (")[0]
    return type(error).__name__


def _cause(error: BaseException) -> BaseException:
    # smtplib turns a socket error while reading a reply into SMTPServerDisconnected,
    # with the socket error as the context.
    if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(
        error.__context__, OSError
    ):
        return error.__context__
    return error


def _advice(error: BaseException) -> str:
    error = _cause(error)
    if isinstance(error, ConnectionRefusedError):
        return (
            f"Check that the server is running and that {HOST_VARIABLE} and "
            f"{PORT_VARIABLE} are right."
        )
    if isinstance(error, TimeoutError):
        return (
            f"Check {HOST_VARIABLE}, {PORT_VARIABLE} and the firewall, or raise "
            f"{TIMEOUT_VARIABLE}."
        )
    if isinstance(error, socket.gaierror):
        return f"Check {HOST_VARIABLE} and the DNS."
    return "Check the server and the network."
