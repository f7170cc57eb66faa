"""A real SMTP server on loopback (aiosmtpd) for the tests and the drills: what the
server accepted, and a hold that stops a delivery in the middle until released, so a
drill can kill the sender before or after the server took the message.

Development tooling: aiosmtpd is a dev dependency, never imported by the server."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    message: Message

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        payload = self.message.get_payload(decode=True)
        return payload.decode() if isinstance(payload, bytes) else str(payload)


@dataclass
class Hold:
    """Stops the next delivery at its DATA: `reached` is set when a message arrives;
    the server keeps it first (`keep` true: the sender is killed after the send) or not
    (the sender is killed before it), and answers only once `released` is set."""

    keep: bool
    reached: threading.Event = field(default_factory=threading.Event)
    # The Message-ID of the message held.
    message_id: str = ""
    released: threading.Event = field(default_factory=threading.Event)


class Mailbox:
    """aiosmtpd's handler: every message accepted, in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self.hold: Hold | None = None

    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
        self.hold = None

    def _keep(self, envelope: Any) -> None:
        parsed = email.message_from_bytes(envelope.original_content or envelope.content)
        with self._lock:
            self._received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), parsed))

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        hold, self.hold = self.hold, None
        if hold is None:
            self._keep(envelope)
            return "250 Message accepted for delivery"
        if hold.keep:
            self._keep(envelope)
        parsed = email.message_from_bytes(envelope.original_content or envelope.content)
        hold.message_id = str(parsed["Message-ID"])
        hold.reached.set()
        await asyncio.to_thread(hold.released.wait)
        return "250 Message accepted for delivery" if hold.keep else "451 Try again later"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LoopbackSmtp:
    mailbox: Mailbox
    port: int
    url: str


@contextmanager
def running(credentials: tuple[str, str] | None = None) -> Iterator[LoopbackSmtp]:
    """An SMTP server on 127.0.0.1 for the duration; with `credentials`, one that
    requires AUTH with them (over plain text: loopback only)."""
    mailbox = Mailbox()
    port = free_port()
    options: dict[str, Any] = {}
    if credentials is not None:

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                         data: Any) -> AuthResult:  # fmt: skip
            if not isinstance(data, LoginPassword):
                return AuthResult(success=False, handled=False)
            given = (data.login.decode(), data.password.decode())
            return AuthResult(success=given == credentials, handled=False)

        options = {"auth_required": True, "auth_require_tls": False,
                   "authenticator": authenticate}  # fmt: skip
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    user = f"{credentials[0]}:{credentials[1]}@" if credentials else ""
    try:
        yield LoopbackSmtp(mailbox, port, f"smtp://{user}127.0.0.1:{port}")
    finally:
        controller.stop()
