"""What the client is told about its verification requests, and when (the numbers:
verification_rules). Each reminder is recorded (`verification_reminder`: the kind, the
agency day, whether a notifier sent it), at most one a day per request, so the daily job
run twice tells nothing twice. The client's users are told through the kit's client
notifier (the notices domain's e-mail outbox, wired at start-up); the portal's request
page shows the reminders either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

import structlog

from server.disputes import verification_repository as repository
from server.disputes.verification_rules import Reminder, reminder_for
from server.kit import client_notices, clock, db

LIST_LINK = "/portal/verification"

log = structlog.get_logger()


async def remind(rows: Sequence[tuple[UUID, UUID, Reminder]], on_date: date) -> int:
    """Record the reminders (request_id, client_id, kind) of `on_date` not yet recorded
    that day, and tell each client once per kind with how many; returns how many were
    new."""
    assert db.in_transaction(), "reminders outside a transaction"
    new = await repository.insert_reminders(rows, on_date, notified=client_notices.notifier_wired())
    counts: dict[tuple[UUID, str], list[UUID]] = {}
    for row in new:
        counts.setdefault((row["client_id"], row["kind"]), []).append(row["request_id"])
    for (client_id, kind), request_ids in sorted(
        counts.items(), key=lambda c: (str(c[0][0]), c[0][1])
    ):
        link = f"{LIST_LINK}/{request_ids[0]}" if len(request_ids) == 1 else LIST_LINK
        # The kinds are the notices domain's: verification_requested, _due_soon, _overdue.
        await client_notices.tell_client(client_id, kind, len(request_ids), link)
    return len(new)


async def send_reminders() -> int:
    """The daily job: today's reminder for every open request that has one due."""
    today = clock.agency_today()
    async with db.transaction():
        due = []
        for row in await repository.open_requests_with_due_soon():
            kind = reminder_for(today, row["due_on"], due_soon_sent=row["due_soon_sent"])
            if kind is not None:
                due.append((row["request_id"], row["client_id"], kind))
        sent = await remind(due, today)
    log.info("disputes.reminders.sent", on_date=today.isoformat(), reminders=sent)
    return sent
