"""SMTP settings of e-mail delivery, read from the SEGMENTS_SMTP_* variables."""

from __future__ import annotations

import ipaddress
import logging
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from segments_module.delivery.message import parse_mailbox

logger = logging.getLogger(__name__)

Security = Literal["none", "starttls", "tls"]
SECURITY_MODES: tuple[Security, ...] = ("none", "starttls", "tls")
DEFAULT_PORTS: dict[Security, int] = {"none": 25, "starttls": 587, "tls": 465}
DEFAULT_TIMEOUT_SECONDS = 30.0

HOST_VARIABLE = "SEGMENTS_SMTP_HOST"
PORT_VARIABLE = "SEGMENTS_SMTP_PORT"
SECURITY_VARIABLE = "SEGMENTS_SMTP_SECURITY"
USERNAME_VARIABLE = "SEGMENTS_SMTP_USERNAME"
PASSWORD_VARIABLE = "SEGMENTS_SMTP_PASSWORD"
SENDER_VARIABLE = "SEGMENTS_SMTP_SENDER"
TIMEOUT_VARIABLE = "SEGMENTS_SMTP_TIMEOUT"
CA_FILE_VARIABLE = "SEGMENTS_SMTP_CA_FILE"


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
