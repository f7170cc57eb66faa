"""E-mail notices to client users: their preferences, the notifier every domain reaches
(queueing in the caller's transaction), the sender the `notices.send` job runs, and the
outbox admins read.

A notice is a count and a link. It is written to the outbox in the transaction of what
it announces, and sent afterwards: each in a transaction that locks its row for the
send, so a sender killed mid-send leaves it queued for the next (the one duplicate
possible: the server took it and the sender died before recording so, and it goes again
under the same Message-ID)."""

from __future__ import annotations

import asyncio
import re
import smtplib
from dataclasses import dataclass
from uuid import UUID

from server.auth.principal import Principal, Role
from server.kit import clock, db
from server.kit.errors import InvalidInput, NotPermitted
from server.kit.logging import get_logger
from server.kit.mapping import read_as
from server.kit.pagination import Page, PageRequest, make_page
from server.kit.settings import get_settings
from server.notices import backoff, mail, repository
from server.notices.kinds import NoticeKind, label, sentence
from server.notices.schemas import (
    NoticeKindRead,
    NoticePreferencesRead,
    NoticePreferencesUpdate,
    OutboxRead,
    OutboxStatus,
)

log = get_logger("server.notices.service")

# One address; nothing a header could be split on.
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
# How much of an SMTP error the outbox keeps for admins.
_ERROR_CHARS = 500


def _client_user(actor: Principal) -> UUID:
    """Notices go to a client's users; staff and API tokens have none."""
    if actor.role != Role.CLIENT or actor.kind != "user" or actor.client_id is None:
        raise NotPermitted("notices are set by a client's users, for themselves")
    return actor.client_id


async def preferences(actor: Principal) -> NoticePreferencesRead:
    _client_user(actor)
    row = await repository.preference(actor.id)
    off = set(row["switched_off"]) if row else set()
    return NoticePreferencesRead(
        email=row["email"] if row else None,
        kinds=[NoticeKindRead(kind, label(kind), kind not in off) for kind in NoticeKind],
    )


async def set_preferences(actor: Principal, data: NoticePreferencesUpdate) -> NoticePreferencesRead:
    client_id = _client_user(actor)
    email = data.email.strip() if data.email else None
    if email and not _EMAIL.match(email):
        raise InvalidInput.field("email", "must be one e-mail address, like name@example.com")
    off = sorted({str(kind) for kind in data.switched_off})
    async with db.transaction():
        await repository.save_preference(actor.id, client_id, email or None, off, clock.now())
    return await preferences(actor)


def _link(link: str) -> str:
    return get_settings().public_url + link if link.startswith("/") else link


async def notify_client(client_id: UUID, kind: str, count: int, link: str) -> None:
    """Tell the client's users, by e-mail, that `count` things of `kind` happened (a
    NoticeKind value), with a link to where they are (a path under the server's public
    address, or a whole URL). Queued in the caller's transaction, one per user who has an
    address and has not switched the kind off; sent by the `notices.send` job."""
    notice = NoticeKind(kind)
    settings = get_settings()
    words = sentence(notice, count)
    body = (
        f"{words}.\n\n{_link(link)}\n\n"
        f"-- \n{settings.agency_name}\n"
        f"Choose which notices you receive: {settings.public_url}/portal/settings\n"
    )
    domain = settings.smtp_from.rsplit("@", 1)[-1]
    await repository.enqueue_for_client(client_id, notice, words, body, domain, clock.now())


def smtp_target() -> mail.SmtpTarget | None:
    """The server SMTP_URL names; None: mail stays in the outbox."""
    url = get_settings().smtp_url
    return None if url is None else mail.SmtpTarget.from_url(url)


@dataclass(frozen=True)
class SendTally:
    sent: int = 0
    failed: int = 0


async def send_due(target: mail.SmtpTarget | None) -> SendTally:
    """Send every queued notice that is due, one transaction each; none without a
    server. A failed attempt is retried after notices.backoff's wait, then failed."""
    if target is None:
        return SendTally()
    sender = get_settings().smtp_from
    sent = failed = 0
    while True:
        async with db.transaction():
            row = await repository.claim_due(clock.now())
            if row is None:
                return SendTally(sent, failed)
            letter = mail.Letter(
                sender, row["recipient"], row["subject"], row["body"], row["message_id"],
                row["created_at"],
            )  # fmt: skip
            try:
                await asyncio.to_thread(mail.send, target, letter)
            except (smtplib.SMTPException, OSError) as error:
                attempts = row["attempts"] + 1
                wait = backoff.retry_delay(attempts)
                retry_at = None if wait is None else clock.now() + wait
                reason = f"{type(error).__name__}: {error}"[:_ERROR_CHARS]
                await repository.record_failure(row["id"], reason, retry_at)
                log.warning(
                    "notices.send.failed", notice_id=str(row["id"]), attempts=attempts,
                    error=type(error).__name__, retry=retry_at is not None,
                )  # fmt: skip
                failed += 1
            else:
                await repository.mark_sent(row["id"], clock.now())
                sent += 1


async def due_count() -> int:
    return await repository.count_due(clock.now())


def _admin(actor: Principal) -> None:
    if actor.role != Role.ADMIN:
        raise NotPermitted("the e-mail outbox is for admins")


async def outbox(
    actor: Principal, page: PageRequest, status: OutboxStatus | None = None
) -> Page[OutboxRead]:
    """Every notice, newest first: queued, sent, or failed with its error."""
    _admin(actor)
    rows = await repository.outbox(status, page.after, page.fetch_limit)
    items = [read_as(OutboxRead, r) for r in rows]
    return make_page(items, page, key=lambda n: (n.created_at, n.notice_id))


async def outbox_counts(actor: Principal) -> dict[str, int]:
    _admin(actor)
    counts = await repository.outbox_counts()
    return {status: counts.get(status, 0) for status in OutboxStatus}
