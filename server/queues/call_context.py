"""The account detail's "call" section: everything a collector needs before dialing, in
the one request the account screen makes. Each number's verdict (the pre-call check's,
word for word), the consumer's local times, where the debt stands against every
frequency cap that binds it (Regulation F's and a state's), the last conversation and
the end of its 7-day block, and the cues of what to say. The agency's staff only: the
rules read every number and address the agency holds for the person, which a client
user must not see (the section is null for them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from server.accounts import service as account_service
from server.auth.principal import Principal, Role
from server.kit import clock, db
from server.kit.mapping import read_as
from server.queues import judging, repository
from server.queues.judging import StoredCall
from server.queues.rules import cues, evaluator
from server.queues.rules.evaluator import CapCount
from server.queues.rules.facts import is_conversation
from server.queues.rules.frequency import ConsentWindow
from server.queues.schemas import CallCheckRead
from server.queues.service import (
    calls_by_person_sql,
    calls_of_person,
    consumer_of_context,
    stored_calls,
    verdict,
)


class CapCountRead(msgspec.Struct):
    rule: str
    max_calls: int
    days: int
    phone_kinds: list[str]
    # Calls placed about the debt in the fullest window of `days` local days that holds
    # now (as the rule counts them: consented calls and wrong numbers left out).
    calls_counted: int
    calls_left: int
    sentence: str


class CueRead(msgspec.Struct):
    code: str
    sentence: str
    citation: str


class PromiseRead(msgspec.Struct):
    promise_id: UUID
    amount_cents: int | None
    due_on: date | None
    # open, kept or broken (judged by the money: server/settlements/services/promises.py).
    status: str
    made_at: datetime


class ConsentWindowRead(msgspec.Struct):
    given_at: datetime
    asked_for: datetime
    # The day asked for, on the consumer's clock in each zone considered.
    days: dict[str, date]
    ends_at: datetime
    revoked_at: datetime | None
    spent_at: datetime | None
    covers_now: bool
    sentence: str


Row = Mapping[str, Any] | asyncpg.Record

# How many of an account's promises the call context lists.
PROMISES_SHOWN = 10


class CallContextRead(msgspec.Struct):
    at: datetime
    # The verdict on the number `next` would dial, then on every number on file.
    verdict: CallCheckRead
    phones: list[CallCheckRead]
    frequency: list[CapCountRead]
    last_conversation_at: datetime | None
    # The first day calls may be placed again after the last conversation's 7-day block
    # (12 CFR 1006.14(b)(2)(i)(B)); null: no conversation on record.
    calls_resume_on: date | None
    consent_in_force: bool
    # Direct prior consents whose 7 days have not ended (12 CFR 1006.14(b)(3)(i)).
    consents: list[ConsentWindowRead]
    cues: list[CueRead]
    # The account's promises to pay, open ones first.
    promises: list[PromiseRead]


def cap_sentence(count: CapCount) -> str:
    """ "Regulation F: 3 of 7 calls in 7 days placed; 4 left."."""
    law = "Regulation F" if count.rule.startswith("reg_f") else count.rule.split("_")[1].upper()
    kinds = "" if len(count.phone_kinds) == 4 else " to " + " and ".join(count.phone_kinds)
    left = max(0, count.max_calls - count.counted)
    return (
        f"{law}: {count.counted} of {count.max_calls} calls in {count.days} days placed"
        f"{kinds}; {left} left."
    )


def consent_read(window: ConsentWindow, at: datetime, zones: list[str]) -> ConsentWindowRead:
    days = {z: clock.local_date(window.asked_for, z) for z in zones}
    named = " or ".join(sorted({f"{d:%A %Y-%m-%d}" for d in days.values()}))
    covers = window.covers(at, zones)
    if window.revoked_at is not None and window.revoked_at <= at:
        state = f"revoked at {window.revoked_at:%Y-%m-%d %H:%M} UTC"
    elif window.spent_at is not None and window.spent_at < at:
        state = f"spent by the conversation at {window.spent_at:%Y-%m-%d %H:%M} UTC"
    elif covers:
        state = "in force now"
    elif all(day < clock.local_date(at, z) for z, day in days.items()):
        state = "its day has passed"
    else:
        state = f"not yet its day (it lapses at {window.ends_at:%Y-%m-%d %H:%M} UTC)"
    return ConsentWindowRead(
        given_at=window.given_at,
        asked_for=window.asked_for,
        days=days,
        ends_at=window.ends_at,
        revoked_at=window.revoked_at,
        spent_at=window.spent_at,
        covers_now=covers,
        sentence=(
            f"The consumer asked to be called on {named} (their time): calls placed that day"
            f" are not counted toward the call limits (12 CFR 1006.14(b)(3)(i)); {state}."
        ),
    )


def _time_barred(limitations_on: date | None, at: datetime, zones: list[str]) -> bool:
    # Warned on the day it passes anywhere the consumer may be.
    if limitations_on is None:
        return False
    today = max((clock.local_date(at, z) for z in zones), default=clock.agency_date(at))
    return today > limitations_on


async def call_section(actor: Principal, account_id: UUID) -> CallContextRead | None:
    if actor.role == Role.CLIENT:
        return None
    row = await account_service.visible_account(actor, account_id)
    ctx = await account_service.contact_context(actor, account_id)
    calls = await calls_of_person(ctx.debtor_id)
    promises = await repository.promises_of_account(account_id, PROMISES_SHOWN)
    return _call_context(row, ctx, calls, promises, clock.now())


def _read_call(reading: account_service.DetailReading) -> CallContextRead | None:
    contact = reading.one("contact")
    if reading.actor.role == Role.CLIENT or contact is None:
        return None
    ctx = account_service.visible_contact_context(reading.actor, contact)
    if ctx is None:
        return None
    of_person = reading.one("calls")
    calls = stored_calls(None if of_person is None else of_person["calls"])
    return _call_context(reading.account, ctx, calls, reading.parts["promises"], reading.read_at)


# The detail's call context in its one statement: the same reads as above (the contact
# rules run on what it returned), for the agency's people only.
CALL_SECTION = account_service.DetailSection(
    parts={
        "contact": account_service.contact_rows_sql("ARRAY[$account]"),
        "calls": calls_by_person_sql("ARRAY[$debtor]"),
        "promises": db.bind(repository.PROMISES_OF_ACCOUNT_SQL, "$account", str(PROMISES_SHOWN)),
    },
    read=_read_call,
    staff_only=True,
)


def _call_context(
    row: Row,
    ctx: account_service.ContactContext,
    calls: Sequence[StoredCall],
    promises: Sequence[Row],
    now: datetime,
) -> CallContextRead:
    best = verdict(ctx, calls, now, None)
    phones = [verdict(ctx, calls, now, str(p["e164"])) for p in ctx.phones]
    account = judging.account_at(
        ctx.account_id, ctx.status, ctx.status_changes, now, ctx.serviced_with
    )
    records = [c.record() for c in calls]
    standing = evaluator.frequency_standing(
        account, consumer_of_context(ctx, calls), best.phone or "", now, records
    )
    debt = {str(a) for a in account.debt}
    communicated = any(is_conversation(r) and r.account_ids & debt for r in records)
    return CallContextRead(
        at=now,
        verdict=best,
        phones=phones,
        frequency=[
            CapCountRead(
                rule=c.rule,
                max_calls=c.max_calls,
                days=c.days,
                phone_kinds=list(c.phone_kinds),
                calls_counted=c.counted,
                calls_left=max(0, c.max_calls - c.counted),
                sentence=cap_sentence(c),
            )
            for c in standing.caps
        ],
        promises=[read_as(PromiseRead, p) for p in promises],
        last_conversation_at=standing.last_conversation_at,
        calls_resume_on=standing.block_ends_before,
        consent_in_force=standing.consent_in_force,
        consents=[consent_read(w, now, best.zones) for w in standing.consents],
        cues=[
            CueRead(code=c.code, sentence=c.sentence, citation=c.citation)
            for c in cues.call_cues(
                communicated_before=communicated,
                notice_mailed=row["validation_notice_sent_on"] is not None,
                time_barred=_time_barred(row["statute_of_limitations_date"], now, best.zones),
            )
        ],
    )
