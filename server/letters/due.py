"""The letters other domains make due, and how the night's batch makes them.

Settlements tells letters, inside the transaction of the event (server.settlements.events;
the listener is registered by server/wiring.py): an offer accepted is a settlement-offer
letter (a lump sum) or a payment-plan confirmation (a plan); an account paid or settled
in full is the letter that says so. The batch reads the facts as they are when it makes
the letter: an offer no longer accepted, or an account no longer paid (a reversal
reopened it), is no longer due (dropped, with its reason); a letter that cannot go yet
(no usable address, the account not active, no notice's mailing recorded for an offer
letter, whose deadline depends on the period it starts) is held and reconsidered every
night.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from server.accounts import service as accounts
from server.accounts import validation_notices
from server.accounts.validation_notices import MailingAddress
from server.auth.principal import SYSTEM
from server.clients import service as clients
from server.kit.settings import get_settings
from server.letters import repository
from server.letters.letter_rules import (
    NO_LETTER_WHILE,
    inside_validation_period,
    may_mention_suit,
    offer_deadline,
)
from server.letters.schemas import (
    InstallmentLine,
    LetterFacts,
    PaidData,
    PlanData,
    SettlementOfferData,
)
from server.settlements.events import SettlementEvent, SettlementEventKind
from server.settlements.schemas import OfferKind, OfferRead, OfferStatus
from server.settlements.services import offers

SETTLEMENT_OFFER = "settlement_offer"
PLAN_CONFIRMATION = "plan_confirmation"
PAID_IN_FULL = "paid_in_full"
SETTLED_IN_FULL = "settled_in_full"
KINDS = (SETTLEMENT_OFFER, PLAN_CONFIRMATION, PAID_IN_FULL, SETTLED_IN_FULL)


async def settlement_event(event: SettlementEvent) -> None:
    """Settlements' listener: the letter the event makes due, in the event's transaction."""
    if event.kind == SettlementEventKind.OFFER_ACCEPTED:
        assert event.offer_id is not None
        offer = await offers.get_offer(SYSTEM, event.offer_id)
        kind = PLAN_CONFIRMATION if offer.kind == OfferKind.PLAN else SETTLEMENT_OFFER
    else:
        kind = str(event.kind)
    await repository.insert_due(
        event.account_id, event.client_id, kind, event.offer_id, event.payment_id,
        event.occurred_on,
    )  # fmt: skip


@dataclass(frozen=True)
class DueLetter:
    due_id: UUID
    account_id: UUID
    client_id: UUID
    kind: str
    address: MailingAddress
    data: LetterFacts


@dataclass(frozen=True)
class Gathered:
    letters: list[DueLetter]
    # (due_id, why it is no longer due)
    dropped: list[tuple[UUID, str]]
    held: dict[str, int]


@dataclass(frozen=True)
class _Context:
    planned: date
    addresses: dict[UUID, MailingAddress]
    bad: set[tuple[UUID, str]]
    creditors: dict[UUID, str]


async def gather(planned: date) -> Gathered:
    """Inside the batch's transaction, its lock held: every letter due, made into its
    data, or dropped, or held."""
    rows = await repository.open_dues()
    ids = list({row["account_id"] for row in rows})
    client_ids = list({row["client_id"] for row in rows})
    ctx = _Context(
        planned=planned,
        addresses=await validation_notices.mailing_addresses(ids),
        bad=await repository.bad_addresses(ids),
        creditors={k: v["name"] for k, v in (await clients.clients_settings(client_ids)).items()},
    )
    made: list[DueLetter] = []
    dropped: list[tuple[UUID, str]] = []
    held: dict[str, int] = {}
    # Paid (or settled) again after a reversal reopened it: the last payoff's letter only.
    last_payoff = {
        (row["account_id"], row["kind"]): row["due_id"]
        for row in rows
        if row["kind"] in (PAID_IN_FULL, SETTLED_IN_FULL)
    }
    for row in rows:
        if last_payoff.get((row["account_id"], row["kind"]), row["due_id"]) != row["due_id"]:
            dropped.append((row["due_id"], "superseded"))
            continue
        account = await accounts.visible_account(SYSTEM, row["account_id"])
        outcome = await _outcome(row, account, ctx)
        if isinstance(outcome, DueLetter):
            made.append(outcome)
        elif outcome[0] == "dropped":
            dropped.append((row["due_id"], outcome[1]))
        else:
            held[outcome[1]] = held.get(outcome[1], 0) + 1
    return Gathered(made, dropped, held)


async def _outcome(
    row: asyncpg.Record, account: asyncpg.Record, ctx: _Context
) -> DueLetter | tuple[str, str]:
    kind: str = row["kind"]
    offer = None if row["offer_id"] is None else await offers.get_offer(SYSTEM, row["offer_id"])
    if kind in (PAID_IN_FULL, SETTLED_IN_FULL):
        if account["status"] != kind:
            return ("dropped", f"account_{account['status']}")
        before = await _status_before(row["account_id"], kind)
        if before in NO_LETTER_WHILE:
            return ("dropped", f"no_letter_while_{before}")
    else:
        assert offer is not None
        if offer.status != OfferStatus.ACCEPTED:
            return ("dropped", f"offer_{offer.status}")
        if account["status"] != "active":
            return ("held", "account_not_active")
        if account["validation_period_ends_on"] is None:
            # No notice's mailing recorded: the period the letter must not overshadow is
            # not known yet (1692g(b)). A notice only batched does not fix it: mailed late
            # it is void and the next one ends later. The offer waits for the mailing.
            return ("held", "awaiting_validation_notice")
    address = ctx.addresses.get(row["account_id"])
    if address is None:
        return ("held", "no_mailing_address")
    if (row["account_id"], address.text) in ctx.bad:
        return ("held", "address_marked_bad")
    data = _data(kind, row, account, offer, address, ctx)
    if isinstance(data, str):
        return ("dropped", data)
    return DueLetter(row["due_id"], row["account_id"], row["client_id"], kind, address, data)


def letter_facts(
    account: asyncpg.Record, address: MailingAddress, creditor: str, planned: date
) -> dict[str, Any]:
    """What every letter but the notice prints of whom it is from and to (LetterFacts)."""
    settings = get_settings()
    return {
        "agency_name": settings.agency_name,
        "agency_address": list(settings.agency_mailing_address),
        "agency_phone": settings.agency_phone,
        "consumer_name": address.name,
        "consumer_address": list(address.lines),
        "account_number": account["client_account_number"],
        "current_creditor": creditor,
        "planned_mailing_on": planned,
        "balance_cents": int(account["balance_cents"]),
        "may_mention_suit": may_mention_suit(account["statute_of_limitations_date"], planned),
    }


async def _status_before(account_id: UUID, status: str) -> str | None:
    """The status the account was in when it last became `status` (paid or settled)."""
    changes = (await accounts.contact_context(SYSTEM, account_id)).status_changes
    into = [c for c in changes if c["to_status"] == status]
    if not into:
        return None
    last = max(into, key=lambda c: (c["received_at"], c["created_at"]))
    found: str = last["from_status"]
    return found


def _data(
    kind: str,
    row: asyncpg.Record,
    account: asyncpg.Record,
    offer: OfferRead | None,
    address: MailingAddress,
    ctx: _Context,
) -> LetterFacts | str:
    facts = letter_facts(account, address, ctx.creditors[row["client_id"]], ctx.planned)
    if offer is None or kind in (PAID_IN_FULL, SETTLED_IN_FULL):
        settled = kind == SETTLED_IN_FULL
        return PaidData(
            **facts, settled=settled, paid_on=row["occurred_on"],
            settlement_cents=offer.amount_cents if settled and offer is not None else None,
        )  # fmt: skip
    period = account["validation_period_ends_on"]
    inside = period if inside_validation_period(period, ctx.planned) else None
    if kind == PLAN_CONFIRMATION:
        lines = [InstallmentLine(i.due_date, i.amount_cents) for i in offer.installments]
        return PlanData(
            **facts, offer_id=offer.offer_id, offered_on=offer.offered_on,
            total_cents=offer.amount_cents, installments=lines, validation_period_ends_on=inside,
        )  # fmt: skip
    assert offer.due_on is not None
    deadline = offer_deadline(offer.due_on, period, ctx.planned)
    if deadline < ctx.planned:
        return "deadline_passed"
    return SettlementOfferData(
        **facts, offer_id=offer.offer_id, offered_on=offer.offered_on,
        amount_cents=offer.amount_cents, offer_due_on=offer.due_on, deadline=deadline,
        validation_period_ends_on=inside,
    )  # fmt: skip
