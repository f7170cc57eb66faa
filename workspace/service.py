"""What each workspace page shows, assembled from the domain services the API uses. The
workspace owns no tables and runs no queries of its own: every figure comes from a service,
which checks that the signed-in member of staff may see it (an account outside a
collector's portfolio is NotFound)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from server.accounts import notes
from server.accounts import service as accounts
from server.accounts.schemas import AccountRead, AccountSummary, NoteRead
from server.accounts.validation_period import ValidationState
from server.auth.principal import Principal
from server.dispatch import service as work_queue
from server.dispatch.schemas import NextAccountRead, QueueRead
from server.kit import clock
from server.kit.errors import InvalidInput, NotFound
from server.kit.pages import form_as
from server.kit.pagination import page_request
from server.messages import service as messages
from server.messages.schemas import MessageRead
from server.queues import service as calls
from server.queues.call_context import CallContextRead
from server.queues.local_time import zone
from server.queues.schemas import CallCheckRead, CallCheckRequest, CallCreate, CallRead, Outcome
from server.settlements.schemas import (
    AuthorityRead,
    MoneySection,
    OfferRead,
    OfferStatus,
    PaymentRead,
)
from server.settlements.services import offers

# How many of each history the account screen lists (the API pages through them all).
CALLS_SHOWN = 20
NOTES_SHOWN = 20
MESSAGES_SHOWN = 50
OFFERS_SHOWN = 20
SEARCH_SHOWN = 25

# What a collector may choose on the call form, in the order a call usually ends.
OUTCOMES = [o.value for o in Outcome]


@dataclass(frozen=True)
class QueueLine:
    rank: int
    priority: int
    # The person's accounts in the queue, best first: (id, the client's account number).
    accounts: list[tuple[UUID, str]]
    leased_until: datetime | None


@dataclass(frozen=True)
class QueueView:
    capacity: int | None
    lines: list[QueueLine]
    callbacks_due: int


async def my_queue(actor: Principal) -> QueueView:
    queue: QueueRead = await work_queue.queue(actor, actor.id, with_scores=False)
    lines = [
        QueueLine(
            rank=item.rank,
            priority=item.priority,
            accounts=[(a.account_id, a.client_account_number) for a in item.accounts],
            leased_until=item.leased_until,
        )
        for item in queue.items
    ]
    # Priority 2 is a callback the consumer asked for that is due (server/dispatch/scoring.py).
    due = sum(1 for line in lines if line.priority == 2)
    return QueueView(capacity=queue.capacity, lines=lines, callbacks_due=due)


async def next_account(actor: Principal) -> NextAccountRead:
    return await work_queue.next_account(actor)


async def release(actor: Principal, account_id: UUID) -> None:
    await work_queue.release(actor, account_id)


async def search(actor: Principal, query: str) -> list[AccountSummary]:
    if not query:
        return []
    found = await accounts.list_accounts(actor, page_request(SEARCH_SHOWN, None), query=query)
    return found.items


@dataclass(frozen=True)
class PhoneLine:
    phone_id: UUID
    e164: str
    kind: str
    status: str
    employer_forbids_calls: bool
    check: CallCheckRead


@dataclass(frozen=True)
class AccountScreen:
    account: AccountRead
    # The verdict on the best number on file, as dialling now would be judged.
    verdict: CallCheckRead
    phones: list[PhoneLine]
    # The detail's call context (counters, cues) and the authority bands in dollars.
    call: CallContextRead
    authority: AuthorityRead | None
    local_time: datetime | None
    # The person's other accounts the caller may see, with their balances.
    others: list[AccountRead]
    calls: list[CallRead]
    notes: list[NoteRead]
    offers: list[OfferRead]
    money: MoneySection | None
    validation_notice_unmailed: bool
    # The messages with the client on the account, oldest first (read once shown).
    messages: list[MessageRead]


async def account_screen(actor: Principal, account_id: UUID) -> AccountScreen:
    account = await accounts.get_account(actor, account_id)
    call = account.sections.get("call")
    # Only the agency's staff sign in here, and the detail gives them the call's context.
    assert isinstance(call, CallContextRead)
    now = call.at
    checks = {c.phone: c for c in call.phones}
    phones = [
        PhoneLine(
            phone_id=p.phone_id,
            e164=p.e164,
            kind=p.kind,
            status=p.status,
            employer_forbids_calls=p.employer_forbids_calls,
            check=checks.get(p.e164)
            or await calls.check_call(actor, account_id, CallCheckRequest(phone=p.e164, at=now)),
        )
        for p in account.debtor.phones
    ]
    authority = account.sections.get("authority")
    context = await accounts.contact_context(actor, account_id)
    others: list[AccountRead] = []
    for other_id in context.debtor_account_ids:
        if other_id == account_id:
            continue
        try:
            others.append(await accounts.get_account(actor, other_id))
        except NotFound:
            continue  # another client's account, not the caller's to see
    time_zone = account.debtor.time_zone
    money = account.sections.get("money")
    return AccountScreen(
        account=account,
        verdict=call.verdict,
        phones=phones,
        call=call,
        authority=authority if isinstance(authority, AuthorityRead) else None,
        # Unknown zone: no local time is shown rather than a guessed one.
        local_time=now.astimezone(zone(time_zone)) if time_zone else None,
        others=others,
        calls=(await calls.list_calls(actor, account_id, page_request(CALLS_SHOWN, None))).items,
        notes=(await notes.list_notes(actor, account_id, page_request(NOTES_SHOWN, None))).items,
        offers=(
            await offers.list_offers(
                actor,
                page_request(OFFERS_SHOWN, None),
                status=None,
                client_id=None,
                account_id=account_id,
            )
        ).items,
        money=money if isinstance(money, MoneySection) else None,
        validation_notice_unmailed=account.validation_state == ValidationState.NOTICE_NOT_MAILED,
        messages=await messages.conversation(
            actor, await messages.account_thread(actor, account_id), MESSAGES_SHOWN
        ),
    )


def _minutes(value: str) -> int:
    try:
        minutes = int(value or "0")
    except ValueError:
        raise InvalidInput.field("duration_min", "must be a whole number of minutes") from None
    if not 0 <= minutes <= 24 * 60:
        raise InvalidInput.field("duration_min", "must be between 0 and 1440 minutes")
    return minutes


async def record_call(
    actor: Principal, account_id: UUID, phone: str, outcome: str, duration: str, text: str
) -> UUID:
    """A call that just ended, as the API's POST …/calls records it: it started the
    given number of minutes ago. Returns the call's id; its findings are on the screen."""
    if not phone:
        raise InvalidInput.field("phone", "choose the number you called")
    if outcome not in OUTCOMES:
        raise InvalidInput.field("outcome", "choose how the call ended")
    minutes = _minutes(duration)
    started = clock.now() - timedelta(minutes=minutes)
    data = form_as(
        {"phone": phone, "direction": "outbound", "started_at": started.isoformat(),
         "duration_s": minutes * 60, "outcome": outcome, "notes": text or None},
        CallCreate,
    )  # fmt: skip
    recorded = await calls.record_call(actor, account_id, data)
    return recorded.call_id


def payment_of(view: AccountScreen, payment_id: str) -> PaymentRead | None:
    """The payment a form just recorded, as the screen's money section lists it."""
    payments = view.money.payments if view.money else []
    return next((p for p in payments if str(p.payment_id) == payment_id), None)


def payable_offers(view: AccountScreen) -> list[OfferRead]:
    """Offers a payment may go to (settlements: only an accepted one)."""
    return [o for o in view.offers if o.status == OfferStatus.ACCEPTED]


def today() -> date:
    """The agency's date: what a payment's "received on" starts at."""
    return clock.agency_today()


def new_idempotency_key() -> str:
    """The payment form's Idempotency-Key, new with each rendering: sent twice (a double
    click, a reload), the form records one payment."""
    return "ws-" + secrets.token_urlsafe(24)
