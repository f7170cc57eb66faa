"""Pre-call checks, call records and the findings on them.

Every call is judged by `rules.evaluator.violations_of` as of its own start, against the
current version of every other stored call about the same person. Recording never
refuses a call for breaching a rule: it is stored with its violations.

Findings are append-only. Each (call version, account) gets an evaluation when the call
is recorded; a call recorded later that changes the verdict of a stored call (back-dated,
or a correction) appends a new evaluation for it, and the newest evaluation of the
current version of a call is the finding in force. A finding that no longer holds is
superseded by a newer evaluation with no rules, never deleted; a corrected call's
findings are superseded by its correction's.

Consent: a `callback` call with `callback_at` is the consumer's direct prior consent to
be called on the day asked for (`rules.facts.Consent`); the rules work out that day in
every zone they consider for each call, within 7 days of the asking, and end it early at
the next conversation; a correction of the call replaces it; an oral "stop calling" ends
all calls anyway (no telephone for the person).

What a call says about the person binds every account of theirs (a wrong number, an oral
stop); a dispute is about the debt the call was recorded on, so only that account becomes
disputed. A correction applies its own outcome's effects but undoes none (a number marked
wrong stays marked until a maintenance file or a person changes it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import asyncpg

from server.accounts import service as account_service
from server.accounts.schemas import StatusActionRequest
from server.accounts.statuses import Channel, StatusAction
from server.audit import service as audit
from server.auth.principal import SYSTEM, Principal
from server.kit import clock, db
from server.kit.errors import Conflict, InvalidInput, NotFound
from server.kit.mapping import read_as
from server.kit.pagination import Page, PageRequest, make_page, visible_param
from server.queues import follow_ups, history_repository, judging, repository
from server.queues.judging import StoredCall
from server.queues.rules import evaluator, explain, facts, hours
from server.queues.schemas import (
    CallCheckRead,
    CallCheckRequest,
    CallCreate,
    CallRead,
    CallRecorded,
    CallSummary,
    Outcome,
    Rejudged,
    Violation,
    ViolationRead,
)

# How far ahead a check or a callback may look.
HORIZON = timedelta(days=366)
NO_VALID_PHONE = "no_valid_phone"


def _e164(field: str, value: str) -> str:
    if not judging.E164.match(value):
        raise InvalidInput.field(field, "must be an E.164 number such as +16145550123")
    return value


def _stored(row: Mapping[str, Any] | asyncpg.Record) -> StoredCall:
    consent = None
    if row["outcome"] == Outcome.CALLBACK and row["callback_at"] is not None:
        consent = facts.Consent(given_at=row["started_at"], asked_for=row["callback_at"])
    accounts = dict(zip(row["account_ids"], row["client_ids"], strict=True))
    return read_as(StoredCall, row, consent=consent, accounts=accounts)


def calls_by_person_sql(people: str) -> str:
    """The SQL of every current call about the people `people` names (an SQL expression
    of a uuid[]), one row per person with calls, for a domain above that reads them within
    a statement of its own: `stored_calls` reads each row's `calls` back."""
    return history_repository.calls_by_person_sql(people)


def stored_calls(records: Sequence[Sequence[Any]] | None) -> list[StoredCall]:
    fields = history_repository.CALL_FIELDS
    return [_stored(dict(zip(fields, r, strict=True))) for r in records or ()]


async def calls_of_person(debtor_id: UUID) -> list[StoredCall]:
    return (await calls_of_people([debtor_id]))[debtor_id]


async def calls_of_people(debtor_ids: Sequence[UUID]) -> dict[UUID, list[StoredCall]]:
    """The current version of every call about each of these people, by person."""
    found: dict[UUID, list[StoredCall]] = {d: [] for d in debtor_ids}
    for row in await history_repository.current_calls_of_people(debtor_ids):
        found[row["debtor_id"]].append(_stored(row))
    return found


def consumer_of_context(
    ctx: account_service.ContactContext, calls: Sequence[StoredCall]
) -> facts.Consumer:
    return judging.consumer_of(
        address_zones=ctx.address_zones,
        address_states=ctx.address_states,
        no_telephone=ctx.no_telephone,
        no_telephone_since=ctx.no_telephone_since,
        inconvenient_times=ctx.inconvenient_times,
        phones=ctx.phones,
        calls=calls,
    )


# --- the pre-call check --------------------------------------------------------------------


async def check_call(actor: Principal, account_id: UUID, data: CallCheckRequest) -> CallCheckRead:
    ctx = await account_service.contact_context(actor, account_id)
    now = clock.now()
    at = data.at or now
    clock.refuse_outside("at", at, now + HORIZON, "must be within a year from now")
    phone = _e164("phone", data.phone) if data.phone else None
    return verdict(ctx, await calls_of_person(ctx.debtor_id), at, phone)


def verdict(
    ctx: account_service.ContactContext,
    calls: Sequence[StoredCall],
    at: datetime,
    phone: str | None,
) -> CallCheckRead:
    """Whether the account may be called at `at` on `phone` (by default the best number
    on file), given every stored call about its person."""
    phone = phone or judging.best_phone(ctx.phones)
    consumer = consumer_of_context(ctx, calls)
    if phone is None:
        return _check_read(
            False, None, at, (NO_VALID_PHONE,), None, hours.zones_considered(consumer, "")
        )
    decision = evaluator.check_call(
        judging.account_at(ctx.account_id, ctx.status, ctx.status_changes, at, ctx.serviced_with),
        consumer,
        phone,
        at,
        [c.record() for c in calls],
    )
    return _check_read(
        decision.allowed, phone, at, decision.reasons, decision.next_callable_at,
        hours.zones_considered(consumer, phone),
    )  # fmt: skip


def _check_read(
    allowed: bool,
    phone: str | None,
    at: datetime,
    reasons: Sequence[str],
    next_callable_at: datetime | None,
    zones: Sequence[str],
) -> CallCheckRead:
    rule = reasons[0] if reasons else None
    return CallCheckRead(
        allowed=allowed,
        phone=phone,
        at=at,
        rule=rule,
        reasons=list(reasons),
        next_callable_at=next_callable_at,
        message=explain.explain(rule, at, zones, next_callable_at),
        zones=list(zones),
        local_times={z: at.astimezone(ZoneInfo(z)).strftime("%H:%M") for z in zones},
    )


# --- recording a call ----------------------------------------------------------------------


def _validate(data: CallCreate, now: datetime) -> None:
    _e164("phone", data.phone)
    clock.refuse_outside("started_at", data.started_at, now, "must not be in the future")
    if data.callback_at is not None and not (
        data.started_at < data.callback_at <= data.started_at + HORIZON
    ):
        raise InvalidInput.field("callback_at", "must be after the call, within a year")
    promised = data.promise_amount_cents is not None or data.promise_due_on is not None
    if promised and data.outcome != Outcome.PROMISE_TO_PAY:
        raise InvalidInput.field("outcome", "a promise is recorded with outcome promise_to_pay")
    if data.outcome == Outcome.PROMISE_TO_PAY:
        follow_ups.check_promise(data)


def _not_of_person(account_id: UUID) -> InvalidInput:
    return InvalidInput.field("account_ids", f"{account_id} is not an account of this person")


async def _accounts_of_call(
    actor: Principal, ctx: account_service.ContactContext, further: Sequence[UUID] | None
) -> dict[UUID, UUID]:
    """account id -> client id of every account the call was about. Further accounts must
    be the same person's, and the caller's to see: anything else is named as invalid,
    without saying which it was."""
    accounts = {ctx.account_id: ctx.client_id}
    for account_id in dict.fromkeys(further or ()):
        if account_id in accounts:
            continue
        if account_id not in ctx.debtor_account_ids:
            raise InvalidInput.field(
                "account_ids", f"{account_id} is not an account of this person"
            )
        try:
            other = await account_service.contact_context(actor, account_id)
        except NotFound:
            raise InvalidInput.field(
                "account_ids", f"{account_id} is not an account of this person"
            ) from None
        accounts[account_id] = other.client_id
    return accounts


async def _corrected(
    actor: Principal, ctx: account_service.ContactContext, call_id: UUID | None
) -> asyncpg.Record | None:
    if call_id is None:
        return None
    version = await repository.call_version(call_id)
    if (
        version is None
        or version["debtor_id"] != ctx.debtor_id
        or not all(actor.may_see_client(c) for c in version["client_ids"])
    ):
        raise InvalidInput.field("corrects_call_id", "is not a call of this person")
    if version["corrected"]:
        raise Conflict(
            "a later version has corrected this call; correct that one", code="call_corrected"
        )
    return version


async def record_call(actor: Principal, account_id: UUID, data: CallCreate) -> CallRecorded:
    first = await account_service.contact_context(actor, account_id)
    now = clock.now()
    _validate(data, now)
    async with db.transaction():
        await repository.lock_person(first.debtor_id)
        ctx = await account_service.contact_context(actor, account_id)
        accounts = await _accounts_of_call(actor, ctx, data.account_ids)
        previous = await _corrected(actor, ctx, data.corrects_call_id)
        call_id = uuid4()
        chain_id = previous["chain_id"] if previous else call_id
        await repository.insert_call(
            repository.NewCall(
                id=call_id, chain_id=chain_id, corrects_call_id=data.corrects_call_id,
                account_id=account_id, client_id=ctx.client_id, debtor_id=ctx.debtor_id,
                collector_id=actor.id, phone_e164=data.phone, direction=data.direction,
                started_at=data.started_at, duration_s=data.duration_s, outcome=data.outcome,
                notes=data.notes, callback_at=data.callback_at,
            ),
            list(accounts.items()),
        )  # fmt: skip
        if previous is not None:
            await repository.supersede_open_work(chain_id)
        await follow_ups.record(ctx, call_id, chain_id, list(accounts), data)
        await _apply_outcome(actor, ctx, data, now)
        pivot = min(data.started_at, previous["started_at"]) if previous else data.started_at
        verdicts, rejudged = await _judge(ctx.debtor_id, call_id, pivot)
        found = {str(a): v for a, v in verdicts.items()}
        await audit.record(
            actor, "call.correct" if previous else "call.record", "call", call_id,
            client_id=ctx.client_id,
            after={"chain_id": chain_id, "direction": data.direction, "outcome": data.outcome,
                   "started_at": data.started_at, "duration_s": data.duration_s,
                   "account_ids": sorted(map(str, accounts)), "violations": found},
        )  # fmt: skip
    return CallRecorded(
        call_id=call_id,
        chain_id=chain_id,
        violations=[
            Violation(account_id=a, rule=rule) for a, found in verdicts.items() for rule in found
        ],
        # Another client's accounts of the same person are re-judged too, but not shown.
        rejudged=[r for r, client_id in rejudged if actor.may_see_client(client_id)],
    )


async def _apply_outcome(
    actor: Principal, ctx: account_service.ContactContext, data: CallCreate, now: datetime
) -> None:
    """What the call tells us about the person's number, account and wishes, in force
    from the end of the call (so the call itself is not judged against it)."""
    since = min(judging.effective_at(data.started_at, data.duration_s), now)
    mark = judging.PHONE_MARKS.get(data.outcome)
    if mark is not None:
        await account_service.mark_phone(ctx.debtor_id, data.phone, mark, since)
        return
    action = {
        Outcome.DISPUTE: StatusAction.DISPUTE,
        # An oral "stop calling" is a cease by telephone: it closes the telephone for the
        # person and leaves the account's status alone (DESIGN: not a cease).
        Outcome.CEASE_REQUEST: StatusAction.CEASE,
    }.get(data.outcome)
    if action is None:
        return
    request = StatusActionRequest(
        reason=f"{data.outcome} on a call", channel=Channel.ORAL, received_at=since
    )
    changed = await account_service.change_status_if_allowed(actor, ctx.account_id, action, request)
    # Already disputed, or finished: the call is still recorded, and a request to stop
    # calling still binds the person.
    if not changed and action == StatusAction.CEASE:
        await account_service.stop_telephone(ctx.debtor_id, since)


async def _judge(
    debtor_id: UUID, call_id: UUID, pivot: datetime
) -> tuple[dict[UUID, list[str]], list[tuple[Rejudged, UUID]]]:
    """Judge the new call, and re-judge every stored call of the person from `pivot` on
    (the earliest moment whose verdicts the new version may change), appending an
    evaluation wherever the verdict changed. Returns the new call's verdict per account
    and the re-judged (call, account) pairs with their clients."""
    calls = await calls_of_person(debtor_id)
    new = next(c for c in calls if c.id == call_id)
    later = [c for c in calls if c.id != call_id and c.started_at >= pivot]
    ctx = await account_service.contact_context(SYSTEM, next(iter(new.accounts)))
    consumer = consumer_of_context(ctx, calls)
    records = [c.record() for c in calls]
    judged = sorted({a for c in (new, *later) for a in c.accounts})
    contexts = await account_service.contact_contexts(SYSTEM, judged)

    def verdict(call: StoredCall, account_id: UUID) -> list[str]:
        of = contexts[account_id]
        account = judging.account_at(
            account_id, of.status, of.status_changes, call.started_at, of.serviced_with
        )
        return list(evaluator.violations_of(call.record(), account, consumer, records))

    def evaluation(call: StoredCall, account_id: UUID, found: list[str]) -> repository.Evaluation:
        return repository.Evaluation(
            call_id=call.id, chain_id=call.chain_id, account_id=account_id,
            client_id=call.accounts[account_id], debtor_id=debtor_id,
            collector_id=call.collector_id, started_at=call.started_at, violations=tuple(found),
        )  # fmt: skip

    verdicts = {a: verdict(new, a) for a in new.accounts}
    await repository.insert_evaluations(
        [evaluation(new, a, found) for a, found in verdicts.items()],
        cause="recorded",
        caused_by=call_id,
    )
    standing = await repository.current_evaluations([c.id for c in later])
    changed: list[repository.Evaluation] = []
    rejudged: list[tuple[Rejudged, UUID]] = []
    for call in later:
        for account_id, client_id in call.accounts.items():
            found = verdict(call, account_id)
            if standing.get((call.id, account_id)) != found:
                changed.append(evaluation(call, account_id, found))
                rejudged.append((Rejudged(call.id, account_id, found), client_id))
    await repository.insert_evaluations(changed, cause="rejudged", caused_by=call_id)
    return verdicts, rejudged


# --- findings --------------------------------------------------------------------------------


async def list_violations(
    actor: Principal,
    page: PageRequest,
    *,
    collector_id: UUID | None = None,
    client_id: UUID | None = None,
    started_from: datetime | None = None,
    started_to: datetime | None = None,
) -> Page[ViolationRead]:
    for field, value in (("from", started_from), ("to", started_to)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput.field(field, "needs a UTC offset")
    if client_id is not None and not actor.may_see_client(client_id):
        return Page(items=[], next_cursor=None)
    rows = await repository.list_violations(
        visible=actor.visible_clients(),
        collector_id=collector_id,
        client_id=client_id,
        started_from=started_from,
        started_to=started_to,
        after=page.after,
        limit=page.fetch_limit,
    )
    items = [read_as(ViolationRead, r) for r in rows]
    return make_page(items, page, key=lambda v: (v.started_at, v.evaluation_id))


async def list_calls(actor: Principal, account_id: UUID, page: PageRequest) -> Page[CallRead]:
    """Every version of every call about the account, newest start first, notes included:
    the agency's own record (the routes are staff-only; no client reads a note)."""
    await account_service.visible_account(actor, account_id)
    rows = await repository.calls_of_account(account_id, page.after, page.fetch_limit)
    items = [read_as(CallRead, r) for r in rows]
    return make_page(items, page, key=lambda c: (c.started_at, c.call_id))


# How many calls an account's detail shows.
RECENT_CALLS = 10


async def contacts_section(actor: Principal, account_id: UUID) -> dict[str, Any]:
    """The account detail's "contacts": its newest calls and their findings."""
    rows = await repository.recent_calls_of_account(account_id, RECENT_CALLS)
    return _contacts(rows)


def _contacts(rows: Sequence[Mapping[str, Any] | asyncpg.Record]) -> dict[str, Any]:
    return {"recent_calls": [read_as(CallSummary, r) for r in rows]}


# The detail's contacts in its one statement: the same read as above.
CONTACTS_SECTION = account_service.DetailSection(
    parts={"calls": db.bind(repository.RECENT_CALLS_OF_ACCOUNT_SQL, "$account", str(RECENT_CALLS))},
    read=lambda reading: _contacts(reading.parts["calls"]),
)


# --- the supervisors' figures -------------------------------------------------------------


async def call_activity(
    actor: Principal, group: str, since: datetime, until: datetime
) -> dict[UUID, dict[str, int]]:
    """Per collector or client ("collector" / "client"), for the clients the reader may
    see: calls placed (12 CFR 1006.14(b)(3): calls that connected, as the frequency rules
    count them), right-party contacts, promises made, promises kept in [since, until)."""
    rows = await repository.call_activity(
        group, since, until, visible_param(actor.visible_clients()),
        sorted(facts.PLACED_OUTCOMES), sorted(facts.CONVERSATION_OUTCOMES),
    )  # fmt: skip
    return {row["key"]: {k: int(v) for k, v in row.items() if k != "key"} for row in rows}


# A call in which the consumer spoke with the collector: a communication (15 U.S.C.
# 1692a(2)). A message left (a limited-content message, 12 CFR 1006.2(j)), a wrong
# number or a third party is not one; a callback asked for is counted, on the safe side.
CONVERSATIONS = (
    Outcome.RIGHT_PARTY_CONTACT, Outcome.PROMISE_TO_PAY, Outcome.REFUSED, Outcome.DISPUTE,
    Outcome.CEASE_REQUEST, Outcome.CALLBACK,
)  # fmt: skip


async def first_conversations_before(before: datetime) -> dict[UUID, datetime]:
    """The accounts whose first conversation with the consumer was before `before`, and
    when it was."""
    outcomes = [str(o) for o in CONVERSATIONS]
    rows = await repository.first_conversations_before(outcomes, before)
    return {row["account_id"]: row["first_at"] for row in rows}
