"""Disputes: recording one (from the API, the status action `dispute` or a call), the
rule that decides whether it blocks collection or marks the debt disputed, listing an
account's, and the aging report of those still open.

Every way a dispute comes in goes through `_record`: the status action and a call's
dispute outcome reach it through the accounts service's dispute recorder, registered at
start-up (server.wiring), so accounts and queues never import this domain. A client's
maintenance file that reports a dispute is not a dispute received by the agency: the
client says the consumer disputed with it, on a date and in a form the file does not
carry, so nothing here can judge it timely or late; it keeps adding the dispute block as
before (placements), the conservative reading, until a supervisor verifies.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from server.accounts import service as accounts
from server.accounts.schemas import StatusActionRequest
from server.audit import service as audit
from server.auth.principal import Principal, Role
from server.disputes import repository, rules, verification
from server.disputes.rules import Channel, Kind, Scope
from server.disputes.schemas import DisputeCreate, DisputeRead, DuplicateCreate, OpenDisputeRead
from server.kit import clock, db
from server.kit.dollars import dollars
from server.kit.errors import Conflict, FieldError, InvalidInput, NotFound, NotPermitted
from server.kit.mapping import read_as
from server.kit.pagination import Page, PageRequest, make_page
from server.kit.settings import get_settings

# Who reads the aging report: the agency's supervisors and admins (every client's) and a
# client (its own); a collector works accounts, not the report.
AGING_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.CLIENT})


def accepts_electronic() -> bool:
    """Whether the agency accepts disputes electronically: the one setting the validation
    notice prints as the electronic dispute address."""
    return get_settings().agency_dispute_address is not None


def _checked(data: DisputeCreate, now: datetime) -> tuple[str, datetime]:
    """The words and the received time, or InvalidInput naming every field wrong."""
    problems: list[FieldError] = []
    words = data.words.strip()
    if not words:
        problems.append(FieldError("words", "must not be blank"))
    received_at = data.received_at or now
    if received_at.tzinfo is None:
        problems.append(FieldError("received_at", "must carry a UTC offset"))
    elif received_at < clock.EARLIEST:
        problems.append(FieldError("received_at", f"must not be before {clock.EARLIEST.date()}"))
    elif received_at > now:
        problems.append(FieldError("received_at", "must not be in the future"))
    if data.scope == Scope.PARTIAL and data.disputed_cents is None:
        problems.append(FieldError("disputed_cents", "is required for a partial dispute"))
    if data.scope == Scope.WHOLE and data.disputed_cents is not None:
        problems.append(
            FieldError("disputed_cents", "is taken only by a partial dispute (scope partial)")
        )
    if data.kind == Kind.ORIGINAL_CREDITOR_REQUEST and data.scope == Scope.PARTIAL:
        problems.append(
            FieldError("scope", "a request for the original creditor is about the whole debt")
        )
    if problems:
        message = "; ".join(f"{p.field}: {p.reason}" for p in problems)
        raise InvalidInput(message, details=problems)
    return words, received_at


async def record_dispute(actor: Principal, account_id: UUID, data: DisputeCreate) -> DisputeRead:
    """Record a dispute the agency received; it blocks collection or marks the debt
    disputed as `rules` decide. 409 when the account has left collection."""
    words, received_at = _checked(data, clock.now())
    async with db.transaction():
        row = await _record(
            actor, account_id, kind=data.kind, channel=data.channel, received_at=received_at,
            scope=data.scope, disputed_cents=data.disputed_cents, words=words, source="dispute",
        )  # fmt: skip
    return read_as(DisputeRead, row)


async def record_from_status_action(
    actor: Principal,
    account_id: UUID,
    data: StatusActionRequest,
    received_at: datetime,
    source: str,
) -> None:
    """The accounts service's dispute recorder: the status action `dispute` (source
    "status_action") and a call's dispute outcome (source "call", oral), whole disputes in
    the words of the action's reason."""
    await _record(
        actor, account_id, kind=Kind.DISPUTE, channel=Channel(data.channel or Channel.ORAL),
        received_at=received_at, scope=Scope.WHOLE, disputed_cents=None,
        words=data.reason.strip() or data.reason, source=source,
    )  # fmt: skip


async def _record(
    actor: Principal,
    account_id: UUID,
    *,
    kind: Kind,
    channel: Channel,
    received_at: datetime,
    scope: Scope,
    disputed_cents: int | None,
    words: str,
    source: str,
) -> asyncpg.Record:
    assert db.in_transaction(), "a dispute outside a transaction"
    account = await accounts.lock_account(actor, account_id)
    if disputed_cents is not None and disputed_cents > account["balance_cents"]:
        raise InvalidInput.field(
            "disputed_cents",
            f"must be at most the balance ({dollars(account['balance_cents'])})",
        )
    timely = rules.timeliness(
        received_at,
        notice_sent_on=account["validation_notice_sent_on"],
        period_ends_on=account["validation_period_ends_on"],
        notice_returned_on=account["validation_notice_returned_on"],
    )
    blocks = rules.blocks_collection(channel, timely, accepts_electronic=accepts_electronic())
    # First the account (which refuses one that left collection, before anything is
    # written), then the record.
    reason = f"{kind.replace('_', ' ')} ({timely.replace('_', ' ')}): {words}"[:2000]
    await accounts.apply_dispute(
        actor, account_id,
        StatusActionRequest(reason=reason, channel=channel, received_at=received_at),
        received_at, blocking=blocks,
    )  # fmt: skip
    row = await repository.insert_dispute(
        account_id=account_id, client_id=account["client_id"], kind=kind, channel=channel,
        received_at=received_at, received_on=rules.received_on(received_at), scope=scope,
        disputed_cents=disputed_cents, words=words, timeliness=timely,
        blocks_collection=blocks, source=source, recorded_by=actor.id,
    )  # fmt: skip
    await verification.open_request(row)
    await audit.record(
        actor, "dispute.recorded", "dispute", row["dispute_id"], client_id=account["client_id"],
        after={"account_id": account_id, "kind": kind, "channel": channel, "timeliness": timely,
               "blocks_collection": blocks, "scope": scope, "disputed_cents": disputed_cents,
               "source": source},
    )  # fmt: skip
    return row


async def list_disputes(actor: Principal, account_id: UUID, page: PageRequest) -> Page[DisputeRead]:
    """The account's disputes, newest first, to whoever may see the account."""
    await accounts.visible_account(actor, account_id)
    rows = await repository.disputes_of_account(account_id, page.after, page.fetch_limit)
    items = [read_as(DisputeRead, r) for r in rows]
    return make_page(items, page, key=lambda d: (d.created_at, d.dispute_id))


async def disputes_section(actor: Principal, account_id: UUID) -> list[DisputeRead]:
    """The account detail's `sections.disputes` (the detail checked the account is the
    reader's): its newest 50 disputes; the rest page through GET /accounts/{id}/disputes."""
    rows = await repository.disputes_of_account(account_id, None, _SECTION_DISPUTES)
    return [read_as(DisputeRead, r) for r in rows]


_SECTION_DISPUTES = 50
# The detail's disputes in its one statement: the same read as above.
DISPUTES_SECTION = accounts.DetailSection(
    parts={
        "disputes": db.bind(
            repository.DISPUTES_OF_ACCOUNT_SQL, "$account", "NULL", "NULL", str(_SECTION_DISPUTES)
        )
    },
    read=lambda reading: [read_as(DisputeRead, r) for r in reading.parts["disputes"]],
)


async def open_disputes(actor: Principal, page: PageRequest) -> Page[OpenDisputeRead]:
    """The aging report: disputes not yet answered, oldest first, with their age in days
    in the agency's calendar; supervisors and admins see every client's, a client its
    own."""
    if actor.role not in AGING_ROLES:
        raise NotPermitted("the aging report is for supervisors, admins and clients")
    # The cursor is (received_at, id), the report's own order.
    after = page.after
    rows = await repository.open_disputes(actor.visible_clients(), after, page.fetch_limit)
    today = clock.agency_today()
    items = [
        read_as(
            OpenDisputeRead,
            r,
            age_days=(today - clock.agency_date(r["received_at"])).days,
            verification_overdue=r["verification_status"] == "open"
            and r["verification_due_on"] < today,
        )
        for r in rows
    ]
    return make_page(items, page, key=lambda d: (d.received_at, d.dispute_id))


async def mark_duplicate(actor: Principal, dispute_id: UUID, data: DuplicateCreate) -> DisputeRead:
    """A supervisor's decision that a written dispute repeats one already answered, with
    no new information (12 CFR 1006.38(d)(2)(ii)), recorded with its reason and audited.
    Its verification request closes and the duplicate-dispute notice is due in the next
    letter batch; the block it added, if any, stays until that notice is recorded mailed
    (disputes.answers)."""
    if actor.role not in (Role.ADMIN, Role.SUPERVISOR):
        raise NotPermitted("only a supervisor or admin marks a dispute duplicative")
    reason = data.reason.strip()
    if not reason:
        raise InvalidInput.field("reason", "must not be blank")
    async with db.transaction():
        found = await repository.dispute(dispute_id, for_update=True)
        if found is None or not actor.may_see_client(found["client_id"]):
            raise NotFound("no such dispute")
        if found["duplicate_of"] is not None:
            raise Conflict("the dispute is already marked duplicative", code="already_duplicate")
        if not rules.in_writing(Channel(found["channel"]), accepts_electronic=accepts_electronic()):
            raise Conflict(
                "only a dispute in writing is duplicative (12 CFR 1006.38(d)(2)(ii))",
                code="not_written",
            )
        earlier = await repository.dispute(data.duplicate_of)
        if earlier is None or earlier["account_id"] != found["account_id"]:
            raise InvalidInput.field("duplicate_of", "must be a dispute of the same account")
        refusal = rules.duplicate_refusal(
            received_at=found["received_at"],
            earlier_received_at=earlier["received_at"],
            earlier_answered=earlier["answered_at"] is not None,
        )
        if refusal is not None:
            raise InvalidInput.field("duplicate_of", refusal)
        now = clock.now()
        await verification.close_as_duplicate(actor, found, now)
        row = await repository.mark_duplicate(dispute_id, data.duplicate_of, reason, actor.id, now)
        await audit.record(
            actor, "dispute.duplicate", "dispute", dispute_id, client_id=found["client_id"],
            after={"duplicate_of": data.duplicate_of, "reason": reason},
        )  # fmt: skip
    return read_as(DisputeRead, row)
