"""The letters settlements makes due, through the night's batch: a settlement offer and a
plan confirmation when an offer is accepted, the paid-in-full and settled-in-full letters
when the money comes in; the 1692g(b) deadline at the validation period's edge; nothing of
a lawsuit on a time-barred debt; what is no longer due is dropped, with its reason.

Dates are chosen from what each test sets up (the offer's due date, the batch's planned
mailing date), never from the calendar: the suite runs at pinned instants."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from server.kit import clock
from server.letters import service
from server.letters.end_date import planned_mailing_date
from server.letters.pdf_kit import long_date
from server.settlements.services import offers
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser, new_key
from tests.letters.test_letter_pdf import SUIT, read_back


class Desk:
    """A client, its collector, and accounts of 1,000.00 on demand."""

    def __init__(self, admin: Caller, collector: Caller, client_id: str, make: MakeAccount):
        self.admin, self.collector, self.client_id, self._make = admin, collector, client_id, make

    async def account(self, **fields: Any) -> str:
        return str((await self._make(self.client_id, principal_cents=100_000, **fields))["id"])

    async def offer(self, account_id: str, **body: Any) -> dict[str, Any]:
        made = await self.collector.post(f"/api/v1/accounts/{account_id}/offers", json=body)
        assert made.status_code == 201, made.text
        offer = dict(made.json())
        assert offer["status"] == "accepted", offer
        return offer

    async def pay(self, account_id: str, cents: int, **body: Any) -> dict[str, Any]:
        paid = await self.admin.post(
            f"/api/v1/accounts/{account_id}/payments",
            headers={"Idempotency-Key": new_key()},
            json={"amount_cents": cents, "method": "ach", "paid_to": "agency",
                  "received_at": clock.agency_today().isoformat(), **body},
        )  # fmt: skip
        assert paid.status_code == 201, paid.text
        return dict(paid.json())


@pytest.fixture
async def desk(
    admin: Caller, make_client: MakeClient, make_user: MakeUser, make_account: MakeAccount
) -> Desk:
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]])
    return Desk(admin, collector, client["client_id"], make_account)


async def _noticed(owner_db: asyncpg.Connection, account_id: str, ends_on: date) -> None:
    """The account's notice mailed, its period ending `ends_on` (as a return file sets it)."""
    await owner_db.execute(
        "UPDATE account SET validation_notice_sent_on = $2, validation_period_ends_on = $3"
        " WHERE id = $1",
        UUID(account_id), ends_on - timedelta(days=37), ends_on,
    )  # fmt: skip


async def _batch(admin: Caller) -> tuple[Any, dict[str, dict[str, Any]]]:
    """The night's batch at the clock, and its letters by kind (each with its text)."""
    made = await service.make_batch()
    assert made.batch is not None, (made.held, made.dropped)
    index = await admin.get(f"/api/v1/letter-batches/{made.batch.batch_id}.csv")
    letters: dict[str, dict[str, Any]] = {}
    for row in csv.DictReader(io.StringIO(index.text)):
        detail = (await admin.get(f"/api/v1/letters/{row['letter_id']}")).json()
        pdf = await admin.get(f"/api/v1/letters/{row['letter_id']}.pdf")
        assert pdf.status_code == 200
        kind = detail["letter"]["kind"]
        assert kind not in letters, f"two {kind} letters"
        letters[kind] = {**detail, "text": read_back(pdf.content), "index": row}
    return made, letters


# A batch made Friday 2026-11-20 is mailed Monday 2026-11-23 and its notice prints
# 2026-12-31; the next, Wednesday 2026-11-25, is mailed Friday 2026-11-27. Both before
# every instant the suite's clock is pinned at, so the mailing reported is in the past.
FRIDAY = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
PLANNED, PRINTED_END = date(2026, 11, 23), date(2026, 12, 31)


def _planned() -> date:
    return planned_mailing_date(clock.agency_today())


async def test_inside_the_period_the_offer_runs_at_least_to_its_end(
    desk: Desk, owner_db: asyncpg.Connection
) -> None:
    account_id = await desk.account()
    offer = await desk.offer(account_id, kind="lump_sum", amount_cents=80_000)
    due_on = date.fromisoformat(offer["due_on"])
    # The period ends a week after the offer's due date: the letter's deadline is its end.
    ends_on = due_on + timedelta(days=7)
    await _noticed(owner_db, account_id, ends_on)
    _made, letters = await _batch(desk.admin)
    assert set(letters) == {"settlement_offer"}
    letter = letters["settlement_offer"]
    assert letter["index"]["account_id"] == account_id
    assert letter["data"]["offer_due_on"] == due_on.isoformat()
    assert letter["data"]["deadline"] == ends_on.isoformat()
    assert letter["letter"]["printed_period_ends_on"] is None
    text = letter["text"]
    assert f"If we receive $800.00 by {long_date(ends_on)}, you will owe nothing more" in text
    assert "Your rights are not affected." in text
    assert f"original creditor, by {long_date(ends_on)}." in text
    assert "is a debt collector. We are trying to collect a debt" in text
    assert long_date(due_on) not in text
    # The printed date governs: the offer stays open until it, not its own due date.
    kept = (await desk.admin.get(f"/api/v1/offers/{offer['offer_id']}")).json()
    assert (kept["status"], kept["due_on"]) == ("accepted", ends_on.isoformat())
    # The nightly sweep, the day after the offer's own due date, leaves it open.
    assert (await offers.close_lapsed_offers(due_on + timedelta(days=1)))["expired"] == 0
    assert (await offers.close_lapsed_offers(ends_on + timedelta(days=1)))["expired"] == 1
    # Made once: the next night has nothing to send.
    again = await service.make_batch()
    assert (again.batch, again.held, again.dropped) == (None, {}, {})


async def _lump_sum_noticed(
    desk: Desk, owner_db: asyncpg.Connection, ends_on: date
) -> tuple[str, dict[str, Any]]:
    """An account with an accepted lump sum of 850.00, its period ending `ends_on`."""
    account_id = await desk.account()
    offer = await desk.offer(account_id, kind="lump_sum", amount_cents=85_000)
    await _noticed(owner_db, account_id, ends_on)
    return account_id, offer


async def test_a_period_ending_the_day_before_mailing_leaves_the_offer_s_date(
    desk: Desk, owner_db: asyncpg.Connection
) -> None:
    _, offer = await _lump_sum_noticed(desk, owner_db, _planned() - timedelta(days=1))
    _, letters = await _batch(desk.admin)
    letter = letters["settlement_offer"]
    assert letter["data"]["deadline"] == offer["due_on"]
    assert letter["data"]["validation_period_ends_on"] is None
    assert f"by {long_date(date.fromisoformat(offer['due_on']))}, you will" in letter["text"]
    assert "Your rights are not affected." not in letter["text"]
    kept = (await desk.admin.get(f"/api/v1/offers/{offer['offer_id']}")).json()
    assert kept["due_on"] == offer["due_on"]


async def test_an_offer_due_before_the_letter_could_arrive_is_not_sent(
    desk: Desk, owner_db: asyncpg.Connection
) -> None:
    # Past its period, and due the day before the letter would be mailed.
    _, offer = await _lump_sum_noticed(desk, owner_db, _planned() - timedelta(days=30))
    await owner_db.execute(
        "UPDATE offer SET due_on = $2 WHERE id = $1",
        UUID(offer["offer_id"]), _planned() - timedelta(days=1),
    )  # fmt: skip
    made = await service.make_batch()
    assert (made.batch, made.dropped) == (None, {"deadline_passed": 1})


async def test_a_period_ending_on_the_mailing_day_still_moves_the_deadline(
    desk: Desk, owner_db: asyncpg.Connection
) -> None:
    await _lump_sum_noticed(desk, owner_db, _planned())
    _, letters = await _batch(desk.admin)
    assert letters["settlement_offer"]["data"]["validation_period_ends_on"] == (
        _planned().isoformat()
    )


async def test_an_offer_before_any_notice_waits_for_the_notice_s_mailing(desk: Desk) -> None:
    account_id = await desk.account(charge_off_date=date(2025, 3, 1))
    offer = await desk.offer(account_id, kind="lump_sum", amount_cents=80_000)
    # A notice only batched fixes no period (mailed late, it is void): the offer waits.
    with clock.running_from(FRIDAY):
        first = await service.make_batch()
    assert first.batch is not None
    assert first.held == {"awaiting_validation_notice": 1}
    index = await desk.admin.get(f"/api/v1/letter-batches/{first.batch.batch_id}.csv")
    [notice] = list(csv.DictReader(io.StringIO(index.text)))
    body = f"letter_id,mailed_on,returned_on,reason\r\n{notice['letter_id']},{PLANNED},,\r\n"
    imported = await desk.admin.post(
        "/api/v1/letter-returns", content=body, headers={"Content-Type": "text/csv"}
    )
    assert imported.json()["mailed"] == 1, imported.text
    # Mailed: its period ends on the printed date, and the offer runs at least to it.
    with clock.running_from(LATER):
        second = await service.make_batch()
    assert second.batch is not None
    assert second.batch.letter_count == 1
    index = await desk.admin.get(f"/api/v1/letter-batches/{second.batch.batch_id}.csv")
    [row] = list(csv.DictReader(io.StringIO(index.text)))
    data = (await desk.admin.get(f"/api/v1/letters/{row['letter_id']}")).json()["data"]
    assert data["validation_period_ends_on"] == PRINTED_END.isoformat()
    assert data["deadline"] == max(date.fromisoformat(offer["due_on"]), PRINTED_END).isoformat()


async def test_an_offer_letter_waits_for_a_notice(desk: Desk, owner_db: asyncpg.Connection) -> None:
    # No itemization date: no notice can be made, so no period is known.
    account_id = await desk.account()
    await desk.offer(account_id, kind="lump_sum", amount_cents=80_000)
    made = await service.make_batch()
    assert made.batch is None
    assert made.held == {"no_itemization_date": 1, "awaiting_validation_notice": 1}
    await _noticed(owner_db, account_id, _planned() + timedelta(days=60))
    _, letters = await _batch(desk.admin)
    assert set(letters) == {"settlement_offer"}


async def test_a_plan_is_confirmed_with_the_offer_s_schedule(
    desk: Desk, owner_db: asyncpg.Connection
) -> None:
    account_id = await desk.account()
    start = clock.agency_today() + timedelta(days=7)
    schedule = [
        {"due_date": (start + timedelta(days=28 * i)).isoformat(), "amount_cents": 30_000}
        for i in range(3)
    ]
    offer = await desk.offer(account_id, kind="plan", amount_cents=90_000, installments=schedule)
    await _noticed(owner_db, account_id, _planned() - timedelta(days=3))
    _, letters = await _batch(desk.admin)
    letter = letters["plan_confirmation"]
    assert letter["data"]["offer_id"] == offer["offer_id"]
    assert letter["data"]["installments"] == [
        {"due_date": s["due_date"], "amount_cents": 30_000} for s in schedule
    ]
    text = letter["text"]
    for n, line in enumerate(schedule, start=1):
        due = long_date(date.fromisoformat(line["due_date"]))
        assert f"Payment {n} of 3, due {due} $300.00" in text
    assert "Total of the plan $900.00" in text
    assert "settled in full: you will owe nothing more on it." in text


async def test_paid_in_full_and_suit_only_when_the_statute_outlives_receipt(
    desk: Desk, owner_db: asyncpg.Connection
) -> None:
    barred = await desk.account()
    running = await desk.account()
    # Barred since long before the letter; running years past its receipt.
    await owner_db.execute(
        "UPDATE account SET statute_of_limitations_date = $2 WHERE id = $1",
        UUID(barred), clock.agency_today() - timedelta(days=400),
    )  # fmt: skip
    await owner_db.execute(
        "UPDATE account SET statute_of_limitations_date = $2 WHERE id = $1",
        UUID(running), clock.agency_today() + timedelta(days=1_000),
    )  # fmt: skip
    for account_id in (barred, running):
        await desk.pay(account_id, 100_000)
    made = await service.make_batch()
    assert made.batch is not None
    assert made.batch.letter_count == 2
    index = await desk.admin.get(f"/api/v1/letter-batches/{made.batch.batch_id}.csv")
    texts = {}
    for row in csv.DictReader(io.StringIO(index.text)):
        detail = (await desk.admin.get(f"/api/v1/letters/{row['letter_id']}")).json()
        assert detail["letter"]["kind"] == "paid_in_full"
        pdf = (await desk.admin.get(f"/api/v1/letters/{row['letter_id']}.pdf")).content
        texts[row["account_id"]] = (detail["data"], read_back(pdf))
    paid_on = long_date(clock.agency_today())
    for account_id, (data, text) in texts.items():
        assert "you paid the debt in full." in text
        assert paid_on in text
        assert "This letter is from a debt collector" in text
        assert data["may_mention_suit"] is (account_id == running)
    assert SUIT.search(texts[barred][1]) is None
    assert "No lawsuit will be brought to collect it." in texts[running][1]


async def test_a_paid_settlement_is_settled_in_full_and_its_offer_letter_dropped(
    desk: Desk, owner_db: asyncpg.Connection
) -> None:
    account_id = await desk.account()
    offer = await desk.offer(account_id, kind="lump_sum", amount_cents=80_000)
    await desk.pay(account_id, 80_000, offer_id=offer["offer_id"])
    made, letters = await _batch(desk.admin)
    assert set(letters) == {"settled_in_full"}
    assert made.dropped == {"offer_fulfilled": 1}
    letter = letters["settled_in_full"]
    assert letter["data"]["settlement_cents"] == 80_000
    assert "you paid the settlement we agreed, $800.00," in letter["text"]
    assert "Your account is settled in full" in letter["text"]
    # No statute of limitations date: treated as time-barred, nothing of a lawsuit.
    assert SUIT.search(letter["text"]) is None
    rows = await owner_db.fetch(
        "SELECT kind, letter_id IS NOT NULL AS made, dropped_reason FROM letter_due"
        " WHERE account_id = $1 ORDER BY kind",
        UUID(account_id),
    )
    assert [tuple(r) for r in rows] == [
        ("settled_in_full", True, None), ("settlement_offer", False, "offer_fulfilled"),
    ]  # fmt: skip
    # Staff find the account's letters, and open each.
    listed = await desk.admin.get(f"/api/v1/accounts/{account_id}/letters")
    assert listed.status_code == 200, listed.text
    assert [(x["kind"], x["letter_id"]) for x in listed.json()] == [
        ("settled_in_full", letter["letter"]["letter_id"])
    ]
    assert (await desk.collector.get(f"/api/v1/accounts/{account_id}/letters")).status_code == 403
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await owner_db.execute("UPDATE letter_due SET dropped_reason = 'x', letter_id = NULL")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await owner_db.execute("DELETE FROM letter_due")


async def test_a_payoff_reversed_before_the_batch_is_no_longer_due(desk: Desk) -> None:
    account_id = await desk.account()
    payment = await desk.pay(account_id, 100_000)
    reversed_ = await desk.admin.post(
        f"/api/v1/payments/{payment['payment_id']}/reversal", json={"reason": "NSF"}
    )
    assert reversed_.status_code == 201, reversed_.text
    made, letters = await _batch(desk.admin)
    assert made.dropped == {"account_active": 1}
    # Owing again, with a payment date to itemize from: its notice, and no paid letter.
    assert set(letters) == {"validation_notice"}


async def test_a_letter_other_than_the_notice_is_never_void_and_dates_no_period(
    desk: Desk, owner_db: asyncpg.Connection
) -> None:
    account_id = await desk.account()
    await desk.pay(account_id, 100_000)
    with clock.running_from(FRIDAY):
        made = await service.make_batch()
    assert made.batch is not None
    index = await desk.admin.get(f"/api/v1/letter-batches/{made.batch.batch_id}.csv")
    [row] = list(csv.DictReader(io.StringIO(index.text)))
    # Mailed a day late and come back: kept in its history, the address marked bad.
    body = (
        "letter_id,mailed_on,returned_on,reason\r\n"
        f"{row['letter_id']},2026-11-24,2026-11-30,moved\r\n"
    )
    report = (
        await desk.admin.post(
            "/api/v1/letter-returns", content=body, headers={"Content-Type": "text/csv"}
        )
    ).json()
    assert (report["mailed"], report["voided"], report["returned"]) == (1, 0, 1)
    letter = (await desk.admin.get(f"/api/v1/letters/{row['letter_id']}")).json()["letter"]
    assert letter["events"] == {"mailed": "2026-11-24", "returned": "2026-11-30"}
    detail = (await desk.admin.get(f"/api/v1/accounts/{account_id}")).json()
    assert (detail["validation_notice_sent_on"], detail["validation_state"]) == (
        None, "notice_not_mailed",
    )  # fmt: skip
    bad = await owner_db.fetchval(
        "SELECT count(*) FROM letter_bad_address WHERE account_id = $1", UUID(account_id)
    )
    assert bad == 1


@pytest.mark.parametrize("status", ["attorney_represented", "bankruptcy", "deceased"])
async def test_no_paid_letter_goes_to_a_consumer_no_letter_may_reach(
    desk: Desk, status: str
) -> None:
    # 1692c(a)(2): an attorney's client is written to through the attorney; the stay of a
    # bankruptcy; nobody at a deceased consumer's address. Paid off all the same.
    account_id = await desk.account(status=status)
    await desk.pay(account_id, 100_000)
    detail = (await desk.admin.get(f"/api/v1/accounts/{account_id}")).json()
    assert detail["status"] == "paid_in_full"
    made = await service.make_batch()
    assert (made.batch, made.dropped) == (None, {f"no_letter_while_{status}": 1})


async def test_settled_reopened_and_settled_again_is_one_letter_of_the_last(desk: Desk) -> None:
    account_id = await desk.account()
    offer = await desk.offer(account_id, kind="lump_sum", amount_cents=80_000)
    first = await desk.pay(account_id, 80_000, offer_id=offer["offer_id"])
    reversed_ = await desk.admin.post(
        f"/api/v1/payments/{first['payment_id']}/reversal", json={"reason": "NSF"}
    )
    assert reversed_.status_code == 201, reversed_.text
    again = await desk.pay(account_id, 80_000, offer_id=offer["offer_id"])
    made, letters = await _batch(desk.admin)
    assert set(letters) == {"settled_in_full"}
    assert made.dropped == {"superseded": 1, "offer_fulfilled": 1}
    assert letters["settled_in_full"]["data"]["settlement_cents"] == 80_000
    assert again["payment_id"] != first["payment_id"]


async def test_settled_again_after_a_night_reopened_gets_its_letter(desk: Desk) -> None:
    account_id = await desk.account()
    offer = await desk.offer(account_id, kind="lump_sum", amount_cents=80_000)
    first = await desk.pay(account_id, 80_000, offer_id=offer["offer_id"])
    await desk.admin.post(
        f"/api/v1/payments/{first['payment_id']}/reversal", json={"reason": "NSF"}
    )
    night = await service.make_batch()
    assert night.dropped == {"account_active": 1}
    await desk.pay(account_id, 80_000, offer_id=offer["offer_id"])
    made, letters = await _batch(desk.admin)
    assert "settled_in_full" in letters
    assert made.dropped == {"offer_fulfilled": 1}
