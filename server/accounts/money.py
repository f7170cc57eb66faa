"""Money on an account: a balance changed by a payment, a reversal or a settlement's
write-off, and the status that follows from the new balance. Called by settlements inside
its transaction, on an account it locked through the accounts service."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import asyncpg

from server.accounts import repository
from server.accounts.errors import AccountLeftCollection
from server.accounts.movements import BalanceChange, MoneyAction, status_after
from server.accounts.statuses import LEFT_COLLECTION, AccountStatus, Block, open_status
from server.audit import service as audit
from server.auth.principal import Principal
from server.kit import db


async def apply_money_movement(
    actor: Principal,
    account: asyncpg.Record,
    delta_cents: int,
    *,
    action: MoneyAction,
    reason: str,
    at: datetime,
    paid_on: date | None = None,
) -> BalanceChange:
    """Change the balance of an account locked with `lock_account` (in the same
    transaction) by `delta_cents`, and its status as the new balance and the action
    require: paid to zero → paid_in_full; owing again after paid_in_full / settled_in_full
    → active; a settlement → settled_in_full. A status change is recorded with `action`
    and `reason` and audited. `paid_on` moves the account's last payment date."""
    assert db.in_transaction(), "a money movement outside a transaction"
    current = AccountStatus(account["status"])
    changed = await repository.change_balance(account["id"], delta_cents)
    balance = int(changed["balance_cents"])
    target = status_after(action, current, balance)
    if target == AccountStatus.ACTIVE and target != current:
        # Reopened (a payoff reversed): owing again, and still blocked by whatever the
        # account carried before it was paid; no money movement lifts a block.
        kinds = await repository.block_kinds_in_force(account["id"])
        target = open_status(Block(k) for k in kinds)
    if paid_on is not None:
        await repository.record_payment_date(account["id"], paid_on)
    if target != current:
        await repository.set_account_status(account["id"], target)
        await repository.insert_status_change(
            account_id=account["id"],
            client_id=account["client_id"],
            from_status=current,
            to_status=target,
            action=action,
            reason=reason,
            channel=None,
            received_at=at,
            actor_id=actor.id,
        )
        await audit.record(
            actor, f"account.{action}", "account", account["id"],
            client_id=account["client_id"], before={"status": current},
            after={"status": target, "reason": reason, "received_at": at},
        )  # fmt: skip
    return BalanceChange(int(account["balance_cents"]), balance, current, target)


async def _locked(account_id: UUID) -> asyncpg.Record:
    row = await repository.account(account_id, for_update=True)
    assert row is not None
    return row


async def settle_account(
    actor: Principal, account_id: UUID, write_off_cents: int, *, reason: str, at: datetime
) -> BalanceChange:
    """Write `write_off_cents` off the balance of an account locked with `lock_account` and
    mark it settled_in_full: the debtor paid what the accepted settlement asked, and the
    rest is forgiven. Recorded as a status change with action `settlement` and audited.
    Never on an account recalled or closed: the client took the debt back, and what it is
    owed is no longer the agency's to forgive (AccountLeftCollection)."""
    account = await _locked(account_id)
    if account["status"] in LEFT_COLLECTION:
        raise AccountLeftCollection(f"the account is {account['status']}: nothing is written off")
    return await apply_money_movement(
        actor, account, -write_off_cents, action=MoneyAction.SETTLEMENT, reason=reason, at=at
    )


async def reinstate_write_off(
    actor: Principal, account_id: UUID, cents: int, *, reason: str, at: datetime
) -> BalanceChange:
    """Put a settlement's write-off back on the balance of a locked account (the money that
    paid the settlement was reversed): a settled_in_full or paid_in_full account owing
    again reopens as active."""
    return await apply_money_movement(
        actor, await _locked(account_id), cents, action=MoneyAction.REVERSAL, reason=reason,
        at=at,
    )  # fmt: skip
