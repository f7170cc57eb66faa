"""The dispatcher and the work queues: scores, refills, and the next account to call.

The dispatcher rescores the open accounts whose facts changed since its last run (every
open account on the first run of a UTC day: `scoring.rescore_since`) and refills every
active collector's queue in one transaction of set-based SQL (server.dispatch.repository),
serialized by an advisory lock so a cron run and a supervisor's run never deal the same
people twice. Reach (callable now, within the hour, later) is worked out on every run:
it moves with the clock, not with the facts. It deals into a
table of its own and puts the result in place of the unheld items only at the end, so the
claims and calls of a working floor wait on it for two statements, not for the refill.
What it admits is only pre-filtered; whether an account may be called is decided when a
collector claims it, by the same rule function the pre-call check uses
(`queues.service.verdict`, which asks `queues.rules.evaluator.check_call`).

Leases: `next` leases the person of the account it returns for `LEASE`; a call recorded
by the collector on the person ends the item (a trigger on `call`), a release ends the
lease, and an expired lease is simply claimable again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from server.accounts import service as accounts
from server.audit import service as audit
from server.auth.principal import Principal
from server.dispatch import claim_repository as claims
from server.dispatch import repository as repository
from server.dispatch import score_repository as rescoring
from server.dispatch import scoring
from server.dispatch.facts_repository import SCORE_FACTS_SQL, score_facts
from server.dispatch.schemas import (
    BlockedBy,
    DispatchRead,
    NextAccountRead,
    QueueAccount,
    QueueAccountLine,
    QueueItemRead,
    QueueRead,
    ReleaseRead,
    ScorePartRead,
    ScoreRead,
    ScoreSection,
)
from server.kit import clock, db
from server.kit.errors import NotFound
from server.kit.logging import get_logger
from server.kit.mapping import read_as
from server.kit.pagination import Page, PageRequest, encode_cursor
from server.kit.settings import get_settings
from server.queues import follow_ups, service
from server.queues.local_time import CONTIGUOUS_US_ZONES
from server.queues.schemas import CallCheckRead, WorkDueRead

log = get_logger("server.queues")

CONTIGUOUS = list(CONTIGUOUS_US_ZONES)

# Long enough to dial, talk and record the call; short enough that a closed browser tab
# does not keep a person from being worked for long.
LEASE = timedelta(minutes=15)
# How many of my best unheld items one claim looks at, and in what steps, for one
# callable now. Items in calling hours now come first (the SQL knows the hours; the rule
# function knows the rest: stated times, Regulation F's counts). The first step is small
# because the best item is nearly always callable, the second reads a few more for the
# soonest time to answer with; the last takes every remaining item in calling hours, so
# `next` is never empty while my queue holds someone callable now. Each step is one read
# of the candidates' contact histories.
CLAIM_STEPS = (3, 22)
# How far ahead dealing looks: a person whose calling hours open within the hour is dealt
# before one callable only later (the cron re-deals every few minutes as the day moves),
# sampled at these steps.
LOOKAHEAD = timedelta(minutes=60)
LOOKAHEAD_STEP = timedelta(minutes=15)
# How many unqueued people of my portfolios a claim that found no one in its queue looks at
# first; each further page is four times larger.
TAKE_UNQUEUED = 10
# Rounds of dealing: each deals the people the full collectors could not take to the
# collectors with room left; it stops as soon as a round deals no one.
MAX_DEAL_ROUNDS = 4


async def dispatch(actor: Principal) -> DispatchRead:
    now = clock.now()
    weights = scoring.configured_weights(get_settings())
    async with db.transaction():
        await repository.lock_dispatch()
        since = scoring.rescore_since(await rescoring.last_pass(), now, weights)
        scored = await rescoring.rescore(now, weights, since=since)
        await repository.stage_queues(now)
        soon = [now + LOOKAHEAD_STEP * k for k in range(1, LOOKAHEAD // LOOKAHEAD_STEP + 1)]
        await repository.work_out_reach(now, CONTIGUOUS, soon)
        for _ in range(MAX_DEAL_ROUNDS):
            if await repository.deal_round() == 0:
                break
        await repository.swap_queues(now)
        queued = await repository.queued_count()
        await audit.record(
            actor, "queues.dispatch", "dispatch", None, after={"scored": scored, "queued": queued}
        )
    log.info("queues.dispatch.done", scored=scored, queued=queued)
    return DispatchRead(scored=scored, queued=queued)


async def next_account(actor: Principal) -> NextAccountRead:
    now = clock.now()
    if found := await _claim_at_first_look(actor, now):
        return found
    seen = _Seen()
    async with db.transaction():
        for step in CLAIM_STEPS:
            items = await claims.claim(actor.id, seen.items, step, now, CONTIGUOUS)
            if not items:
                break
            if found := await _first_callable(actor, items, now, seen):
                return found
        rest = await claims.claim(actor.id, seen.items, None, now, CONTIGUOUS, in_hours_only=True)
        if rest and (found := await _first_callable(actor, rest, now, seen)):
            return found
        # Nobody of my queue is callable now: the best people of my portfolios in no queue
        # whose hours hold now, while my queue has room, page by page until one may be
        # called (taken into my queue and leased) or none is left.
        count = TAKE_UNQUEUED
        while people := await claims.unqueued(actor.id, now, CONTIGUOUS, count, seen.people):
            if found := await _first_callable(actor, people, now, seen, unqueued=True):
                return found
            count *= 4
    return seen.answer()


async def _claim_at_first_look(actor: Principal, now: datetime) -> NextAccountRead | None:
    """The claim of nearly every request, in one statement: my best person in calling
    hours now, leased to me as it is read (the dispatcher deals by the same hours, day
    blocks and stated times, so the rules nearly always allow them), on the first of
    their accounts the rules allow. None, the lease given back as it was, when the rules
    allow none of them (or the lease ended meanwhile): the full claim then looks further,
    and says why it found nobody."""
    rows = await claims.claim_first(actor.id, now, CONTIGUOUS, LEASE)
    if not rows:
        return None
    item = rows[0]
    held = claims.Held(
        item_id=item["item_id"],
        leased_at=now,
        until=item["held_until"],
        at=item["held_at"],
        account_id=item["held_account_id"],
    )
    found = (accounts.visible_contact_context(actor, r) for r in rows if r["id"] is not None)
    contexts = {ctx.account_id: ctx for ctx in found if ctx is not None}
    account_ids = item["item_account_ids"]
    judged = _judge_person(account_ids, contexts, service.stored_calls(item["calls"]), now)
    if judged.allowed is None:
        await claims.give_back(held)
        return None
    ctx, verdict = judged.allowed
    until = item["lease_expires_at"]
    if ctx.account_id != account_ids[0]:
        until = await claims.lease_account(held, ctx.account_id)
        if until is None:
            return None
    return _leased(item["person"], account_ids, ctx, verdict, until)


@dataclass(frozen=True, slots=True)
class _Judged:
    """A person's accounts as the rules judge them now, in their queue item's order: the
    refusals up to the first account allowed on one of its numbers, and that one."""

    refusals: list[CallCheckRead]
    allowed: tuple[accounts.ContactContext, CallCheckRead] | None


def _judge_person(
    account_ids: list[UUID],
    contexts: dict[UUID, accounts.ContactContext],
    calls: list[Any],
    now: datetime,
) -> _Judged:
    # Accounts no longer in the collector's portfolio (no context) are left out here; the
    # next refill drops them.
    refusals: list[CallCheckRead] = []
    for account_id in account_ids:
        ctx = contexts.get(account_id)
        if ctx is None:
            continue
        verdict = _verdict_on_any_number(ctx, calls, now)
        if verdict.allowed:
            return _Judged(refusals, (ctx, verdict))
        refusals.append(verdict)
    return _Judged(refusals, None)


def _leased(
    person: UUID,
    account_ids: list[UUID],
    ctx: accounts.ContactContext,
    verdict: CallCheckRead,
    until: datetime,
) -> NextAccountRead:
    return NextAccountRead(
        account=QueueAccount(
            account_id=ctx.account_id,
            client_id=ctx.client_id,
            debtor_id=person,
            balance_cents=ctx.balance_cents,
            phone=verdict.phone,
            account_ids=list(account_ids),
        ),
        lease_expires_at=until,
    )


@dataclass(slots=True)
class _Seen:
    """What one claim has looked at, to say why it found nobody."""

    items: list[UUID] = field(default_factory=list)
    people: list[UUID] = field(default_factory=list)
    rules: Counter[str] = field(default_factory=Counter)
    soonest: datetime | None = None

    def refused(self, person: UUID, verdicts: list[CallCheckRead]) -> None:
        self.rules.update({v.rule or "" for v in verdicts} - {""})
        for v in verdicts:
            later = v.next_callable_at
            if later is not None and (self.soonest is None or later < self.soonest):
                self.soonest = later

    def answer(self) -> NextAccountRead:
        return NextAccountRead(
            account=None,
            next_callable_at=self.soonest,
            looked_at=len(self.people),
            blocked=[BlockedBy(rule=r, people=n) for r, n in sorted(self.rules.items())],
        )


async def _first_callable(
    actor: Principal, rows: list[Any], now: datetime, seen: _Seen, *, unqueued: bool = False
) -> NextAccountRead | None:
    """The first account of these people the rules allow now on one of its numbers,
    leased to me (a person in no queue is first taken into mine); else None, with what
    blocked each person noted in `seen`."""
    contexts = await accounts.contact_contexts(
        actor, [a for row in rows for a in row["account_ids"]]
    )
    calls = await service.calls_of_people([row["debtor_id"] for row in rows])
    for row in rows:
        person = row["debtor_id"]
        seen.people.append(person)
        if not unqueued:
            seen.items.append(row["id"])
        judged = _judge_person(row["account_ids"], contexts, calls[person], now)
        if judged.allowed is None:
            seen.refused(person, judged.refusals)
            continue
        ctx, verdict = judged.allowed
        item_id = (
            await claims.enqueue(actor.id, row, list(row["account_ids"]), now)
            if unqueued
            else row["id"]
        )
        if item_id is None:
            # Another collector's claim took this person first.
            seen.refused(person, judged.refusals)
            continue
        until = await claims.lease(item_id, ctx.account_id, LEASE, now)
        return _leased(person, row["account_ids"], ctx, verdict, until)
    return None


def _verdict_on_any_number(
    ctx: accounts.ContactContext, calls: list[Any], now: datetime
) -> CallCheckRead:
    """The rules' verdict on the best number; if it refuses, the first other number of
    the person they allow (a mobile whose zone is shut may leave a home line open), else
    the best number's verdict."""
    best = service.verdict(ctx, calls, now, None)
    if best.allowed:
        return best
    for phone in ctx.phones:
        if phone["status"] != "valid" or phone["e164"] == best.phone:
            continue
        other = service.verdict(ctx, calls, now, phone["e164"])
        if other.allowed:
            return other
    return best


async def release(actor: Principal, account_id: UUID) -> ReleaseRead:
    if not await claims.release(actor.id, account_id, clock.now()):
        raise NotFound("you hold no lease on this account")
    return ReleaseRead(released=True)


async def queue(
    actor: Principal, collector_id: UUID, *, with_scores: bool, page: PageRequest | None = None
) -> QueueRead:
    """A collector's queue in rank order (a page of it, or all of it), each item with its
    accounts the reader may see (number, the debtor's name as that client knows them,
    balance) and whether the rules allow a call now, as `next` would judge it."""
    found = await repository.collector(collector_id)
    if found is None:
        raise NotFound("no such collector")
    key = page.key(int, UUID) if page else None
    after = (int(str(key[0])), UUID(str(key[1]))) if key else None
    rows = await repository.queue_of(collector_id, after, page.fetch_limit if page else None)
    shown = rows[: page.limit] if page else rows
    ids = [a for r in shown for a in r["account_ids"]]
    scores: dict[UUID, ScoreRead] = {}
    if with_scores:
        scores = {
            s["account_id"]: read_as(ScoreRead, s)
            for s in await repository.scores_of(ids)
            if actor.may_see_client(s["client_id"])
        }
    seen = _QueueSight(
        labels=await accounts.account_labels(actor, ids),
        contexts=await accounts.contact_contexts(actor, ids),
        calls=await service.calls_of_people([r["debtor_id"] for r in shown]),
        now=clock.now(),
    )
    items = [
        seen.item(r, [scores[a] for a in r["account_ids"] if a in scores] if with_scores else None)
        for r in shown
    ]
    more = page is not None and len(rows) > page.limit
    return QueueRead(
        collector_id=collector_id,
        capacity=found["capacity"],
        items=items,
        next_cursor=encode_cursor(items[-1].rank, items[-1].debtor_id) if more else None,
    )


@dataclass(frozen=True)
class _QueueSight:
    """What a queue page shows of its people, read once for the page."""

    labels: dict[UUID, tuple[str, str]]
    contexts: dict[UUID, accounts.ContactContext]
    calls: dict[UUID, list[Any]]
    now: datetime

    def item(self, row: Any, scores: list[ScoreRead] | None) -> QueueItemRead:
        visible = [a for a in row["account_ids"] if a in self.contexts and a in self.labels]
        verdicts = [
            _verdict_on_any_number(self.contexts[a], self.calls[row["debtor_id"]], self.now)
            for a in visible
        ]
        verdict = next((v for v in verdicts if v.allowed), verdicts[0] if verdicts else None)
        return read_as(
            QueueItemRead,
            row,
            scores=scores,
            accounts=[
                QueueAccountLine(
                    account_id=a,
                    client_account_number=self.labels[a][0],
                    debtor_name=self.labels[a][1],
                    balance_cents=self.contexts[a].balance_cents,
                )
                for a in visible
            ],
            balance_cents=sum(self.contexts[a].balance_cents for a in visible),
            callable_now=None if verdict is None else verdict.allowed,
            rule=None if verdict is None else verdict.rule,
            next_callable_at=None if verdict is None else verdict.next_callable_at,
        )


async def work_due(actor: Principal, collector_id: UUID, page: PageRequest) -> Page[WorkDueRead]:
    """A collector's callbacks and promises, soonest first (queues keeps them)."""
    if await repository.collector(collector_id) is None:
        raise NotFound("no such collector")
    return await follow_ups.work_due(actor, collector_id, page)


async def queue_depths() -> dict[UUID, tuple[int, int]]:
    """{collector id: (people queued, people leased now)}."""
    rows = await repository.queue_depths(clock.now())
    return {r["collector_id"]: (int(r["queued"]), int(r["leased"])) for r in rows}


async def score_section(actor: Principal, account_id: UUID) -> ScoreSection | None:
    """The account detail's "score": the last score and its parts, each in words (None:
    not scored yet, or no longer open)."""
    row = await repository.score_of(account_id)
    if row is None:
        return None
    now = clock.now()
    return _score(row, await score_facts(account_id, now), now)


# The detail's score in its one statement: the same reads as above, at the detail's time.
SCORE_SECTION = accounts.DetailSection(
    parts={
        "score": db.bind(repository.SCORE_OF_SQL, "$account"),
        "facts": db.bind(SCORE_FACTS_SQL, "$account", "$read_at"),
    },
    read=lambda reading: _score(reading.one("score"), reading.one("facts"), reading.read_at),
)


Row = Mapping[str, Any] | asyncpg.Record


def _score(row: Row | None, facts: Row | None, now: datetime) -> ScoreSection | None:
    if row is None or facts is None:
        return None
    # The rescoring SQL dates the account's age by now's date in its UTC session.
    parts = scoring.parts(
        read_as(scoring.Facts, facts),
        now.astimezone(UTC).date(),
        scoring.configured_weights(get_settings()),
    )
    return read_as(
        ScoreSection,
        row,
        parts=[ScorePartRead(part=p.part, value=p.value, sentence=p.sentence) for p in parts],
    )
