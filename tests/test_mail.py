"""E-mail delivery of merged letters against a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import io
import logging
import socket
import struct
import threading
import zlib
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage

import docx
import pytest

from segments_module.delivery import (
    DeliveryError,
    Mailer,
    SmtpSettings,
    build_message,
    docx_to_html,
    message_id_for,
)
from segments_module.delivery.message import DOCX_CONTENT_TYPE

# The fixtures smtp_server, starttls_smtp_server, tls_smtp_server, smtp_server_factory
# and tls_files.
pytest_plugins = ["tests.smtp_server"]

RECIPIENT = "jurgen.muller@example.com"
SUBJECT = "Thank you for your order"
LETTER_TEXT = "Thank you for visiting our stand at the fair."
NON_ASCII_SUBJECT = "Danke schön – Grüße"


def make_letter(*paragraphs: str, image: bytes | None = None) -> bytes:
    document = docx.Document()
    document.add_paragraph("Dear Jürgen Müller,")
    for paragraph in paragraphs or (LETTER_TEXT,):
        document.add_paragraph(paragraph)
    if image is not None:
        document.add_picture(io.BytesIO(image))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_png() -> bytes:
    """Return a valid 1x1 red PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def letter_message(server, entry_no: int = 42, **overrides) -> EmailMessage:
    values = {
        "sender": server.settings().sender,
        "recipient": RECIPIENT,
        "subject": SUBJECT,
        "document": make_letter(),
        "file_name": "Thank you - CT100140.docx",
        "as_attachment": False,
        "message_id": message_id_for(entry_no=entry_no, domain="segments.local"),
    }
    values.update(overrides)
    return build_message(**values)


def part_text(message: EmailMessage, content_type: str) -> str:
    for part in message.walk():
        if part.get_content_type() == content_type:
            return part.get_content()
    raise AssertionError(f"no {content_type} part in the message")


@pytest.fixture
def silent_server() -> Iterator[tuple[str, int]]:
    """A TCP socket that accepts connections but never sends the SMTP greeting."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    yield listener.getsockname()
    listener.close()


# Messages


def test_html_message_received_with_headers(smtp_server):
    message = letter_message(smtp_server)

    with Mailer(smtp_server.settings()) as mailer:
        mailer.send(message)

    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received.envelope_from == "marketing@cronus.example.com"
    assert received.envelope_to == (RECIPIENT,)
    assert received.message["From"] == smtp_server.settings().sender
    assert received.message["To"] == RECIPIENT
    assert received.message["Subject"] == SUBJECT
    assert received.message["Message-ID"] == "<interaction-log-entry-42@segments.local>"
    assert received.message.get_content_type() == "multipart/alternative"
    html = part_text(received.message, "text/html")
    assert LETTER_TEXT in html
    assert "Dear Jürgen Müller," in html
    assert '<meta charset="utf-8">' in html
    text = part_text(received.message, "text/plain")
    assert LETTER_TEXT in text
    assert "<p>" not in text


def test_attachment_message_carries_readable_docx(smtp_server):
    document = make_letter("A paragraph only the attachment carries.")
    message = letter_message(smtp_server, document=document, as_attachment=True)

    with Mailer(smtp_server.settings()) as mailer:
        mailer.send(message)

    received = smtp_server.messages[0].message
    attachments = list(received.iter_attachments())
    assert len(attachments) == 1
    attachment = attachments[0]
    assert attachment.get_content_type() == DOCX_CONTENT_TYPE
    assert attachment.get_filename() == "Thank you - CT100140.docx"
    content = attachment.get_content()
    assert content == document
    paragraphs = [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]
    assert "A paragraph only the attachment carries." in paragraphs
    body = received.get_body(preferencelist=("plain",))
    assert body is not None
    assert "Thank you - CT100140.docx" in body.get_content()


def test_html_message_images_are_related_parts(smtp_server):
    image = make_png()
    message = letter_message(smtp_server, document=make_letter(image=image))

    with Mailer(smtp_server.settings()) as mailer:
        mailer.send(message)

    received = smtp_server.messages[0].message
    images = [
        part for part in received.walk() if part.get_content_type() == "image/png"
    ]
    assert len(images) == 1
    assert images[0].get_content() == image
    content_id = images[0]["Content-ID"].strip("<>")
    html = part_text(received, "text/html")
    assert f'src="cid:{content_id}"' in html
    assert "data:" not in html


def test_non_ascii_subject_and_names_round_trip(smtp_server):
    # Given a subject, display names and a file name outside ASCII
    message = letter_message(
        smtp_server,
        sender="Grüße GmbH <marketing@cronus.example.com>",
        recipient_name="Jürgen Müller",
        subject=NON_ASCII_SUBJECT,
        file_name="Grüße – CT100140.docx",
        as_attachment=True,
    )

    # When it is sent
    with Mailer(smtp_server.settings()) as mailer:
        mailer.send(message)

    # Then the headers are encoded for transport and decode to the same text
    received = smtp_server.messages[0]
    assert received.raw.isascii()
    assert received.message["Subject"] == NON_ASCII_SUBJECT
    assert received.message["From"].addresses[0].display_name == "Grüße GmbH"
    assert received.message["To"].addresses[0].display_name == "Jürgen Müller"
    assert received.message["To"].addresses[0].addr_spec == RECIPIENT
    attachment = next(received.message.iter_attachments())
    assert attachment.get_filename() == "Grüße – CT100140.docx"


def test_non_ascii_local_part_uses_smtputf8(smtp_server):
    message = letter_message(smtp_server, recipient="jürgen@example.com")

    with Mailer(smtp_server.settings()) as mailer:
        mailer.send(message)

    received = smtp_server.messages[0]
    assert received.envelope_to == ("jürgen@example.com",)
    assert received.message["To"] == "jürgen@example.com"


def test_international_domain_sent_as_idna(smtp_server):
    message = letter_message(smtp_server, recipient="kontakt@müller.example")

    with Mailer(smtp_server.settings()) as mailer:
        mailer.send(message)

    received = smtp_server.messages[0]
    assert received.envelope_to == ("kontakt@xn--mller-kva.example",)
    assert received.raw.isascii()


@pytest.mark.parametrize(
    "field", ["recipient", "subject", "sender", "file_name", "recipient_name"]
)
def test_build_message_rejects_header_injection(smtp_server, field):
    injected = {
        "recipient": f"{RECIPIENT}\r\nBcc: victim@example.com",
        "subject": "Hello\r\nBcc: victim@example.com",
        "sender": "marketing@cronus.example.com\nBcc: victim@example.com",
        "file_name": 'a.docx"\r\nContent-Type: text/html',
        "recipient_name": "Jürgen\rBcc: victim@example.com",
    }

    with pytest.raises(ValueError, match=field) as raised:
        letter_message(smtp_server, **{field: injected[field]})

    assert "line break" in str(raised.value)


@pytest.mark.parametrize(
    "recipient",
    ["", "not an address", "a@example.com, b@example.com", "a@", "@example.com"],
)
def test_build_message_rejects_invalid_recipient(smtp_server, recipient):
    with pytest.raises(ValueError, match="recipient"):
        letter_message(smtp_server, recipient=recipient)


@pytest.mark.parametrize("as_attachment", [False, True])
def test_build_message_rejects_non_docx(smtp_server, as_attachment):
    with pytest.raises(ValueError, match="document is not"):
        letter_message(
            smtp_server, document=b"%PDF-1.7 not a docx", as_attachment=as_attachment
        )


def test_build_message_rejects_folder_in_file_name(smtp_server):
    with pytest.raises(ValueError, match="file_name"):
        letter_message(smtp_server, file_name="../letters/x.docx", as_attachment=True)


def test_message_id_is_same_for_same_entry():
    first = message_id_for(entry_no=7, domain="segments.example.com")
    second = message_id_for(entry_no=7, domain="segments.example.com")
    other = message_id_for(entry_no=8, domain="segments.example.com")

    assert first == second
    assert first == "<interaction-log-entry-7@segments.example.com>"
    assert other != first


@pytest.mark.parametrize(
    ("entry_no", "domain"),
    [
        (0, "segments.local"),
        (-1, "segments.local"),
        (True, "segments.local"),
        (1, ""),
        (1, "a b"),
        (1, "x>\r\nBcc: y"),
    ],
)
def test_message_id_rejects_invalid_values(entry_no, domain):
    with pytest.raises(ValueError):
        message_id_for(entry_no=entry_no, domain=domain)


def test_docx_to_html_returns_whole_document():
    html = docx_to_html(make_letter(image=make_png()), title="Grüße <1>")

    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    assert "<title>Grüße &lt;1&gt;</title>" in html
    assert f"<p>{LETTER_TEXT}</p>" in html
    assert 'src="data:image/png;base64,' in html
    assert html.rstrip().endswith("</html>")


# Connections, TLS and login


def test_mailer_reuses_one_connection(smtp_server):
    with Mailer(smtp_server.settings()) as mailer:
        for entry_no in (1, 2, 3):
            mailer.send(letter_message(smtp_server, entry_no=entry_no))

    assert len(smtp_server.messages) == 3
    assert smtp_server.connection_count == 1


def test_starttls_with_login_sends(starttls_smtp_server):
    server = starttls_smtp_server

    with Mailer(server.settings()) as mailer:
        mailer.send(letter_message(server))

    assert len(server.messages) == 1
    assert server.messages[0].login == server.settings().username


def test_implicit_tls_sends(tls_smtp_server):
    server = tls_smtp_server

    with Mailer(server.settings()) as mailer:
        mailer.send(letter_message(server))

    assert len(server.messages) == 1
    assert server.messages[0].message["Subject"] == SUBJECT


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_untrusted_certificate_raises(smtp_server_factory, tls_files, security):
    # Given a TLS server whose self-signed certificate the client does not trust
    server = smtp_server_factory(security=security, tls_files=tls_files)
    settings = server.settings(ca_file=None, username=None, password=None)

    # When a message is sent
    with Mailer(settings) as mailer, pytest.raises(DeliveryError) as raised:
        mailer.send(letter_message(server))

    # Then the error names the certificate problem and the setting to fix
    assert "not trusted" in raised.value.reason
    assert "SEGMENTS_SMTP_CA_FILE" in raised.value.reason
    assert server.messages == []


def test_tls_on_plain_server_raises(smtp_server):
    settings = smtp_server.settings(security="tls")

    with Mailer(settings) as mailer, pytest.raises(DeliveryError) as raised:
        mailer.send(letter_message(smtp_server))

    assert "TLS" in raised.value.reason
    assert smtp_server.settings().endpoint in raised.value.reason


def test_starttls_not_offered_raises(smtp_server):
    settings = smtp_server.settings(security="starttls")

    with Mailer(settings) as mailer, pytest.raises(DeliveryError) as raised:
        mailer.send(letter_message(smtp_server))

    assert "does not offer STARTTLS" in raised.value.reason
    assert smtp_server.messages == []


def test_wrong_password_raises_without_password(starttls_smtp_server, caplog):
    # Given the right user name with a wrong password
    server = starttls_smtp_server
    wrong_password = "wrong-Pa55word"
    caplog.set_level(logging.DEBUG, logger="segments_module")

    # When a message is sent
    with Mailer(server.settings(password=wrong_password)) as mailer:
        with pytest.raises(DeliveryError) as raised:
            mailer.send(letter_message(server))

    # Then the error reports the failed login, and no password appears anywhere
    reason = raised.value.reason
    assert "Login" in reason
    assert "failed" in reason
    assert "535" in reason
    assert server.settings().endpoint in reason
    assert "SEGMENTS_SMTP_PASSWORD" in reason
    assert wrong_password not in reason
    assert wrong_password not in caplog.text
    assert server.settings().password not in caplog.text
    assert server.messages == []


def test_settings_repr_hides_password(starttls_smtp_server):
    settings = starttls_smtp_server.settings()

    assert settings.password
    assert settings.password not in repr(settings)


def test_login_without_tls_not_offered_raises(smtp_server_factory):
    # Given a server that offers AUTH only over TLS, reached without TLS
    server = smtp_server_factory(users={"segments": "s3cret"})

    with Mailer(server.settings()) as mailer, pytest.raises(DeliveryError) as raised:
        mailer.send(letter_message(server))

    assert "does not offer login" in raised.value.reason


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_over_plain_connection_when_allowed(smtp_server_factory):
    server = smtp_server_factory(users={"segments": "s3cret"}, auth_require_tls=False)

    with Mailer(server.settings()) as mailer:
        mailer.send(letter_message(server))

    assert server.messages[0].login == "segments"


def test_missing_login_raises_sender_rejected(starttls_smtp_server):
    # Given a server that requires login and a client that sends none
    server = starttls_smtp_server
    settings = server.settings(username=None, password=None)

    with Mailer(settings) as mailer, pytest.raises(DeliveryError) as raised:
        mailer.send(letter_message(server))

    assert "rejected the sender" in raised.value.reason
    assert "530" in raised.value.reason


# Failures and recovery


def test_stopped_server_raises_connection_refused(smtp_server):
    settings = smtp_server.settings()
    smtp_server.stop()

    with Mailer(settings) as mailer, pytest.raises(DeliveryError) as raised:
        mailer.send(letter_message(smtp_server))

    assert "connection refused" in raised.value.reason
    assert settings.endpoint in raised.value.reason
    assert "SEGMENTS_SMTP_HOST" in raised.value.reason
    assert raised.value.kind == "connecting failed: connection refused"


def test_restarted_server_is_used_by_same_mailer(smtp_server):
    # Given a mailer that sent one message, then lost its server
    with Mailer(smtp_server.settings()) as mailer:
        mailer.send(letter_message(smtp_server, entry_no=1))
        smtp_server.stop()
        with pytest.raises(DeliveryError, match="connection refused"):
            mailer.send(letter_message(smtp_server, entry_no=2))

        # When the server comes back on the same port
        smtp_server.start()
        mailer.send(letter_message(smtp_server, entry_no=3))

    # Then the same mailer delivers through a new connection
    message_ids = [received.message["Message-ID"] for received in smtp_server.messages]
    assert message_ids == [
        "<interaction-log-entry-1@segments.local>",
        "<interaction-log-entry-3@segments.local>",
    ]
    assert smtp_server.connection_count == 2


def test_dropped_idle_connection_reconnects_once(smtp_server, caplog):
    caplog.set_level(logging.INFO, logger="segments_module")

    with Mailer(smtp_server.settings()) as mailer:
        mailer.send(letter_message(smtp_server, entry_no=1))
        smtp_server.drop_connections()
        mailer.send(letter_message(smtp_server, entry_no=2))

    assert len(smtp_server.messages) == 2
    assert smtp_server.connection_count == 2
    assert "reconnecting once" in caplog.text


def test_disconnect_after_data_is_not_retried(smtp_server):
    # Given a server that stores the message, then closes without replying
    smtp_server.drop_after_data = True

    # When a message is sent
    with Mailer(smtp_server.settings()) as mailer, pytest.raises(DeliveryError) as e:
        mailer.send(letter_message(smtp_server))

    # Then it is not sent again, and the error warns that it may have arrived
    assert len(smtp_server.messages) == 1
    assert "may have accepted it" in e.value.reason
    assert "<interaction-log-entry-42@segments.local>" in e.value.reason


def test_rejected_recipient_raises_then_recovers(smtp_server, caplog):
    caplog.set_level(logging.INFO, logger="segments_module")
    smtp_server.rejected_recipients.add("unknown@example.com")

    with Mailer(smtp_server.settings()) as mailer:
        with pytest.raises(DeliveryError) as raised:
            mailer.send(letter_message(smtp_server, recipient="unknown@example.com"))
        mailer.send(letter_message(smtp_server))

    assert "rejected the recipient" in raised.value.reason
    assert "550" in raised.value.reason
    assert raised.value.kind == "recipient rejected 550"
    assert len(smtp_server.messages) == 1
    assert "unknown@example.com" not in caplog.text
    assert RECIPIENT not in caplog.text


def test_rejected_data_raises(smtp_server):
    smtp_server.data_reply = "554 5.6.0 Message content rejected"

    with Mailer(smtp_server.settings()) as mailer, pytest.raises(DeliveryError) as e:
        mailer.send(letter_message(smtp_server))

    assert "rejected the message" in e.value.reason
    assert "554 5.6.0 Message content rejected" in e.value.reason


def test_silent_server_times_out(smtp_server, silent_server):
    host, port = silent_server
    settings = smtp_server.settings(host=host, port=port, timeout=0.5)

    with Mailer(settings) as mailer, pytest.raises(DeliveryError) as raised:
        mailer.send(letter_message(smtp_server))

    assert "timed out" in raised.value.reason
    assert "SEGMENTS_SMTP_TIMEOUT" in raised.value.reason


def test_connections_are_logged(smtp_server, caplog):
    caplog.set_level(logging.INFO, logger="segments_module")

    with Mailer(smtp_server.settings()) as mailer:
        mailer.send(letter_message(smtp_server))

    assert "Opened SMTP connection to 127.0.0.1" in caplog.text
    assert "Closed SMTP connection to 127.0.0.1" in caplog.text
    assert RECIPIENT not in caplog.text


def test_mailer_rejects_unconfigured_settings():
    with pytest.raises(ValueError, match="SEGMENTS_SMTP_HOST"):
        Mailer(SmtpSettings())


# Settings from the environment


def test_settings_unconfigured_without_host():
    settings = SmtpSettings.from_env(environ={"SEGMENTS_SMTP_PORT": "not checked"})

    assert settings.configured is False


@pytest.mark.parametrize(
    ("security", "port"), [(None, 25), ("none", 25), ("STARTTLS", 587), ("tls", 465)]
)
def test_settings_default_port_follows_security(security, port):
    environ = {
        "SEGMENTS_SMTP_HOST": "smtp.example.com",
        "SEGMENTS_SMTP_SENDER": "marketing@example.com",
    }
    if security is not None:
        environ["SEGMENTS_SMTP_SECURITY"] = security

    settings = SmtpSettings.from_env(environ=environ)

    assert settings.configured is True
    assert settings.port == port
    assert settings.timeout == 30


def test_settings_read_every_variable(tls_files):
    environ = {
        "SEGMENTS_SMTP_HOST": "smtp.example.com",
        "SEGMENTS_SMTP_PORT": "2525",
        "SEGMENTS_SMTP_SECURITY": "starttls",
        "SEGMENTS_SMTP_USERNAME": "mailer",
        "SEGMENTS_SMTP_PASSWORD": " with spaces ",
        "SEGMENTS_SMTP_SENDER": "Cronus <marketing@example.com>",
        "SEGMENTS_SMTP_TIMEOUT": "2.5",
        "SEGMENTS_SMTP_CA_FILE": str(tls_files.certificate),
    }

    settings = SmtpSettings.from_env(environ=environ)

    assert settings == SmtpSettings(
        host="smtp.example.com",
        port=2525,
        security="starttls",
        username="mailer",
        password=" with spaces ",
        sender="Cronus <marketing@example.com>",
        timeout=2.5,
        ca_file=str(tls_files.certificate),
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SEGMENTS_SMTP_PORT", "0"),
        ("SEGMENTS_SMTP_PORT", "70000"),
        ("SEGMENTS_SMTP_PORT", "smtp"),
        ("SEGMENTS_SMTP_SECURITY", "ssl"),
        ("SEGMENTS_SMTP_TIMEOUT", "0"),
        ("SEGMENTS_SMTP_TIMEOUT", "nan"),
        ("SEGMENTS_SMTP_TIMEOUT", "soon"),
        ("SEGMENTS_SMTP_SENDER", "no address"),
        ("SEGMENTS_SMTP_CA_FILE", "/nonexistent/ca.pem"),
        ("SEGMENTS_SMTP_HOST", "smtp.example.com:25"),
    ],
)
def test_settings_reject_invalid_value(variable, value):
    environ = {
        "SEGMENTS_SMTP_HOST": "smtp.example.com",
        "SEGMENTS_SMTP_SENDER": "marketing@example.com",
        variable: value,
    }

    with pytest.raises(ValueError) as raised:
        SmtpSettings.from_env(environ=environ)

    assert variable in str(raised.value)
    assert repr(value) in str(raised.value)


def test_settings_require_sender_with_host():
    with pytest.raises(ValueError, match="SEGMENTS_SMTP_SENDER is not set"):
        SmtpSettings.from_env(environ={"SEGMENTS_SMTP_HOST": "smtp.example.com"})


def test_settings_reject_password_without_username():
    environ = {
        "SEGMENTS_SMTP_HOST": "smtp.example.com",
        "SEGMENTS_SMTP_SENDER": "marketing@example.com",
        "SEGMENTS_SMTP_PASSWORD": "secret",
    }

    with pytest.raises(ValueError, match="SEGMENTS_SMTP_USERNAME") as raised:
        SmtpSettings.from_env(environ=environ)

    assert "secret" not in str(raised.value)


def test_message_id_with_logged_time():
    # given the time a segment was logged
    logged_at = datetime(2026, 12, 4, 17, 9, 30, 123456)

    # then the ID carries it, so another database's entry 7 gets another ID
    assert message_id_for(entry_no=7, domain="cronus.example", logged_at=logged_at) == (
        "<interaction-log-entry-7.20261204170930123456@cronus.example>"
    )
    assert message_id_for(entry_no=7, domain="cronus.example") == (
        "<interaction-log-entry-7@cronus.example>"
    )


@pytest.fixture
def trickle_server():
    """A server that greets one byte every 0.2 s and never ends the line."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            while not stop.is_set():
                try:
                    connection.sendall(b"2")
                except OSError:
                    return
                stop.wait(0.2)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()
    thread.join(timeout=10)


def test_trickling_server_cut_at_deadline(smtp_server, trickle_server):
    # given a server that never finishes its greeting, and a 1 s reply timeout
    settings = smtp_server.settings(port=trickle_server, timeout=1.0)
    message = letter_message(smtp_server, as_attachment=True)

    # when a message is sent
    with Mailer(settings) as mailer, pytest.raises(DeliveryError) as raised:
        mailer.send(message)

    # then the whole send is cut at four times the timeout, with that reason
    assert raised.value.kind == "deadline passed"
    assert "did not finish the message within 4 seconds" in raised.value.reason
    assert raised.value.maybe_sent is False
