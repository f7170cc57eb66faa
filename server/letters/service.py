"""Letter batches: the validation notices due and the letters other domains made due
(due.py), made into one batch for the letter vendor (one PDF, an index CSV), and the
letters and batches downloaded by staff.

A notice is due for an account in collection with no validation period running and no
notice batched or mailed that still stands (server.accounts.validation_notices). A notice
is only made from facts the agency holds: an account without a usable address, at an
address mail came back from, or without the itemization's facts is held, counted by
reason, and reconsidered every night.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from server.accounts import service as account_service
from server.accounts import validation_notices as accounts
from server.accounts.validation_notices import MailingAddress
from server.accounts.validation_period import validation_state
from server.auth.principal import Principal
from server.clients import service as clients
from server.disputes import answers as dispute_answers
from server.kit import clock, db
from server.kit.csv_export import csv_line
from server.kit.mapping import read_as
from server.kit.settings import get_settings
from server.letters import dispute_letters, due, letter_pdf, notice_pdf, pdf_kit, repository
from server.letters.end_date import planned_mailing_date, validation_period_end
from server.letters.errors import BatchNotFound, LetterNotFound
from server.letters.schemas import (
    BatchRunRead,
    LetterBatchRead,
    LetterRead,
    NoticeData,
    NoticeStateRead,
    SettlementOfferData,
    VerificationData,
)
from server.settlements.services import offers

NOTICE = "validation_notice"
# `enclosures`: the names, in the batch's `{id}.zip`, of the documents to put in the
# envelope with the letter (a verification letter's), separated by "|"; empty for others.
INDEX_HEADER = (
    "letter_id", "account_id", "address", "pages", "planned_mailing_date", "enclosures"
)  # fmt: skip


def enclosure_names(letter_id: UUID, data: Any) -> list[str]:
    """The zip entry of each document a letter encloses: `{letter_id}/{n}-{file name}`."""
    if not isinstance(data, VerificationData):
        return []
    return [f"{letter_id}/{n}-{e.file_name}" for n, e in enumerate(data.enclosures, start=1)]


def itemization_date(candidate: dict[str, Any]) -> date | None:
    """1006.34(b)(3) lets the collector choose among five dates (last statement,
    charge-off, last payment, transaction, judgment). The date the new-business file
    stated; else the account's date of the kind the client chose (the charge-off or last
    payment date; the other kinds only a file states); the client unset: the charge-off
    date, else the last payment date. None: no itemization, no notice."""
    if candidate["itemization_date"] is not None:
        stated: date = candidate["itemization_date"]
        return stated
    by_kind = {"charge_off": "charge_off_date", "last_payment": "last_payment_date"}
    kind = candidate["client_itemization_date"]
    if kind is None:
        found: date | None = candidate["charge_off_date"] or candidate["last_payment_date"]
        return found
    return candidate[by_kind[kind]] if kind in by_kind else None


def _itemized_amounts(candidate: dict[str, Any]) -> tuple[int, int, int, int]:
    """(owed on the itemization date, interest since, fees since, payments and credits
    since). The file's itemization when it stated one, with what the balance has moved
    since it was placed; else the account's principal as owed on the date, its interest
    and fees, and every movement since."""
    balance = candidate["balance_cents"]
    if candidate["itemization_balance_cents"] is not None:
        moved = candidate["placed_balance_cents"] - balance
        return (
            candidate["itemization_balance_cents"],
            candidate["interest_since_itemization_cents"],
            candidate["fees_since_itemization_cents"],
            candidate["payments_since_itemization_cents"] + moved,
        )
    owed, interest, fees = (
        candidate["principal_cents"], candidate["interest_cents"], candidate["fees_cents"]
    )  # fmt: skip
    return owed, interest, fees, owed + interest + fees - balance


def notice_data(
    candidate: dict[str, Any], address: MailingAddress, creditor: str, planned: date
) -> NoticeData | str:
    """The notice's facts, or the reason it cannot be made. The itemization reconciles to
    the current balance to the cent (`_itemized_amounts`); the creditors are the file's
    when it named them, else the original creditor then and the client now."""
    settings = get_settings()
    on_date = itemization_date(candidate)
    if on_date is None:
        return "no_itemization_date"
    creditor_then = candidate["creditor_on_itemization_date"] or candidate["original_creditor"]
    if not creditor_then:
        return "no_creditor_on_itemization_date"
    owed, interest, fees, paid = _itemized_amounts(candidate)
    if paid < 0 or min(owed, interest, fees) < 0:
        return "itemization_does_not_reconcile"
    return NoticeData(
        agency_name=settings.agency_name,
        agency_address=list(settings.agency_mailing_address),
        agency_phone=settings.agency_phone,
        agency_dispute_address=settings.agency_dispute_address,
        consumer_name=address.name,
        consumer_address=list(address.lines),
        account_number=candidate["client_account_number"],
        creditor_on_itemization_date=creditor_then,
        current_creditor=candidate["current_creditor"] or creditor,
        itemization_date=on_date,
        amount_on_itemization_date_cents=owed,
        interest_since_cents=interest,
        fees_since_cents=fees,
        payments_and_credits_since_cents=paid,
        current_amount_cents=candidate["balance_cents"],
        validation_period_ends_on=validation_period_end(planned),
        planned_mailing_on=planned,
    )


@dataclass(frozen=True)
class _ToMake:
    account_id: UUID
    client_id: UUID
    kind: str
    address: MailingAddress
    data: Any
    # A notice's printed end; the letter due it settles (other letters), or the answer to
    # a dispute it is.
    printed_period_ends_on: date | None = None
    due_id: UUID | None = None
    answer_id: UUID | None = None


@dataclass(frozen=True)
class _Made:
    letter_id: UUID
    item: _ToMake
    pdf: bytes
    pages: int


def _render(items: list[_ToMake]) -> tuple[list[_Made], bytes]:
    """Each letter on its own (kept) and all of them in one document (the batch)."""
    made = []
    batch = pdf_kit.new_document()
    for item in items:
        if item.kind == NOTICE:
            pdf, pages = notice_pdf.notice_pdf(item.data)
            notice_pdf.draw_notice(batch, item.data)
        else:
            pdf, pages = letter_pdf.letter_pdf(item.kind, item.data)
            letter_pdf.DRAW[item.kind](batch, item.data)
        made.append(_Made(uuid.uuid4(), item, pdf, pages))
    return made, bytes(batch.output())


async def _notices_due(planned: date, held: dict[str, int]) -> list[_ToMake]:
    """The validation notices due, made into their data; those that cannot be made are
    counted in `held` by reason."""
    candidates = await accounts.notice_candidates()
    ids = [c["account_id"] for c in candidates]
    live = await repository.accounts_with_live_notice(ids)
    due = [c for c in candidates if c["account_id"] not in live]
    addresses = await accounts.mailing_addresses([c["account_id"] for c in due])
    bad = await repository.bad_addresses([c["account_id"] for c in due])
    names = await clients.clients_settings(list({c["client_id"] for c in due}))
    notices: list[_ToMake] = []
    for candidate in due:
        address = addresses.get(candidate["account_id"])
        if address is None:
            outcome: NoticeData | str = "no_mailing_address"
        elif (candidate["account_id"], address.text) in bad:
            outcome = "address_marked_bad"
        else:
            creditor = names[candidate["client_id"]]["name"]
            outcome = notice_data(candidate, address, creditor, planned)
        if isinstance(outcome, str):
            held[outcome] = held.get(outcome, 0) + 1
        else:
            assert address is not None
            notices.append(
                _ToMake(
                    candidate["account_id"], candidate["client_id"], NOTICE, address, outcome,
                    printed_period_ends_on=outcome.validation_period_ends_on,
                )
            )  # fmt: skip
    return notices


async def make_batch(now: datetime | None = None) -> BatchRunRead:
    """One batch of every letter due — the validation notices, then the letters other
    domains made due (due.py) — in one transaction: a worker killed while making it leaves
    nothing behind, and the next run makes it whole."""
    # The batch and its letters are dated by the clock that planned them (the agency's
    # day decides the planned mailing date and which returns are plausible).
    made_at = now or clock.now()
    planned = planned_mailing_date(clock.agency_date(made_at))
    held: dict[str, int] = {}
    dropped: dict[str, int] = {}
    async with db.transaction():
        await repository.lock_letters()
        items = await _notices_due(planned, held)
        gathered = await due.gather(planned)
        for reason, count in gathered.held.items():
            held[reason] = held.get(reason, 0) + count
        for _, reason in gathered.dropped:
            dropped[reason] = dropped.get(reason, 0) + 1
        items += [
            _ToMake(d.account_id, d.client_id, d.kind, d.address, d.data, due_id=d.due_id)
            for d in gathered.letters
        ]
        answers, answers_held = await dispute_letters.gather(planned, notice_data)
        for reason, count in answers_held.items():
            held[reason] = held.get(reason, 0) + count
        items += [
            _ToMake(a.account_id, a.client_id, a.kind, a.address, a.data, answer_id=a.answer_id)
            for a in answers
        ]
        settled: list[tuple[UUID, UUID | None, str | None]] = [
            (due_id, None, reason) for due_id, reason in gathered.dropped
        ]
        if not items:
            await repository.settle_dues(settled, made_at)
            return BatchRunRead(batch=None, held=held, dropped=dropped)
        made, batch_pdf = await asyncio.to_thread(_render, items)
        batch_id = uuid.uuid4()
        rows: list[list[Any]] = [list(INDEX_HEADER)]
        rows += [
            [m.letter_id, m.item.account_id, m.item.address.text, m.pages, planned.isoformat(),
             "|".join(enclosure_names(m.letter_id, m.item.data))]
            for m in made
        ]  # fmt: skip
        index = "".join(csv_line(r) for r in rows)
        row = await repository.insert_batch(
            batch_id, planned, len(made), sum(m.pages for m in made), batch_pdf, index, made_at
        )
        await repository.insert_letters(
            [
                (
                    m.letter_id, batch_id, m.item.account_id, m.item.client_id, m.item.kind,
                    m.item.address.text, json.dumps(msgspec.to_builtins(m.item.data)), m.pdf,
                    m.pages, planned, m.item.printed_period_ends_on, made_at,
                )
                for m in made
            ]
        )  # fmt: skip
        settled += [(m.item.due_id, m.letter_id, None) for m in made if m.item.due_id is not None]
        await dispute_answers.answers_made(
            [(m.item.answer_id, m.letter_id) for m in made if m.item.answer_id is not None]
        )
        # The printed date governs: an offer stays open until the deadline its letter says.
        for m in made:
            if isinstance(m.item.data, SettlementOfferData):
                await offers.honor_printed_deadline(m.item.data.offer_id, m.item.data.deadline)
        await repository.settle_dues(settled, made_at)
    return BatchRunRead(batch=read_as(LetterBatchRead, row), held=held, dropped=dropped)


async def batch_made_today() -> bool:
    since = clock.start_of_day(clock.agency_today(), get_settings().agency_timezone)
    return await repository.batch_made_since(since)


async def batch_file(batch_id: UUID, kind: str) -> tuple[LetterBatchRead, bytes]:
    row = await repository.batch(batch_id)
    if row is None:
        raise BatchNotFound()
    content = bytes(row["pdf"]) if kind == "pdf" else row["index_csv"].encode()
    return read_as(LetterBatchRead, row), content


async def batch_enclosures(batch_id: UUID) -> AsyncIterator[bytes]:
    """`{batch_id}.zip`: every document the batch's letters enclose, each under the name
    its index row gives (`enclosure_names`), stored uncompressed (PDFs and images are
    compressed already). Written to a spooled file first, so a large batch never sits in
    memory whole; then streamed."""
    if await repository.batch(batch_id) is None:
        raise BatchNotFound()
    rows = await repository.letters_of_batch(batch_id)
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
        for row in rows:
            data = msgspec.json.decode(row["data"], type=VerificationData)
            for name, enclosure in zip(
                enclosure_names(row["letter_id"], data), data.enclosures, strict=True
            ):
                with archive.open(name, "w", force_zip64=True) as entry:
                    async for piece in dispute_answers.document_chunks(enclosure.document_id):
                        entry.write(piece)
    spool.seek(0)

    async def pieces() -> AsyncIterator[bytes]:
        with spool:
            while piece := spool.read(1 << 20):
                yield piece

    return pieces()


async def get_letter(letter_id: UUID) -> tuple[LetterRead, dict[str, Any], bytes]:
    """A letter as kept: what it is, the data it was made from, and its bytes."""
    row = await repository.letter(letter_id)
    if row is None:
        raise LetterNotFound()
    events = (await repository.events([letter_id])).get(letter_id, {})
    read = read_as(LetterRead, row, events=events)
    return read, json.loads(row["data"]), bytes(row["pdf"])


async def notice_states(actor: Principal, account_ids: list[UUID]) -> dict[UUID, NoticeStateRead]:
    """Each account's validation notice as its mailing records have it (the records of the
    clients the caller may see; any other account reads as not yet mailed). The state is
    judged as the account detail judges it (server.accounts.validation_period)."""
    rows = {
        row["account_id"]: row
        for row in await repository.notice_mailings(account_ids, actor.visible_clients())
    }
    now = clock.now()
    found = {}
    for account_id in account_ids:
        row = rows.get(account_id)
        mailed = None if row is None else row["mailed_on"]
        returned = None if row is None else row["returned_on"]
        ends = None if row is None or returned else row["printed_period_ends_on"]
        state = validation_state(ends, now, returned_on=returned)
        found[account_id] = NoticeStateRead(account_id, str(state), mailed, ends, returned)
    return found


async def account_letters(actor: Principal, account_id: UUID) -> list[LetterRead]:
    """Every letter made for an account the caller may see, newest first, each with what
    the vendor reported of it: what staff open and download (`/api/v1/letters/{id}`)."""
    await account_service.visible_account(actor, account_id)
    rows = await repository.letters_of_account(account_id)
    events = await repository.events([row["letter_id"] for row in rows])
    return [read_as(LetterRead, row, events=events.get(row["letter_id"], {})) for row in rows]
