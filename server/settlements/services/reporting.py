"""Money figures of an account and a client: the account detail's `money` section (which
the composition root registers as that section), what a client collected, its
liquidation by vintage."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from server.accounts import service as accounts
from server.auth.principal import Principal
from server.clients import service as clients
from server.kit import clock, db
from server.kit.clock import start_of_day
from server.kit.csv_export import csv_stream
from server.kit.mapping import read_as
from server.kit.settings import get_settings
from server.settlements.liquidation import liquidation_curves
from server.settlements.remittance.statements import usd
from server.settlements.repositories import payments as payment_repository
from server.settlements.repositories import reporting as repository
from server.settlements.schemas import MoneySection, Movement, VintageRead
from server.settlements.services import payments

# What the account detail shows; the full lists are paginated routes.
_SECTION_PAYMENTS = 20
_SECTION_HISTORY = 50


async def money_section(actor: Principal, account_id: UUID) -> MoneySection:
    """Payments, credit due back and balance history, newest first in the order they
    took effect, with the running balance in that order: the same payments, order and
    figures as the payments list. The account is the caller's (the detail checked it
    before asking its sections)."""
    rows = await payment_repository.account_payments(
        account_id, get_settings().agency_timezone, None, _SECTION_PAYMENTS
    )
    running = await payments.ledger_of(account_id)
    paid, credit = await payment_repository.paid_and_credit(account_id)
    return _money(rows, running, paid, credit)


def _read_money(reading: accounts.DetailReading) -> MoneySection:
    totals = reading.one("paid")
    assert totals is not None
    return _money(
        reading.parts["payments"],
        payments.ledger_from(reading.parts["ledger"]),
        int(totals["paid"]),
        int(totals["credit"]),
    )


# The detail's money section in its one statement: the same three reads as above.
MONEY_SECTION = accounts.DetailSection(
    parts={
        "payments": db.bind(
            payment_repository.ACCOUNT_PAYMENTS_SQL,
            "$account",
            "$agency_tz",
            "NULL",
            "NULL",
            "NULL",
            str(_SECTION_PAYMENTS),
        ),
        "ledger": db.bind(payment_repository.ACCOUNT_LEDGERS_SQL, "ARRAY[$account]", "$agency_tz"),
        "paid": db.bind(payment_repository.PAID_AND_CREDIT_SQL, "$account"),
    },
    read=_read_money,
)


def _money(
    rows: Sequence[payments.Row], running: payments.Ledger, paid: int, credit: int
) -> MoneySection:
    return MoneySection(
        paid_cents=paid,
        credit_cents=credit,
        refund_due=credit > 0,
        payments=[payments.payment_read(row, running.by_cause[row["id"]]) for row in rows],
        history=[
            read_as(
                Movement,
                m,
                recorded_at=m["created_at"],
                # Signed as the balance sees it: + came off, - went back on.
                amount_cents=(1 if m["kind"] == "payment" else -1) * int(m["amount_cents"]),
                balance_after_cents=balance.after_cents,
            )
            for m, balance in reversed(running.movements[-_SECTION_HISTORY:])
        ],
    )


async def collected(actor: Principal, client_id: UUID) -> int:
    """What the client's accounts have paid, net of reversals."""
    await clients.require_client(actor, client_id)
    return await repository.client_collected(client_id)


async def liquidation(actor: Principal, client_id: UUID) -> list[VintageRead]:
    """The client's liquidation curve per vintage, oldest vintage first."""
    await clients.require_client(actor, client_id)
    zone = get_settings().agency_timezone
    this_month = clock.agency_today().replace(day=1)
    return liquidation_curves(await repository.liquidation_by_vintage(client_id, zone), this_month)


# A recovery rate over young files flatters nobody and alarms everybody: most of what a
# placement will ever pay comes in its first months, so a file placed last week pulls
# the rate down. The dashboard's headline rate is over placements this old at least.
RECOVERY_MIN_AGE_DAYS = 90


@dataclass(frozen=True)
class MoneyInFlight:
    """Paid to the agency, not reversed, not on a statement yet: cleared and waiting for
    its period to end, or not yet cleared; and what was paid to the client directly."""

    cleared_cents: int
    clearing_cents: int
    direct_cents: int


@dataclass(frozen=True)
class MatureRecovery:
    """Collected ÷ placed over accounts placed RECOVERY_MIN_AGE_DAYS days ago or more, and
    how many accounts (what balance) are younger and left out."""

    since: date
    placed_cents: int
    collected_cents: int
    young_accounts: int
    young_placed_cents: int


async def money_in_flight(actor: Principal, client_id: UUID) -> MoneyInFlight:
    await clients.require_client(actor, client_id)
    row = await repository.money_in_flight(client_id, clock.agency_today())
    return MoneyInFlight(
        int(row["cleared_cents"]), int(row["clearing_cents"]), int(row["direct_cents"])
    )


def mature_cutoff(today: date) -> date:
    """The last day a placement may have been made to count as mature on `today`."""
    return today - timedelta(days=RECOVERY_MIN_AGE_DAYS)


async def mature_recovery(actor: Principal, client_id: UUID) -> MatureRecovery:
    await clients.require_client(actor, client_id)
    zone = get_settings().agency_timezone
    since = mature_cutoff(clock.agency_today())
    # Placed on `since` or before: before the first instant of the day after.
    row = await repository.recovery_since(client_id, start_of_day(since + timedelta(days=1), zone))
    return MatureRecovery(
        since, int(row["old_placed_cents"]), int(row["old_collected_cents"]),
        int(row["young_accounts"]), int(row["young_placed_cents"]),
    )  # fmt: skip


ACCOUNTS_CSV_HEADER = (
    "account_id", "client_account_number", "status", "placed_on", "placed_balance_cents",
    "balance_cents", "payments", "collected_cents", "last_payment_on",
    "Client account number", "Debtor", "Status", "Placed on", "Placed balance $",
    "Balance $", "Payments", "Collected $", "Last payment received",
    # Any dispute recorded marks the debt disputed in every export (15 U.S.C. 1692e(8)):
    # the day it was first disputed (agency calendar), and the same in words.
    "disputed_on", "Disputed",
)  # fmt: skip
_EXPORT_BATCH = 2_000


async def accounts_csv(actor: Principal, client_id: UUID) -> AsyncIterator[bytes]:
    """Every account of the client with its status, balances and payments, a batch at a
    time (whatever the number of accounts, memory holds one batch); the debtor's name and
    nothing else of the person."""
    await clients.require_client(actor, client_id)
    zone = get_settings().agency_timezone

    async def rows() -> AsyncIterator[list[Any]]:
        after = None
        while batch := await repository.accounts_export(client_id, after, _EXPORT_BATCH):
            names = await repository.debtor_names_of_accounts(client_id, [r["id"] for r in batch])
            for r in batch:
                placed_on = clock.local_date(r["created_at"], zone).isoformat()
                last = r["last_payment_on"].isoformat() if r["last_payment_on"] else ""
                disputed = r["disputed_since"]
                disputed_on = (
                    "" if disputed is None else clock.local_date(disputed, zone).isoformat()
                )
                yield [
                    r["id"], r["client_account_number"], r["status"], placed_on,
                    r["placed_balance_cents"], r["balance_cents"], r["payments"],
                    r["collected_cents"], last,
                    r["client_account_number"], names.get(r["id"], ""),
                    r["status"].replace("_", " ").capitalize(), placed_on,
                    usd(r["placed_balance_cents"]), usd(r["balance_cents"]), r["payments"],
                    usd(r["collected_cents"]), last, disputed_on,
                    "Disputed" if disputed_on else "",
                ]  # fmt: skip
            after = batch[-1]["id"]

    return csv_stream(ACCOUNTS_CSV_HEADER, rows())
