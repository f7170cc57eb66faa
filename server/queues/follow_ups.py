"""What calls leave behind: the callbacks consumers ask for and the promises to pay they
make, until a later call answers the callback or the money (settlements) judges the
promise; and a collector's list of both, soonest first."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import asyncpg

from server.accounts import service as account_service
from server.accounts.validation_period import LATEST_US_ZONE
from server.auth.principal import Principal
from server.kit import clock
from server.kit.errors import FieldError, InvalidInput
from server.kit.mapping import read_as
from server.kit.pagination import Page, PageRequest, make_page, visible_param
from server.queues import repository
from server.queues.schemas import CallCreate, Outcome, WorkDueRead

# The latest date a promise to pay may name: a payment further off is a plan, which is an
# offer within the client's authority (settlements), not a promise made on a call.
PROMISE_HORIZON_DAYS = 90
# A call this long before the time a consumer asked to be called back still answers the
# request: a collector who dials at 14:50 for "call me at three" has called back.
CALLBACK_EARLY = timedelta(minutes=15)


def check_promise(data: CallCreate) -> None:
    """A promise names how much and by when: the day of the call or later, at most
    PROMISE_HORIZON_DAYS ahead. "The day of the call" is its date where the day ends last
    in the United States, so a consumer in Hawaii or Samoa promising "today" is never told
    it is tomorrow."""
    errors = []
    if data.promise_amount_cents is None:
        errors.append(FieldError("promise_amount_cents", "is required with promise_to_pay"))
    first = clock.local_date(data.started_at, LATEST_US_ZONE)
    last = first + timedelta(days=PROMISE_HORIZON_DAYS)
    if data.promise_due_on is None:
        errors.append(FieldError("promise_due_on", "is required with promise_to_pay"))
    elif not first <= data.promise_due_on <= last:
        errors.append(
            FieldError(
                "promise_due_on",
                f"must be from the day of the call ({first}) to {PROMISE_HORIZON_DAYS} days"
                f" after it ({last})",
            )
        )
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.reason}" for e in errors), details=errors)


async def record(
    ctx: account_service.ContactContext,
    call_id: UUID,
    chain_id: UUID,
    account_ids: list[UUID],
    data: CallCreate,
) -> None:
    """What a call leaves behind: the callbacks it answers are done; the callback it was
    asked for and the promise it took are open."""
    await repository.complete_callbacks(account_ids, chain_id, data.started_at + CALLBACK_EARLY)
    common = {"call_id": call_id, "chain_id": chain_id, "account_id": ctx.account_id,
              "client_id": ctx.client_id, "debtor_id": ctx.debtor_id}  # fmt: skip
    if data.callback_at is not None:
        await repository.insert_follow_up(**common, due_at=data.callback_at)
    if data.outcome == Outcome.PROMISE_TO_PAY:
        await repository.insert_promise(
            **common, amount_cents=data.promise_amount_cents, due_on=data.promise_due_on
        )


# --- for offers ---


async def close_open_promises(account_id: UUID, *, kept: bool) -> int:
    """The account's open promises are kept (an arrangement was paid) or broken (it was
    missed or never paid); a broken promise raises the account's priority when scored.
    Runs inside the caller's transaction; returns how many promises it closed."""
    return await repository.close_open_promises("kept" if kept else "broken", account_id=account_id)


# --- for the promises' judgement (settlements) ---


async def open_promises(
    *, account_id: UUID | None = None, due_before: date | None = None
) -> list[asyncpg.Record]:
    """Open promises that name an amount and a date, with the start of the call they were
    made on: one account's (judged after a payment), or all due before a day (the nightly
    judgement). Rows: id, account_id, client_id, amount_cents, due_on, made_at."""
    return await repository.open_promises(account_id, due_before)


async def close_promise(promise_id: UUID, *, kept: bool) -> bool:
    """Close one promise if it is still open; False when it was not (judged meanwhile)."""
    status = "kept" if kept else "broken"
    return await repository.close_open_promises(status, promise_id=promise_id) == 1


# --- work that falls due (a collector's callbacks and promises) -----------------------------


async def work_due(actor: Principal, collector_id: UUID, page: PageRequest) -> Page[WorkDueRead]:
    """The callbacks consumers asked of this collector's calls and the promises they took,
    still open, soonest first; `due_now` once their time has come. Only accounts of
    clients the reader may see."""
    rows = await repository.work_due(
        collector_id, visible_param(actor.visible_clients()), clock.agency_zone().key,
        page.after, page.fetch_limit,
    )  # fmt: skip
    numbers = await account_service.account_numbers(actor, [r["account_id"] for r in rows])
    now = clock.now()
    items = [
        read_as(WorkDueRead, r, work_id=r["id"], due_now=r["due_at"] <= now,
                client_account_number=numbers.get(r["account_id"]))
        for r in rows
    ]  # fmt: skip
    return make_page(items, page, key=lambda w: (w.due_at, w.work_id))
