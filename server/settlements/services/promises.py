"""Promises to pay made on calls, judged by the money that came in.

A promise is kept once the payments received from the day of its call to its date plus
the client's grace days (`grace_days`, the same grace an instalment has) add up to the
amount promised, less anything the bank took back; it is broken when that window has
closed short of the amount. A payment (from the API or a client's financial file) judges
its account's open promises at once; the nightly sweep breaks, or keeps, those whose
window has closed. Dates are the agency's, as payments' received dates are.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from server.accounts import service as accounts
from server.audit import service as audit
from server.auth.principal import SYSTEM, Principal
from server.clients import service as clients
from server.kit import clock, db
from server.queues import follow_ups as queue_work
from server.settlements.repositories import promises as repository


def _window(promise: asyncpg.Record, grace_days: int) -> tuple[date, date]:
    return clock.agency_date(promise["made_at"]), promise["due_on"] + timedelta(days=grace_days)


async def _judge(actor: Principal, promise: asyncpg.Record, grace_days: int, *, final: bool) -> str:
    """ "kept", "broken" or "open" (not yet paid and its window still open)."""
    first, last = _window(promise, grace_days)
    paid = await repository.paid_between(promise["account_id"], first, last)
    kept = paid >= int(promise["amount_cents"])
    if not kept and not final:
        return "open"
    if not await queue_work.close_promise(promise["id"], kept=kept):
        return "open"
    verdict = "kept" if kept else "broken"
    after: dict[str, Any] = {"status": verdict, "paid_cents": paid,
                             "window": [first.isoformat(), last.isoformat()]}  # fmt: skip
    await audit.record(
        actor, f"promise.{'keep' if kept else 'break'}", "promise", promise["id"],
        client_id=promise["client_id"], before={"status": "open"}, after=after,
    )  # fmt: skip
    return verdict


async def keep_paid_promises(actor: Principal, account_id: UUID) -> int:
    """After a payment, in its transaction under the account's lock: the account's open
    promises its money completes are kept. Returns how many."""
    promises = await queue_work.open_promises(account_id=account_id)
    if not promises:
        return 0
    grace_days = (await clients.client_settings(promises[0]["client_id"]))["grace_days"]
    verdicts = [await _judge(actor, promise, grace_days, final=False) for promise in promises]
    return verdicts.count("kept")


async def judge_lapsed_promises(today: date | None = None) -> dict[str, int]:
    """The nightly sweep: every open promise whose window closed before `today` is kept
    (a payment recorded late, dated within it) or broken. Each is judged under its
    account's lock; running it twice changes nothing the second time."""
    today = today or clock.agency_today()
    counts = {"kept": 0, "broken": 0}
    candidates = await queue_work.open_promises(due_before=today)
    settings = await clients.clients_settings(list({p["client_id"] for p in candidates}))
    for promise in candidates:
        grace_days = settings[promise["client_id"]]["grace_days"]
        if _window(promise, grace_days)[1] >= today:
            continue
        async with db.transaction():
            await accounts.lock_account(SYSTEM, promise["account_id"])
            verdict = await _judge(SYSTEM, promise, grace_days, final=True)
        if verdict != "open":
            counts[verdict] += 1
    return counts
