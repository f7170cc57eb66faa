"""Money figures of an account and a client: the account detail's `money` section (which
the composition root registers as that section), what a client collected, its
liquidation by vintage."""

from __future__ import annotations

from uuid import UUID

from server.auth.principal import Principal
from server.clients import service as clients
from server.kit import clock
from server.kit.mapping import read_as
from server.kit.settings import get_settings
from server.settlements.liquidation import liquidation_curves
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
