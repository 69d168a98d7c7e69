"""A real SMTP server on 127.0.0.1 for delivery tests, with pytest fixtures.

Load the fixtures with `pytest_plugins = ["tests.smtp_server"]` in a test module or in
tests/conftest.py. Importing the fixture functions by name works too, but ruff then
reports each test argument as a redefinition (F811).

Each server runs aiosmtpd in a thread on a free port, stores every accepted message,
and can be stopped and started again on the same port. TLS variants use a self-signed
certificate made with the openssl command, so their tests skip when openssl is not
installed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from segments_module.delivery import SmtpSettings

HOST = "127.0.0.1"
SENDER = "Cronus Marketing <marketing@cronus.example.com>"
USERNAME = "segments"
PASSWORD = "s3cret pass"
# Upper bound for the server thread to act on stop or drop requests. Tests never
# wait this long unless the server is stuck.
SERVER_WAIT_SECONDS = 10


@dataclass(frozen=True)
class TlsFiles:
    """A self-signed certificate for 127.0.0.1 and localhost, and its private key."""

    certificate: Path
    key: Path


@dataclass(frozen=True)
class ReceivedMessage:
    """A message the server accepted, with its SMTP envelope."""

    envelope_from: str
    envelope_to: tuple[str, ...]
    message: EmailMessage
    raw: bytes
    login: str | None  # the user name of AUTH, None without login


class _Recorder:
    """aiosmtpd handler that stores accepted messages and can reject on request."""

    def __init__(self, server: SmtpTestServer) -> None:
        self._server = server

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.lower() in self._server.rejected_recipients:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Any, envelope: Any
    ) -> str:
        if self._server.data_reply is not None:
            return self._server.data_reply
        raw = envelope.original_content or b""
        message = BytesParser(policy=policy.default).parsebytes(raw)
        login = None
        if isinstance(session.auth_data, LoginPassword):
            login = session.auth_data.login.decode()
        received = ReceivedMessage(
            envelope_from=envelope.mail_from,
            envelope_to=tuple(envelope.rcpt_tos),
            message=message,  # type: ignore[arg-type]
            raw=raw,
            login=login,
        )
        with self._server.lock:
            self._server.messages.append(received)
        if self._server.drop_after_data:
            # abort() marks the transport lost at once, so the reply is never sent.
            server.transport.abort()  # type: ignore[union-attr]
        return "250 2.0.0 Message accepted for delivery"


class _TrackedSMTP(SMTP):
    """aiosmtpd's SMTP protocol that registers its connection with the test server."""

    def __init__(self, server: SmtpTestServer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._test_server = server
        self._greeted = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._test_server.open_protocols.add(self)

    def connection_lost(self, error: Exception | None) -> None:
        self._test_server.open_protocols.discard(self)
        super().connection_lost(error)

    async def smtp_EHLO(self, hostname: str) -> None:  # noqa: N802
        self._count_connection()
        await super().smtp_EHLO(hostname)

    async def smtp_HELO(self, hostname: str) -> None:  # noqa: N802
        self._count_connection()
        await super().smtp_HELO(hostname)

    def _count_connection(self) -> None:
        # Counted at the first greeting, because the controller's own start-up
        # probe connects without one. EHLO after STARTTLS is the same connection.
        if not self._greeted:
            self._greeted = True
            with self._test_server.lock:
                self._test_server.connection_count += 1


class _Controller(Controller):
    def __init__(self, server: SmtpTestServer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._test_server = server

    def factory(self) -> SMTP:
        return _TrackedSMTP(self._test_server, self.handler, **self.SMTP_kwargs)


class SmtpTestServer:
    """An aiosmtpd server on 127.0.0.1 that records what it receives.

    `security` is "none", "starttls" (STARTTLS required before MAIL) or "tls"
    (implicit TLS). With `users`, every message needs AUTH LOGIN or PLAIN with one
    of those user names and passwords. aiosmtpd offers AUTH only over TLS unless
    `auth_require_tls` is False.
    """

    def __init__(
        self,
        *,
        security: str = "none",
        tls_files: TlsFiles | None = None,
        users: dict[str, str] | None = None,
        auth_require_tls: bool = True,
    ) -> None:
        if security != "none" and tls_files is None:
            raise ValueError(f"security {security!r} needs tls_files")
        self.host = HOST
        self.port = _free_port()
        self.security = security
        self.tls_files = tls_files
        self.users = dict(users or {})
        self.auth_require_tls = auth_require_tls
        self.lock = threading.Lock()
        self.messages: list[ReceivedMessage] = []
        # Connections that sent EHLO or HELO, over the whole life of the server.
        self.connection_count = 0
        # Lowercase addresses that RCPT TO rejects with 550.
        self.rejected_recipients: set[str] = set()
        # When set, the reply to every DATA, such as "554 5.6.0 Rejected".
        self.data_reply: str | None = None
        # When True, the server stores each message and closes the connection
        # without replying, like a server that crashes after accepting it.
        self.drop_after_data = False
        self.open_protocols: set[_TrackedSMTP] = set()
        self._controller: _Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        """Start listening on `port`, which stays the same across restarts."""
        if self._controller is not None:
            return
        tls_context = None
        if self.tls_files is not None:
            tls_context = _server_tls_context(self.tls_files)
        options: dict[str, Any] = {"hostname": self.host, "port": self.port}
        smtp_options: dict[str, Any] = {"server_hostname": "smtp.test"}
        if self.security == "tls":
            options["ssl_context"] = tls_context
        elif self.security == "starttls":
            smtp_options["tls_context"] = tls_context
            smtp_options["require_starttls"] = True
        if self.users:
            smtp_options["authenticator"] = self._authenticate
            smtp_options["auth_required"] = True
            smtp_options["auth_require_tls"] = self.auth_require_tls
        controller = _Controller(self, _Recorder(self), **options, **smtp_options)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Close every client connection, then stop listening."""
        controller = self._controller
        if controller is None:
            return
        self.drop_connections()
        controller.stop()
        self._controller = None

    def drop_connections(self) -> None:
        """Close every open client connection, as a server does after an idle timeout.

        The server keeps listening, so a client that reconnects gets in again.
        """
        controller = self._controller
        if controller is None:
            return

        async def close_all() -> None:
            for protocol in list(self.open_protocols):
                if protocol.transport is not None:
                    protocol.transport.close()

        future = asyncio.run_coroutine_threadsafe(close_all(), controller.loop)
        future.result(timeout=SERVER_WAIT_SECONDS)

    def settings(self, **overrides: Any) -> SmtpSettings:
        """Return SmtpSettings for this server, with `overrides` applied."""
        username = password = None
        if self.users:
            username, password = next(iter(self.users.items()))
        ca_file = str(self.tls_files.certificate) if self.tls_files else None
        settings = SmtpSettings(
            host=self.host,
            port=self.port,
            security=self.security,  # type: ignore[arg-type]
            username=username,
            password=password,
            sender=SENDER,
            timeout=SERVER_WAIT_SECONDS,
            ca_file=ca_file,
        )
        return dataclasses.replace(settings, **overrides)

    def _authenticate(
        self, server: SMTP, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if mechanism not in ("LOGIN", "PLAIN") or not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = data.login.decode("utf-8", "replace")
        password = data.password.decode("utf-8", "replace")
        if self.users.get(login) == password:
            return AuthResult(success=True, auth_data=data)
        return AuthResult(success=False, handled=False)


def _free_port() -> int:
    # The port is free when the socket closes. Another process could take it before
    # the server binds, which is unlikely on a test machine.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _server_tls_context(files: TlsFiles) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(files.certificate, files.key)
    return context


def make_tls_files(folder: Path) -> TlsFiles:
    """Create a self-signed certificate for 127.0.0.1 and localhost with openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed; TLS tests need it")
    certificate = folder / "smtp-test-cert.pem"
    key = folder / "smtp-test-key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return TlsFiles(certificate=certificate, key=key)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("smtp-tls"))


@pytest.fixture
def smtp_server_factory() -> Iterator[Callable[..., SmtpTestServer]]:
    """Return a function that starts an SmtpTestServer with the given options.

    Every server it started is stopped after the test.
    """
    servers: list[SmtpTestServer] = []

    def start(**options: Any) -> SmtpTestServer:
        server = SmtpTestServer(**options)
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def smtp_server(smtp_server_factory) -> SmtpTestServer:
    """A plain SMTP server without TLS or login."""
    return smtp_server_factory()


@pytest.fixture
def starttls_smtp_server(smtp_server_factory, tls_files) -> SmtpTestServer:
    """A server that requires STARTTLS and a login as USERNAME with PASSWORD."""
    return smtp_server_factory(
        security="starttls", tls_files=tls_files, users={USERNAME: PASSWORD}
    )


@pytest.fixture
def tls_smtp_server(smtp_server_factory, tls_files) -> SmtpTestServer:
    """A server with implicit TLS (as on port 465) and no login."""
    return smtp_server_factory(security="tls", tls_files=tls_files)
