"""Debtors and their accounts: reading them, their status actions, what the contact rules
need of them, and the money movements that change their balances."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from server.accounts import debtors, detail, repository
from server.accounts.blocks import evidence_of

# The other domains read what the contact rules need through this service.
from server.accounts.contacts import ContactContext as ContactContext
from server.accounts.contacts import contact_context as contact_context
from server.accounts.contacts import contact_contexts as contact_contexts
from server.accounts.contacts import contact_rows_sql as contact_rows_sql
from server.accounts.contacts import mark_phone as mark_phone
from server.accounts.contacts import stop_telephone as stop_telephone
from server.accounts.contacts import visible_contact_context as visible_contact_context

# Other domains add what they know of an account to its detail (payments, calls, score):
# they sit above accounts, so accounts never imports them; the composition root
# (`server.wiring`) registers their sections at start-up.
from server.accounts.detail import DetailReading as DetailReading
from server.accounts.detail import DetailSection as DetailSection
from server.accounts.detail import register_account_section as register_account_section
from server.accounts.errors import StatusTransitionRefused
from server.accounts.phone_search import searched_phone
from server.accounts.schemas import (
    AccountRead,
    AccountSummary,
    StatusActionRequest,
    StatusTotalsRead,
)
from server.accounts.statuses import (
    CHANNEL_REQUIRED,
    LEFT_COLLECTION,
    AccountStatus,
    Block,
    Channel,
    StatusAction,
    TransitionRefused,
    decide,
    refusal_for_role,
)
from server.audit import service as audit
from server.auth.principal import SYSTEM, Principal
from server.clients import service as clients
from server.kit import clock, db
from server.kit.errors import InvalidInput, NotFound, NotPermitted
from server.kit.mapping import read_as
from server.kit.pagination import Page, PageRequest, make_page


async def _visible_account(
    actor: Principal, account_id: UUID, *, for_update: bool = False
) -> asyncpg.Record:
    row = await repository.account(account_id, for_update=for_update)
    if row is None or not actor.may_see_client(row["client_id"]):
        raise NotFound("no such account")
    return row


async def get_account(actor: Principal, account_id: UUID) -> AccountRead:
    # One statement: the account, its person, history, blocks and every section.
    found = await detail.read_detail(actor, account_id, clock.now())
    if found is None:
        raise NotFound("no such account")
    return found


async def list_accounts(
    actor: Principal,
    page: PageRequest,
    *,
    client_id: UUID | None = None,
    status: AccountStatus | None = None,
    query: str | None = None,
) -> Page[AccountSummary]:
    if client_id is not None and not actor.may_see_client(client_id):
        return Page(items=[], next_cursor=None)
    query = query.strip() if query and query.strip() else None
    rows = await repository.list_accounts(
        visible=actor.visible_clients(),
        client_id=client_id,
        status=status,
        query=query,
        phone=None if query is None else searched_phone(query),
        all_numbers=debtors.reads_whole_person(actor),
        after=page.after,
        limit=page.fetch_limit,
    )
    items = [
        read_as(AccountSummary, r, account_id=r["id"], disputed=r["disputed_since"] is not None)
        for r in rows
    ]
    return make_page(items, page, key=lambda a: (a.created_at, a.account_id))


async def accounts_by_status(actor: Principal, client_id: UUID) -> list[StatusTotalsRead]:
    """The client's accounts per status, most numerous first."""
    await clients.require_client(actor, client_id)
    return [
        read_as(
            StatusTotalsRead,
            r,
            # sum() of bigint is numeric: back to integer cents.
            placed_balance_cents=int(r["placed_cents"]),
            balance_cents=int(r["balance_cents"]),
        )
        for r in await repository.client_accounts_by_status(client_id)
    ]


async def account_labels(actor: Principal, account_ids: list[UUID]) -> dict[UUID, tuple[str, str]]:
    """(the client's account number, the debtor's name) of the accounts the caller may see,
    for lists that name an account to a person."""
    rows = await repository.account_labels(account_ids, actor.visible_clients())
    return {r["id"]: (r["client_account_number"], r["debtor_name"]) for r in rows}


async def account_numbers(actor: Principal, account_ids: list[UUID]) -> dict[UUID, str]:
    """The client's own numbers of the accounts the caller may see, by our id (a statement
    names accounts by id; people know them by their number)."""
    rows = await repository.account_numbers(account_ids, actor.visible_clients())
    return {r["id"]: r["client_account_number"] for r in rows}


# What happens when accounts leave collection (a recall, a close), registered by a higher
# domain (settlements withdraws their live offers) and called in the same transaction:
# `(connection or None, account ids, the status they left by, actor id)`. The connection is
# the caller's when it writes on one of its own (a client's recall file), else None (the
# service's transaction).
LeftCollection = Callable[[Any, list[UUID], str, UUID | None], Awaitable[None]]
_left_collection: list[LeftCollection] = []


def register_left_collection(hook: LeftCollection) -> None:
    """Call `hook` whenever accounts leave collection, in the transaction that moves them."""
    if hook not in _left_collection:
        _left_collection.append(hook)


async def accounts_left_collection(
    conn: Any, account_ids: list[UUID], status: str, actor_id: UUID | None
) -> None:
    """Tell the registered domains that these accounts were recalled or closed; `conn` is
    the connection of the transaction that moved them (None: the current transaction)."""
    if account_ids:
        for hook in _left_collection:
            await hook(conn, account_ids, status, actor_id)


async def change_status(
    actor: Principal, account_id: UUID, action: StatusAction, data: StatusActionRequest
) -> AccountRead:
    """Take a status action (statuses.decide): add or lift a block with its evidence,
    recall or close, each recorded as a status change and audited."""
    await _visible_account(actor, account_id)
    if (refusal := refusal_for_role(actor.role, action, data.status)) is not None:
        raise NotPermitted(refusal)
    if action in CHANNEL_REQUIRED and data.channel is None:
        raise InvalidInput.field("channel", f"is required for a {action}")
    if action == StatusAction.STATUS and data.status is None:
        raise InvalidInput.field("status", "is required")
    now = clock.now()
    received_at = data.received_at or now
    if received_at > now:
        raise InvalidInput.field("received_at", "must not be in the future")
    evidence = evidence_of(action, data, clock.agency_date(now))
    async with db.transaction():
        if action == StatusAction.DISPUTE:
            await _dispute_recorder()(actor, account_id, data, received_at, "status_action")
        else:
            await _take_action(actor, account_id, action, data, received_at, evidence)
    return await get_account(actor, account_id)


# A dispute is a record of the disputes domain (above accounts), which decides by its
# timeliness rule whether it blocks collection or only marks the debt disputed, and then
# calls `apply_dispute`. The status action `dispute` and a call's dispute outcome reach it
# through this registry, filled at start-up (server.wiring): one rule for every way in.
# `(actor, account id, the action's request, received at, source)`, source "status_action"
# or "call". A dispute block that disputes awaiting their answer letter hold is lifted
# only when that letter is mailed (`lift_dispute_block`, called by disputes); the
# supervisor's `verification` asks disputes first (`SupervisorVerification`: False to
# refuse, while such a dispute is open; else it answers the others, and the block lifts).
DisputeRecorder = Callable[[Principal, UUID, StatusActionRequest, datetime, str], Awaitable[None]]
SupervisorVerification = Callable[[UUID, datetime], Awaitable[bool]]
_disputes: list[tuple[DisputeRecorder, SupervisorVerification]] = []


def use_disputes(recorder: DisputeRecorder, verification: SupervisorVerification) -> None:
    _disputes[:] = [(recorder, verification)]


def _dispute_recorder() -> DisputeRecorder:
    if not _disputes:
        raise RuntimeError("accounts has no dispute recorder: call server.wiring.wire()")
    return _disputes[0][0]


async def apply_dispute(
    actor: Principal,
    account_id: UUID,
    data: StatusActionRequest,
    received_at: datetime,
    *,
    blocking: bool,
) -> None:
    """For the disputes domain, in its transaction: mark the debt disputed and, when the
    dispute is `blocking`, add the dispute block; recorded as a status action `dispute`
    and audited. StatusTransitionRefused (nothing written) when the account has left
    collection."""
    assert db.in_transaction(), "a dispute outside a transaction"
    await _take_action(
        actor, account_id, StatusAction.DISPUTE, data, received_at, None, blocking=blocking
    )


async def lift_dispute_block(account_id: UUID, at: datetime, reason: str) -> bool:
    """For disputes, in its transaction, once the letter answering the account's last open
    blocking dispute is recorded mailed (1006.38(d)(2)(i)): the system lifts the dispute
    block (action `verification`). False, changing nothing, when none is in force."""
    assert db.in_transaction(), "a block lifted outside a transaction"
    data = StatusActionRequest(reason=reason, channel=Channel.WRITTEN, received_at=at)
    try:
        await _take_action(
            SYSTEM, account_id, StatusAction.VERIFICATION, data, at, None, answered=True
        )
    except StatusTransitionRefused:
        return False
    return True


async def change_status_if_allowed(
    actor: Principal, account_id: UUID, action: StatusAction, data: StatusActionRequest
) -> bool:
    """As `change_status` for what a call brought to light (a dispute, an oral cease), in
    the caller's transaction; False, changing nothing, where the action does not apply
    (already disputed, or the account has left collection)."""
    assert db.in_transaction(), "a status action outside a transaction"
    if (refusal := refusal_for_role(actor.role, action, data.status)) is not None:
        raise NotPermitted(refusal)
    received_at = data.received_at or clock.now()
    try:
        if action == StatusAction.DISPUTE:
            await _dispute_recorder()(actor, account_id, data, received_at, "call")
        else:
            await _take_action(actor, account_id, action, data, received_at, None)
    except StatusTransitionRefused:
        return False
    return True


async def _take_action(
    actor: Principal,
    account_id: UUID,
    action: StatusAction,
    data: StatusActionRequest,
    received_at: datetime,
    evidence: dict[str, Any] | None,
    *,
    blocking: bool = True,
    answered: bool = False,
) -> None:
    # answered: a verification recorded by the answer's mailing (disputes), not a person.
    row = await _visible_account(actor, account_id, for_update=True)
    current = AccountStatus(row["status"])
    in_force = {Block(b["kind"]): b for b in await repository.blocks_in_force(account_id)}
    try:
        outcome = decide(
            action, current, in_force, channel=data.channel, target=data.status,
            lifts=data.lifts, blocking=blocking,
        )  # fmt: skip
    except TransitionRefused as refused:
        raise StatusTransitionRefused(refused.reason) from None
    verifies = action == StatusAction.VERIFICATION and not answered and _disputes
    if verifies and not await _disputes[0][1](account_id, received_at):
        raise StatusTransitionRefused(
            "the dispute block lifts when the letter answering the dispute (the"
            " verification, or the original creditor's name and address) is recorded"
            " mailed, not by this action",
            code="awaiting_verification_mailing",
        )
    if action == StatusAction.DISPUTE:
        await repository.mark_disputed(account_id, received_at)
    channel = data.channel
    if action == StatusAction.CONSENT:
        channel = channel or Channel.WRITTEN
        cease = in_force[Block.CEASE_COMMUNICATION]
        assert evidence is not None
        if evidence["document_date"] < clock.agency_date(cease["received_at"]).isoformat():
            raise InvalidInput.field(
                "consent.document_date",
                "must not be before the written cease it answers was received"
                f" ({clock.agency_date(cease['received_at'])})",
            )
    if action == StatusAction.CEASE and data.channel == Channel.ORAL:
        await repository.set_no_telephone(row["debtor_id"], received_at)
    blocks: dict[str, Any] = {}
    encoded = None if evidence is None else json.dumps(evidence)
    if outcome.adds is not None:
        blocks["added"] = {"kind": outcome.adds, "evidence": evidence}
        blocks["added"]["block_id"] = await repository.insert_block(
            account_id=account_id, client_id=row["client_id"], kind=outcome.adds,
            reason=data.reason, channel=channel, received_at=received_at, evidence=encoded,
            added_by=actor.id,
        )  # fmt: skip
    if outcome.lifts is not None:
        lifted = in_force[outcome.lifts]
        await repository.lift_block(
            lifted["id"], action=action, reason=data.reason, received_at=received_at,
            evidence=encoded, lifted_by=actor.id,
        )  # fmt: skip
        blocks["lifted"] = {"kind": outcome.lifts, "block_id": lifted["id"], "evidence": evidence}
    target = outcome.status
    if target != current:
        await repository.set_account_status(account_id, target)
    await repository.insert_status_change(
        account_id=account_id,
        client_id=row["client_id"],
        from_status=current,
        to_status=target,
        action=action,
        reason=data.reason,
        channel=channel,
        received_at=received_at,
        actor_id=actor.id,
    )
    await audit.record(
        actor, f"account.{action}", "account", account_id, client_id=row["client_id"],
        before={"status": current}, after={"status": target, "reason": data.reason,
        "channel": channel, "received_at": received_at, **blocks},
    )  # fmt: skip
    if target != current and target in LEFT_COLLECTION:
        await accounts_left_collection(None, [account_id], target, actor.id)


# --- for the other domains ----------------------------------------------------------------


# --- money movements (settlements) --------------------------------------------------------


async def visible_account(actor: Principal, account_id: UUID) -> asyncpg.Record:
    """The account if the caller may see it, else NotFound."""
    return await _visible_account(actor, account_id)


async def lock_account(actor: Principal, account_id: UUID) -> asyncpg.Record:
    """The account if the caller may see it (else NotFound), locked FOR UPDATE until the
    caller's transaction ends: money movements on one account apply one at a time, so
    each sees the balance the one before it left."""
    assert db.in_transaction(), "lock_account outside a transaction locks nothing"
    return await _visible_account(actor, account_id, for_update=True)


async def lock_client_account(client_id: UUID, client_account_number: str) -> asyncpg.Record | None:
    """The client's account with this number, locked FOR UPDATE until the caller's
    transaction ends: the one placed with the agency (not recalled), else the one last
    recalled (money the debtor paid after the recall is still recorded and remitted);
    None if it has none. For a client's own files: the number is the client's, so no
    other client's account can ever be found."""
    assert db.in_transaction(), "lock_client_account outside a transaction locks nothing"
    found = await repository.placed_account_by_number(client_id, client_account_number)
    if found is None:
        found = await repository.last_recalled_account_by_number(client_id, client_account_number)
    return found
