"""Letter batches: the validation notices due, made into one batch for the letter vendor
(one PDF, an index CSV), and the letters and batches downloaded by staff.

A notice is due for an account in collection with no validation period running and no
notice batched or mailed that still stands (server.accounts.validation_notices). A notice
is only made from facts the agency holds: an account without a usable address, at an
address mail came back from, or without the itemization's facts is held, counted by
reason, and reconsidered every night.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from server.accounts import validation_notices as accounts
from server.accounts.validation_notices import MailingAddress
from server.clients import service as clients
from server.kit import clock, db
from server.kit.csv_export import csv_line
from server.kit.mapping import read_as
from server.kit.settings import get_settings
from server.letters import notice_pdf, repository
from server.letters.end_date import planned_mailing_date, validation_period_end
from server.letters.errors import BatchNotFound, LetterNotFound
from server.letters.schemas import BatchRunRead, LetterBatchRead, LetterRead, NoticeData

NOTICE = "validation_notice"
INDEX_HEADER = ("letter_id", "account_id", "address", "pages", "planned_mailing_date")


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
class _Made:
    letter_id: UUID
    candidate: dict[str, Any]
    address: MailingAddress
    data: NoticeData
    pdf: bytes
    pages: int


def _render(
    notices: list[tuple[dict[str, Any], MailingAddress, NoticeData]],
) -> tuple[list[_Made], bytes]:
    """Each letter on its own (kept) and all of them in one document (the batch)."""
    made = []
    batch = notice_pdf.new_document()
    for candidate, address, data in notices:
        pdf, pages = notice_pdf.notice_pdf(data)
        notice_pdf.draw_notice(batch, data)
        made.append(_Made(uuid.uuid4(), candidate, address, data, pdf, pages))
    return made, bytes(batch.output())


async def make_batch(now: datetime | None = None) -> BatchRunRead:
    """One batch of every notice due, in one transaction: a worker killed while making
    it leaves nothing behind, and the next run makes it whole."""
    # The batch and its letters are dated by the clock that planned them (the agency's
    # day decides the planned mailing date and which returns are plausible).
    made_at = now or clock.now()
    planned = planned_mailing_date(clock.agency_date(made_at))
    held: dict[str, int] = {}
    async with db.transaction():
        await repository.lock_letters()
        candidates = await accounts.notice_candidates()
        ids = [c["account_id"] for c in candidates]
        live = await repository.accounts_with_live_notice(ids)
        due = [c for c in candidates if c["account_id"] not in live]
        addresses = await accounts.mailing_addresses([c["account_id"] for c in due])
        bad = await repository.bad_addresses([c["account_id"] for c in due])
        names = await clients.clients_settings(list({c["client_id"] for c in due}))
        notices: list[tuple[dict[str, Any], MailingAddress, NoticeData]] = []
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
                notices.append((candidate, address, outcome))
        if not notices:
            return BatchRunRead(batch=None, held=held)
        made, batch_pdf = await asyncio.to_thread(_render, notices)
        batch_id = uuid.uuid4()
        index = "".join(
            csv_line(row)
            for row in [
                list(INDEX_HEADER),
                *(
                    [
                        m.letter_id,
                        m.candidate["account_id"],
                        m.address.text,
                        m.pages,
                        planned.isoformat(),
                    ]
                    for m in made
                ),
            ]
        )
        row = await repository.insert_batch(
            batch_id, planned, len(made), sum(m.pages for m in made), batch_pdf, index, made_at
        )
        await repository.insert_letters(
            [
                (
                    m.letter_id,
                    batch_id,
                    m.candidate["account_id"],
                    m.candidate["client_id"],
                    NOTICE,
                    m.address.text,
                    json.dumps(msgspec.to_builtins(m.data)),
                    m.pdf,
                    m.pages,
                    planned,
                    m.data.validation_period_ends_on,
                    made_at,
                )
                for m in made
            ]
        )
    return BatchRunRead(batch=read_as(LetterBatchRead, row), held=held)


async def batch_made_today() -> bool:
    since = clock.start_of_day(clock.agency_today(), get_settings().agency_timezone)
    return await repository.batch_made_since(since)


async def batch_file(batch_id: UUID, kind: str) -> tuple[LetterBatchRead, bytes]:
    row = await repository.batch(batch_id)
    if row is None:
        raise BatchNotFound()
    content = bytes(row["pdf"]) if kind == "pdf" else row["index_csv"].encode()
    return read_as(LetterBatchRead, row), content


async def get_letter(letter_id: UUID) -> tuple[LetterRead, dict[str, Any], bytes]:
    """A letter as kept: what it is, the data it was made from, and its bytes."""
    row = await repository.letter(letter_id)
    if row is None:
        raise LetterNotFound()
    events = (await repository.events([letter_id])).get(letter_id, {})
    read = read_as(LetterRead, row, events=events)
    return read, json.loads(row["data"]), bytes(row["pdf"])
