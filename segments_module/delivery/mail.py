"""The Mailer that sends e-mail messages over SMTP, and the error it raises.

The Mailer keeps one SMTP connection open for many messages. It sends each message at
most once per `send` call: it reconnects and tries again only when the connection
closed before the DATA command, so the server cannot have accepted the message.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
import threading
from email.message import EmailMessage

from segments_module.delivery.settings import (
    CA_FILE_VARIABLE,
    HOST_VARIABLE,
    PASSWORD_VARIABLE,
    PORT_VARIABLE,
    SECURITY_VARIABLE,
    SENDER_VARIABLE,
    TIMEOUT_VARIABLE,
    USERNAME_VARIABLE,
    SmtpSettings,
)

logger = logging.getLogger(__name__)

# A message may take this many times SEGMENTS_SMTP_TIMEOUT from connecting to
# the server's last reply. Connect, EHLO, STARTTLS, login, MAIL, RCPT and DATA
# each wait for one reply, so this is an estimate of a slow but working server.
MESSAGE_DEADLINE_FACTOR = 4


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


class _Tracked:
    """Records whether DATA was sent, and hands its socket to the send deadline.

    `on_connect` is called with the connection as soon as its socket exists, even
    while the constructor still reads the greeting, so that a server that
    trickles its replies can be cut off.
    """

    data_sent = False

    def __init__(self, *args, on_connect=None, **kwargs):  # type: ignore[no-untyped-def]
        self._on_connect = on_connect
        super().__init__(*args, **kwargs)

    def _get_socket(self, host, port, timeout):  # type: ignore[no-untyped-def]
        sock = super()._get_socket(host, port, timeout)
        if self._on_connect is not None:
            self.sock = sock
            self._on_connect(self)
        return sock

    def data(self, msg):  # type: ignore[no-untyped-def]
        self.data_sent = True
        return super().data(msg)


class _TrackedSMTP(_Tracked, smtplib.SMTP):
    """smtplib.SMTP with DATA tracking and the send deadline."""


class _TrackedSMTPSSL(_Tracked, smtplib.SMTP_SSL):
    """smtplib.SMTP_SSL with DATA tracking and the send deadline."""


class _Deadline:
    """Cuts the connection when one message takes longer than `seconds` in all.

    SEGMENTS_SMTP_TIMEOUT bounds each wait for the server, but a server that
    sends a reply one byte at a time never lets a single wait run out.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.passed = False
        self._connection = None
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def watch(self, connection) -> None:  # type: ignore[no-untyped-def]
        with self._lock:
            self._connection = connection

    def start(self) -> None:
        self.passed = False
        self._timer = threading.Timer(self.seconds, self._cut)
        self._timer.daemon = True
        self._timer.start()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def _cut(self) -> None:
        with self._lock:
            self.passed = True
            sock = getattr(self._connection, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


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
        self._deadline = _Deadline(MESSAGE_DEADLINE_FACTOR * settings.timeout)

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
        self._deadline.watch(self._connection)
        self._deadline.start()
        try:
            try:
                self._send_once(message)
            except _ConnectionDropped:
                if self._deadline.passed:
                    raise

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
            self._fail(message_id, self._past_deadline(error))
        except DeliveryError as error:
            self._fail(message_id, self._past_deadline(error))
        finally:
            self._deadline.stop()

    def _past_deadline(self, error: DeliveryError) -> DeliveryError:
        """Return the error to report: the deadline's, if it cut the connection."""
        if not self._deadline.passed:
            return error
        return DeliveryError(
            f"The SMTP server {self.settings.endpoint} did not finish the message "
            f"within {self._deadline.seconds:g} seconds ({MESSAGE_DEADLINE_FACTOR} "
            f"times {TIMEOUT_VARIABLE}), so the connection was cut"
            + (". It may have accepted the message" if error.maybe_sent else "")
            + ". Check the server, or raise the timeout.",
            kind="deadline passed",
            maybe_sent=error.maybe_sent,
        )

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
                    on_connect=self._deadline.watch,
                )
            else:
                connection = _TrackedSMTP(
                    host,
                    settings.port,
                    timeout=settings.timeout,
                    on_connect=self._deadline.watch,
                )
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
