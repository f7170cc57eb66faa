"""Offers: an arrangement the debtor agreed to, made, decided, withdrawn, paid, lapsed.

Who may accept an offer is the client's authority (authority.py); the terms' own rules
(whom a band waits for, when the money is due, the grace of a missed instalment) are in
offer_terms.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from server.accounts import money as account_money
from server.accounts import service as accounts
from server.accounts.movements import BalanceChange
from server.accounts.statuses import AccountStatus
from server.audit import service as audit
from server.auth.principal import SYSTEM, Principal, Role
from server.clients import service as clients
from server.clients.authority import parse_authority
from server.kit import clock, db
from server.kit.client_notices import tell_client
from server.kit.errors import InvalidInput, NotPermitted
from server.kit.mapping import read_as
from server.kit.pagination import Page, PageRequest, make_page
from server.queues import follow_ups as queue_work
from server.settlements import offer_terms
from server.settlements.authority import (
    OfferInvalid,
    Plan,
    band_reasons,
    offer_band,
    refusal_to_decide,
    validate_plan,
)
from server.settlements.errors import (
    AccountNotSettleable,
    OfferExists,
    OfferNotPayable,
    OfferNotPending,
)
from server.settlements.events import SettlementEvent, SettlementEventKind, notify
from server.settlements.repositories import adjustments
from server.settlements.repositories import offers as repository
from server.settlements.schemas import (
    Decision,
    InstallmentRead,
    OfferCreate,
    OfferDecision,
    OfferKind,
    OfferRead,
    OffersSection,
    OfferStatus,
    OfferWithdraw,
)
from server.settlements.services.visible import visible_row


def _offer_read(row: Mapping[str, Any] | asyncpg.Record) -> OfferRead:
    return read_as(
        OfferRead,
        row,
        offer_id=row["id"],
        installments=msgspec.json.decode(row["installments"], type=list[InstallmentRead]),
        paid_cents=int(row["paid_cents"]),
    )


async def create_offer(
    actor: Principal, account_id: UUID, data: OfferCreate, *, offered_on: date | None = None
) -> OfferRead:
    """Record an arrangement the debtor agreed to. Inside the collector's band (whoever
    records it) it is accepted at once; beyond it, it waits for a supervisor or the
    client. One live offer per account: withdraw a pending one to make another.

    `offered_on` (today by default) records an arrangement made earlier, e.g. history from
    the agency's earlier system: its schedule and a lump sum's due date run from that day,
    so the nightly sweep judges it as it would have been judged all along."""
    await accounts.visible_account(actor, account_id)
    if actor.role == Role.CLIENT:
        raise NotPermitted("offers are made by the agency's collectors and staff")
    now = clock.now()
    today = clock.agency_date(now)
    if offered_on is not None and offered_on > today:
        raise InvalidInput.field("offered_on", "must not be in the future")
    offered = offered_on or today
    terms = offer_terms.terms_of(data, offered)
    if isinstance(terms, Plan):
        try:
            validate_plan(terms)
        except OfferInvalid as invalid:
            raise InvalidInput(str(invalid), details=invalid.errors) from None

    async with db.transaction():
        account = await accounts.lock_account(actor, account_id)
        balance = int(account["balance_cents"])
        if account["status"] != AccountStatus.ACTIVE or balance <= 0:
            raise AccountNotSettleable(
                f"an offer needs an active account with a balance (status {account['status']},"
                f" balance {balance} cents)"
            )
        if await repository.live_offer_of(account_id) is not None:
            raise OfferExists("the account already has a pending or accepted offer")
        client_id: UUID = account["client_id"]
        authority = parse_authority((await clients.client_settings(client_id))["authority"])
        band = offer_band(authority, balance, terms)
        status = offer_terms.STATUS_OF_BAND[band]
        schedule = (
            [(i.due_date, i.amount_cents) for i in terms.installments]
            if isinstance(terms, Plan)
            else []
        )
        due_on = None
        if status == OfferStatus.ACCEPTED:
            due_on = (
                schedule[-1][0] if schedule else offered + timedelta(days=offer_terms.LUMP_SUM_DAYS)
            )
        values = {
            "client_id": client_id, "account_id": account_id, "kind": str(data.kind),
            "amount_cents": data.amount_cents, "balance_cents": balance, "offered_on": offered,
            "band": str(band), "status": str(status), "created_by": actor.id, "due_on": due_on,
            "band_reasons": band_reasons(authority, balance, terms),
            "reason": data.reason.strip() if data.reason and data.reason.strip() else None,
        }  # fmt: skip
        try:
            offer_id = await repository.insert_offer(values, schedule)
        except asyncpg.UniqueViolationError:
            raise OfferExists("the account already has a pending or accepted offer") from None
        after = {**values, "installments": [[d, a] for d, a in schedule]}
        await audit.record(
            actor, "offer.create", "offer", offer_id, client_id=client_id, after=after
        )
        if status == OfferStatus.ACCEPTED:
            await _accepted(offer_id, account_id, client_id, today)
        if status == OfferStatus.PENDING_CLIENT:
            waiting = await repository.count_pending_client(client_id)
            await tell_client(client_id, "offers_awaiting", waiting, "/portal/approvals")
        row = await repository.offer(offer_id)
        assert row is not None
    return _offer_read(row)


async def _accepted(offer_id: UUID, account_id: UUID, client_id: UUID, on: date) -> None:
    """An offer accepted (at once, or by a decision): a letter is due (letters listens)."""
    await notify(
        SettlementEvent(
            SettlementEventKind.OFFER_ACCEPTED, account_id, client_id, on, offer_id=offer_id
        )
    )


# How many of an account's offers its detail shows.
_SECTION_OFFERS = 10


async def offers_section(actor: Principal, account_id: UUID) -> OffersSection:
    """The account detail's "offers" (the detail checked the account is the caller's)."""
    rows = await repository.list_offers(
        visible=actor.visible_clients(), client_id=None, account_id=account_id, status=None,
        after=None, limit=_SECTION_OFFERS,
    )  # fmt: skip
    return _offers(rows)


# The detail's offers in its one statement: the same read as above.
OFFERS_SECTION = accounts.DetailSection(
    parts={
        "offers": db.bind(
            repository.LIST_OFFERS_SQL,
            "$visible",
            "NULL",
            "$account",
            "NULL",
            "NULL",
            "NULL",
            str(_SECTION_OFFERS),
        )
    },
    read=lambda reading: _offers(reading.parts["offers"]),
)


def _offers(rows: Sequence[Mapping[str, Any] | asyncpg.Record]) -> OffersSection:
    items = [_offer_read(r) for r in rows]
    due = next((d for d in map(offer_terms.next_due, items) if d is not None), None)
    return OffersSection(
        items=items,
        next_due_on=due[0] if due else None,
        next_due_cents=due[1] if due else None,
    )


async def _visible_offer(actor: Principal, offer_id: UUID) -> asyncpg.Record:
    return visible_row(actor, await repository.offer(offer_id), "offer")


async def get_offer(actor: Principal, offer_id: UUID) -> OfferRead:
    return _offer_read(await _visible_offer(actor, offer_id))


async def list_offers(
    actor: Principal,
    page: PageRequest,
    *,
    status: OfferStatus | None,
    client_id: UUID | None,
    account_id: UUID | None,
) -> Page[OfferRead]:
    """Offers the caller may see, newest first: a supervisor's approval list is
    `status=pending_supervisor`, a client's `status=pending_client` (its own only)."""
    if client_id is not None:
        await clients.require_client(actor, client_id)
    if account_id is not None:
        await accounts.visible_account(actor, account_id)
    rows = await repository.list_offers(
        visible=actor.visible_clients(), client_id=client_id, account_id=account_id,
        status=None if status is None else str(status), after=page.after,
        limit=page.fetch_limit,
    )  # fmt: skip
    return make_page([_offer_read(r) for r in rows], page, key=lambda o: (o.created_at, o.offer_id))


async def decide_offer(actor: Principal, offer_id: UUID, data: OfferDecision) -> OfferRead:
    """Accept or reject a pending offer: a supervisor or admin those beyond the collector's
    band, the client (user or token) those beyond the supervisor's on its own accounts,
    never the one who made it (authority.refusal_to_decide). The offer row is locked, so of
    two decisions at once exactly one applies and the other finds it decided (409)."""
    found = await _visible_offer(actor, offer_id)
    if actor.role == Role.COLLECTOR:
        reason = (
            "a collector cannot decide its own offer"
            if found["created_by"] == actor.id
            else "collectors do not decide offers"
        )
        raise NotPermitted(reason)
    now = clock.now()
    async with db.transaction():
        row = await repository.offer(offer_id, for_update=True)
        assert row is not None
        status = OfferStatus(row["status"])
        if status not in offer_terms.PENDING:
            raise OfferNotPending(f"the offer is {status}, not pending a decision")
        refusal = refusal_to_decide(
            str(actor.role), str(status), made_it=row["created_by"] == actor.id
        )
        if refusal is not None:
            raise NotPermitted(refusal)
        accepted = data.decision == Decision.ACCEPT
        target = OfferStatus.ACCEPTED if accepted else OfferStatus.REJECTED
        due_on = None
        if accepted:
            # Disputed, paid or recalled since the offer was made: accepting it now would
            # collect what may not be collected. It can still be rejected.
            account = await accounts.visible_account(actor, row["account_id"])
            if account["status"] != AccountStatus.ACTIVE or int(account["balance_cents"]) <= 0:
                raise AccountNotSettleable(
                    f"the account is {account['status']}; the offer can only be rejected"
                )
            installments = msgspec.json.decode(row["installments"], type=list[InstallmentRead])
            due_on = offer_terms.due_on(
                OfferKind(row["kind"]), clock.agency_date(now), installments
            )
        await repository.decide_offer(
            offer_id,
            str(target),
            actor_id=actor.id,
            role=str(actor.role),
            reason=data.reason,
            due_on=due_on,
        )
        await audit.record(
            actor,
            f"offer.{data.decision}",
            "offer",
            offer_id,
            client_id=row["client_id"],
            before={"status": status},
            after={"status": target, "reason": data.reason, "due_on": due_on},
        )
        if accepted:
            await _accepted(offer_id, row["account_id"], row["client_id"], clock.agency_date(now))
        decided = await repository.offer(offer_id)
        assert decided is not None
    return _offer_read(decided)


async def withdraw_offer(actor: Principal, offer_id: UUID, data: OfferWithdraw) -> OfferRead:
    """The collector who made a pending offer (or staff) takes it back."""
    found = await _visible_offer(actor, offer_id)
    if not (actor.is_staff or found["created_by"] == actor.id):
        raise NotPermitted("only the collector who made the offer may withdraw it")
    async with db.transaction():
        row = await repository.offer(offer_id, for_update=True)
        assert row is not None
        status = OfferStatus(row["status"])
        if status not in offer_terms.PENDING:
            raise OfferNotPending(f"the offer is {status}; only a pending offer is withdrawn")
        reason = data.reason or "withdrawn"
        await repository.close_offer(offer_id, str(OfferStatus.WITHDRAWN), reason)
        await audit.record(
            actor,
            "offer.withdraw",
            "offer",
            offer_id,
            client_id=row["client_id"],
            before={"status": status},
            after={"status": OfferStatus.WITHDRAWN, "reason": reason},
        )
        withdrawn = await repository.offer(offer_id)
        assert withdrawn is not None
    return _offer_read(withdrawn)


async def honor_printed_deadline(offer_id: UUID, deadline: date) -> None:
    """A letter printed `deadline` as the day an accepted lump sum may be paid by (letters
    never prints one before the validation period's end, 15 U.S.C. 1692g(b)): the offer
    stays open at least until then, so the nightly sweep never expires what the consumer
    was told still stands. Inside the caller's transaction; never moves a date earlier."""
    moved = await repository.extend_due_on(offer_id, deadline)
    if moved is not None:
        await audit.record(
            SYSTEM,
            "offer.extend",
            "offer",
            offer_id,
            client_id=moved["client_id"],
            before={"due_on": moved["due_on_before"]},
            after={"due_on": deadline, "reason": "the deadline printed on its letter"},
        )


# Why an account's live offers ended with it, by the status it left collection by.
WITHDRAWN_BECAUSE = {
    AccountStatus.RECALLED: "account_recalled",
    AccountStatus.CLOSED: "account_closed",
}


async def withdraw_offers_of(
    conn: db.Connection | None, account_ids: list[UUID], status: str, actor_id: UUID | None
) -> None:
    """The accounts left collection (recalled, closed): their pending and accepted offers
    are withdrawn in the same transaction, so no payment can fulfil one and no write-off
    can follow on an account the agency no longer holds. Registered with accounts by
    `server.wiring` (accounts.register_left_collection)."""
    reason = WITHDRAWN_BECAUSE[AccountStatus(status)]
    withdrawn = await repository.withdraw_live_offers(conn, account_ids, reason)
    await audit.record_many(
        conn, SYSTEM, "offer.withdraw", "offer",
        [(r["id"], r["client_id"], {"status": r["status_before"]},
          {"status": OfferStatus.WITHDRAWN, "reason": reason, "account_id": r["account_id"],
           "by": actor_id})
         for r in withdrawn],
    )  # fmt: skip


async def payable_offer(account_id: UUID, offer_id: UUID) -> asyncpg.Record:
    """The accepted offer a payment names, locked (the account is already locked, so the
    order is always account, then offer)."""
    row = await repository.offer(offer_id, for_update=True)
    if row is None or row["account_id"] != account_id:
        raise InvalidInput.field("offer_id", "no such offer on this account")
    if row["status"] != OfferStatus.ACCEPTED:
        raise OfferNotPayable(f"the offer is {row['status']}; payments go to an accepted offer")
    return row


async def apply_to_offer(
    actor: Principal, offer: asyncpg.Record, payment_id: UUID, at: datetime
) -> BalanceChange | None:
    """After a payment against an accepted offer: paid its amount, the offer is fulfilled,
    the account's open promises kept, and whatever the account still owes written off
    (the settlement), leaving it settled_in_full: that change, or None when nothing was
    written off."""
    row = await repository.offer(offer["id"])
    assert row is not None
    if int(row["paid_cents"]) < int(row["amount_cents"]):
        return None
    reason = f"paid {row['paid_cents']} of {row['amount_cents']} cents agreed"
    await repository.close_offer(row["id"], str(OfferStatus.FULFILLED), reason)
    await audit.record(
        actor, "offer.fulfil", "offer", row["id"], client_id=row["client_id"],
        before={"status": row["status"]},
        after={"status": OfferStatus.FULFILLED, "payment_id": payment_id},
    )  # fmt: skip
    await queue_work.close_open_promises(row["account_id"], kept=True)
    account = await accounts.visible_account(actor, row["account_id"])
    remainder = int(account["balance_cents"])
    if remainder <= 0:
        return None
    change = await account_money.settle_account(
        actor, row["account_id"], remainder, at=at,
        reason=f"settled by offer {row['id']}: {remainder} cents written off",
    )  # fmt: skip
    values = {
        "client_id": row["client_id"], "account_id": row["account_id"], "offer_id": row["id"],
        "kind": "settlement_write_off", "amount_cents": -remainder, "payment_id": payment_id,
        "balance_before_cents": change.balance_before_cents,
        "balance_after_cents": change.balance_after_cents, "created_by": actor.id,
    }  # fmt: skip
    adjustment_id = await adjustments.insert_adjustment(values)
    await audit.record(
        actor, "account.write_off", "balance_adjustment", adjustment_id,
        client_id=row["client_id"], after=values,
    )  # fmt: skip
    return change


async def close_lapsed_offers(today: date | None = None) -> dict[str, int]:
    """The nightly sweep over accepted offers: a plan with an instalment unpaid more than
    the client's grace days after it fell due is broken, a lump sum unpaid by its due date
    expired; the account's open promises are broken either way. Each offer is rechecked under its
    account's lock (a payment may land while the sweep runs); running it twice changes
    nothing the second time."""
    today = today or clock.agency_today()
    counts = {"broken": 0, "expired": 0}
    for candidate in await repository.lapsed_offers(today):
        async with db.transaction():
            await accounts.lock_account(SYSTEM, candidate["account_id"])
            row = await repository.offer(candidate["id"], for_update=True)
            assert row is not None
            still = await repository.lapsed_offers(today, only=row["id"])
            if row["status"] != OfferStatus.ACCEPTED or not still:
                continue
            plan = row["kind"] == OfferKind.PLAN
            target = OfferStatus.BROKEN if plan else OfferStatus.EXPIRED
            due = candidate["missed_due_date"]
            reason = (
                f"the instalment due {due} was not paid within {candidate['grace_days']} days"
                if plan
                else f"not paid in full by {due}"
            )
            await repository.close_offer(row["id"], str(target), reason)
            await queue_work.close_open_promises(row["account_id"], kept=False)
            await audit.record(
                SYSTEM, f"offer.{'break' if plan else 'expire'}", "offer", row["id"],
                client_id=row["client_id"], before={"status": row["status"]},
                after={"status": target, "reason": reason},
            )  # fmt: skip
            counts[str(target)] += 1
    return counts
