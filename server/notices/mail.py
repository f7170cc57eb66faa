"""One notice as an e-mail, handed to the SMTP server SMTP_URL names.

The standard library's smtplib, run in a thread: one message at a time, each in the
transaction that holds its outbox row, so an async client would buy nothing here. The
Message-ID and Date come from the outbox row, so a notice sent again (a worker killed
after the server took it) is the same message to the recipient's mail system."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

# How long one exchange with the server may take before the attempt counts as failed.
SMTP_TIMEOUT_S = 30
_DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpTarget:
        """smtp://[user:password@]host[:port] (STARTTLS when the server offers it) or
        smtps://… (TLS from the first byte); settings checked the scheme and the host."""
        parts = urlsplit(url)
        return cls(
            host=parts.hostname or "",
            port=parts.port or _DEFAULT_PORTS[parts.scheme],
            implicit_tls=parts.scheme == "smtps",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


@dataclass(frozen=True)
class Letter:
    sender: str
    recipient: str
    subject: str
    body: str
    message_id: str
    written_at: datetime


def as_email(letter: Letter) -> EmailMessage:
    message = EmailMessage()
    message["From"] = letter.sender
    message["To"] = letter.recipient
    message["Subject"] = letter.subject
    message["Message-ID"] = letter.message_id
    message["Date"] = format_datetime(letter.written_at)
    message.set_content(letter.body)
    return message


def send(target: SmtpTarget, letter: Letter) -> None:
    """Hand the letter to the server; raises smtplib.SMTPException or OSError when it was
    not accepted (then it may or may not have been: the outbox tries again)."""
    context = ssl.create_default_context()
    server: smtplib.SMTP
    if target.implicit_tls:
        server = smtplib.SMTP_SSL(target.host, target.port, timeout=SMTP_TIMEOUT_S, context=context)
    else:
        server = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT_S)
    with server:
        server.ehlo()
        if not target.implicit_tls and server.has_extn("starttls"):
            server.starttls(context=context)
            server.ehlo()
        if target.username is not None:
            server.login(target.username, target.password or "")
        server.send_message(as_email(letter))
