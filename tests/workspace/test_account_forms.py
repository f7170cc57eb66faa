"""The account screen's forms over HTTP: an offer with its band before and after sending,
a payment (once per rendering of its form), status actions, the consumer's contact
preferences; each refusal in words next to its field, and nothing written by it."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from uuid import UUID

import asyncpg

from server.kit import clock
from tests.fixtures import MakeAccount, MakeClient
from tests.workspace.conftest import Browser, Floor, NewBrowser


async def _collector(staff_browser: NewBrowser, floor: Floor) -> tuple[Browser, str]:
    b = await staff_browser()
    assert (await b.sign_in(floor.collector.username or "")).status_code == 303
    return b, f"/workspace/accounts/{floor.account['id']}"


async def _count(owner_db: asyncpg.Connection, table: str) -> int:
    return int(await owner_db.fetchval(f"SELECT count(*) FROM {table}"))


async def test_the_band_shows_before_an_offer_and_its_reasons_after(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b, url = await _collector(staff_browser, floor)
    screen = (await b.get(url)).text
    # The balance is $1,000.00 and the collector's band starts at 80 %.
    assert "Settlement authority, yours:" in screen
    assert "at least $800.00 (80 % of $1,000.00)" in screen
    sent = await b.post_form(f"{url}/offers", {"kind": "lump_sum", "amount": "700"})
    assert sent.status_code == 303, sent.text
    assert "offer=" in sent.headers["location"]
    after = (await b.get(sent.headers["location"])).text
    assert "Offer sent to a supervisor" in after
    assert "Beyond your band: a supervisor decides." in after
    assert "settles 70 %" in after
    assert "&lt; the collector&#39;s 80 %" in after or "< the collector's 80 %" in after
    row = await owner_db.fetchrow("SELECT status, amount_cents, created_by FROM offer")
    assert row is not None
    assert (row["status"], row["amount_cents"]) == ("pending_supervisor", 70_000)
    assert str(row["created_by"]) == floor.collector.user_id
    # One live offer per account: a second is refused in words, and nothing is written.
    again = await b.post_form(
        f"{url}/offers", {"kind": "lump_sum", "amount": "900", "reason": "a second try"}
    )
    assert again.status_code == 409
    assert "Not done: the account already has a pending or accepted offer." in again.text
    assert await _count(owner_db, "offer") == 1
    # Nor its reason: the reason is the offer's own.
    assert await owner_db.fetchval("SELECT count(*) FROM offer WHERE reason IS NOT NULL") == 0
    too_long = await b.post_form(
        f"{url}/offers", {"kind": "lump_sum", "amount": "900", "reason": "x" * 501}
    )
    assert too_long.status_code == 422
    assert "Why: Expected `str` of length &lt;= 500" in too_long.text


async def test_a_plan_inside_the_band_is_accepted_with_its_schedule(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b, url = await _collector(staff_browser, floor)
    first = clock.agency_today() + timedelta(days=3)
    sent = await b.post_form(
        f"{url}/offers",
        {"kind": "plan", "amount": "900.01", "count": "3", "first_due": first.isoformat(),
         "every": "two_weeks"},
    )  # fmt: skip
    assert sent.status_code == 303, sent.text
    after = (await b.get(sent.headers["location"])).text
    assert "Offer accepted" in after
    assert "$900.01 plan in 3 instalments" in after
    rows = await owner_db.fetch("SELECT due_date, amount_cents FROM offer_installment ORDER BY seq")
    assert [r["amount_cents"] for r in rows] == [30_001, 30_000, 30_000]
    assert [r["due_date"] for r in rows] == [first + timedelta(days=14 * i) for i in range(3)]


async def test_a_bad_offer_names_each_field_and_writes_nothing(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b, url = await _collector(staff_browser, floor)
    refused = await b.post_form(f"{url}/offers", {"kind": "plan", "amount": "12,34x"})
    assert refused.status_code == 422
    html = refused.text
    assert "Amount: must be an amount of dollars above zero, such as 250.00" in html
    assert "Instalments: is required" in html
    assert "First due: is required" in html
    assert 'id="offer-amount-error"' in html
    assert 'aria-describedby="offer-amount-error"' in html
    assert 'value="12,34x"' in html  # what was typed is kept
    # A schedule the rules refuse: its first instalment before today, named by its field.
    yesterday = clock.agency_today() - timedelta(days=1)
    early = await b.post_form(
        f"{url}/offers",
        {"kind": "plan", "amount": "900", "count": "2", "first_due": yesterday.isoformat(),
         "every": "month"},
    )  # fmt: skip
    assert early.status_code == 422
    assert "First due: must not be before the offer date" in early.text
    assert await _count(owner_db, "offer") == 0


async def test_a_payment_is_recorded_once_per_form(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b, url = await _collector(staff_browser, floor)
    screen = (await b.get(url)).text
    key = re.search(r'name="key" value="([^"]+)"', screen)
    assert key is not None
    fields = {
        "amount": "$50.00", "method": "card", "paid_to": "agency",
        "received_on": clock.agency_today().isoformat(), "key": key.group(1),
        "reference": "auth 55501",
    }  # fmt: skip
    sent = await b.post_form(f"{url}/payments", fields)
    assert sent.status_code == 303, sent.text
    after = (await b.get(sent.headers["location"])).text
    assert "Payment recorded" in after
    assert "the balance is now $950.00" in after
    # The same form sent again (a double click, a reload): the first answer, one payment.
    twice = await b.post_form(f"{url}/payments", fields)
    assert twice.status_code == 303
    assert twice.headers["location"] == sent.headers["location"]
    assert await _count(owner_db, "payment") == 1


async def test_a_bad_payment_names_each_field_and_writes_nothing(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b, url = await _collector(staff_browser, floor)
    tomorrow = clock.agency_today() + timedelta(days=1)
    refused = await b.post_form(
        f"{url}/payments", {"amount": "0", "paid_to": "agency", "received_on": tomorrow.isoformat()}
    )
    assert refused.status_code == 422
    html = refused.text
    assert "Amount: must be an amount of dollars above zero" in html
    assert "Method: is required" in html
    assert "Received on: must not be after today" in html
    # A card number is never taken, wherever it is typed.
    card = await b.post_form(
        f"{url}/payments",
        {"amount": "5", "method": "card", "paid_to": "agency",
         "received_on": clock.agency_today().isoformat(), "notes": "4111 1111 1111 1111"},
    )  # fmt: skip
    assert card.status_code == 422
    assert "4111 1111 1111 1111" not in card.text
    assert await _count(owner_db, "payment") == 0


async def test_status_actions_with_reason_channel_and_evidence(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b, url = await _collector(staff_browser, floor)
    missing = await b.post_form(f"{url}/status", {"action": "bankruptcy", "channel": "written"})
    assert missing.status_code == 422
    assert "Reason: is required" in missing.text
    assert "Case number: is required" in missing.text
    assert "Filing date: is required" in missing.text
    assert '<details class="evidence" open>' in missing.text
    assert await _count(owner_db, "account_status_change") == 0
    disputed = await b.post_form(
        f"{url}/status",
        {"action": "dispute", "channel": "oral", "reason": "Says the debt is not theirs"},
    )
    assert disputed.status_code == 303, disputed.text
    after = (await b.get(disputed.headers["location"])).text
    assert "The status action is recorded." in after
    assert "Disputed since" in after
    # An oral dispute marks the debt disputed and blocks nothing (server.disputes.rules).
    status, disputed_since = await owner_db.fetchrow(
        "SELECT status, disputed_since FROM account WHERE id = $1", UUID(floor.account["id"])
    )
    assert (status, disputed_since is not None) == ("active", True)
    for _ in range(2):
        again = await b.post_form(
            f"{url}/status", {"action": "cease", "channel": "written", "reason": "Letter: stop"}
        )
    assert again.status_code == 409
    assert "Not done: a cease_communication block is already in force." in again.text
    # Lifting a block is a supervisor's: the page offers a collector no such action.
    lift = await b.post_form(
        f"{url}/status", {"action": "active", "channel": "oral", "reason": "x"}
    )
    assert lift.status_code == 422
    assert "Action: choose what the consumer" in lift.text


async def test_contact_preferences_bind_the_person(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b, url = await _collector(staff_browser, floor)
    phone_id = await owner_db.fetchval("SELECT id FROM debtor_phone WHERE e164 = $1", floor.phone)
    mobile_ban = await b.post_form(
        f"{url}/phone-status",
        {"phone_id": str(phone_id), "employer": "forbids", "reason": "Said so", "channel": "oral"},
    )  # fmt: skip
    assert mobile_ban.status_code == 422
    assert "Work number: " in mobile_ban.text
    nothing = await b.post_form(f"{url}/phone-status", {"phone_id": str(phone_id)})
    assert nothing.status_code == 422
    assert "Reason: is required" in nothing.text
    assert "Channel: is required" in nothing.text
    dnc = await b.post_form(
        f"{url}/phone-status",
        {"phone_id": str(phone_id), "status": "do_not_call", "reason": "Asked not to be called",
         "channel": "oral"},
    )  # fmt: skip
    assert dnc.status_code == 303, dnc.text
    assert (
        await owner_db.fetchval("SELECT status FROM debtor_phone WHERE id = $1", phone_id)
        == "do_not_call"
    )
    screen = (await b.get(dnc.headers["location"])).text
    assert "The consumer asked not to be called on this number" in screen

    bad_time = await b.post_form(
        f"{url}/inconvenient-times", {"from": "09:00", "to": "09:00", "channel": "oral"}
    )
    assert bad_time.status_code == 422
    assert "Days: tick at least one day" in bad_time.text
    for start, end in (("12:00", "13:00"), ("18:30", "20:00")):
        added = await b.post_form(
            f"{url}/inconvenient-times",
            {"days": ["mon", "fri"], "from": start, "to": end, "channel": "oral"},
        )
        assert added.status_code == 303, added.text
    times = json.loads(
        await owner_db.fetchval(
            "SELECT inconvenient_times FROM debtor WHERE id = $1", UUID(floor.account["debtor_id"])
        )
    )
    assert sorted((t["weekdays"], t["start"], t["end"]) for t in times) == [
        ([0, 4], "12:00", "13:00"),
        ([0, 4], "18:30", "20:00"),
    ]
    same = await b.post_form(
        f"{url}/inconvenient-times",
        {"days": ["sun"], "from": "10:00", "to": "10:00", "channel": "oral"},
    )
    assert same.status_code == 422
    assert "To: must differ from `from`" in same.text
    cleared = await b.post_form(f"{url}/inconvenient-times", {"clear": "1", "channel": "oral"})
    assert cleared.status_code == 303
    assert await owner_db.fetchval(
        "SELECT inconvenient_times FROM debtor WHERE id = $1", UUID(floor.account["debtor_id"])
    ) in ("[]", [])

    no_medium = await b.post_form(f"{url}/media-refusals", {"channel": "written"})
    assert no_medium.status_code == 422
    assert "Medium: is required" in no_medium.text
    refused = await b.post_form(
        f"{url}/media-refusals", {"medium": "telephone", "channel": "written"}
    )
    assert refused.status_code == 303
    assert await owner_db.fetchval(
        "SELECT no_telephone FROM debtor WHERE id = $1", UUID(floor.account["debtor_id"])
    )
    screen = (await b.get(refused.headers["location"])).text
    assert "The refusal is recorded." in screen
    assert "The consumer asked not to be called at all" in screen


async def test_another_portfolios_account_takes_no_form(
    staff_browser: NewBrowser, floor: Floor, make_client: MakeClient, make_account: MakeAccount
) -> None:
    other_client = await make_client()
    other = await make_account(other_client["client_id"])
    b, _ = await _collector(staff_browser, floor)
    url = f"/workspace/accounts/{other['id']}"
    for path, fields in (
        ("offers", {"kind": "lump_sum", "amount": "900"}),
        ("payments", {"amount": "5", "method": "cash", "paid_to": "agency",
                      "received_on": clock.agency_today().isoformat(), "key": "k-1"}),
        ("status", {"action": "dispute", "channel": "oral", "reason": "x"}),
        ("media-refusals", {"medium": "email", "channel": "oral"}),
    ):  # fmt: skip
        response = await b.post_form(f"{url}/{path}", fields)
        assert response.status_code == 404, (path, response.status_code)


async def test_a_pending_offer_is_withdrawn_and_another_made(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b, url = await _collector(staff_browser, floor)
    assert (
        await b.post_form(f"{url}/offers", {"kind": "lump_sum", "amount": "700"})
    ).status_code == 303
    offer_id = await owner_db.fetchval("SELECT id FROM offer")
    screen = (await b.get(url)).text
    assert "Withdraw" in screen
    bad = await b.post_form(f"{url}/offer-withdrawals", {"offer_id": "nonsense"})
    assert bad.status_code == 422
    assert "Withdraw: choose an offer of this account" in bad.text
    out = await b.post_form(
        f"{url}/offer-withdrawals", {"offer_id": str(offer_id), "reason": "He found the money"}
    )
    assert out.status_code == 303, out.text
    assert "The offer is withdrawn" in (await b.get(out.headers["location"])).text
    assert await owner_db.fetchval("SELECT status FROM offer") == "withdrawn"
    again = await b.post_form(f"{url}/offer-withdrawals", {"offer_id": str(offer_id)})
    assert again.status_code == 409
    assert "only a pending offer is withdrawn" in again.text
    assert (
        await b.post_form(f"{url}/offers", {"kind": "lump_sum", "amount": "850"})
    ).status_code == 303


async def test_a_written_dispute_keeps_the_day_it_was_received(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b, url = await _collector(staff_browser, floor)
    today = clock.agency_today()
    fields = {"action": "dispute", "channel": "written", "reason": "Letter: not my debt"}
    later = await b.post_form(
        f"{url}/status", {**fields, "received_on": (today + timedelta(days=1)).isoformat()}
    )
    assert later.status_code == 422
    assert "Received on: must not be after today" in later.text
    day = today - timedelta(days=3)
    sent = await b.post_form(f"{url}/status", {**fields, "received_on": day.isoformat()})
    assert sent.status_code == 303, sent.text
    received = await owner_db.fetchval("SELECT received_at FROM account_status_change")
    assert received == clock.start_of_day(day, clock.agency_zone())


async def test_a_dispute_on_record_is_not_lifted_by_a_supervisor_nor_a_collector(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b, url = await _collector(staff_browser, floor)
    label = "Dispute a client&#39;s file reported: verified (lifts it)"
    assert label not in (await b.get(url)).text
    disputed = await b.post_form(
        f"{url}/status", {"action": "dispute", "channel": "written", "reason": "Letter"}
    )
    assert disputed.status_code == 303, disputed.text
    # The account screen shows the verification request the dispute opened.
    screen = (await b.get(url)).text
    assert "Verification request" in screen
    lift = {"action": "verification", "channel": "written", "reason": "Verification mailed"}
    refused = await b.post_form(f"{url}/status", lift)
    assert refused.status_code == 403
    assert "Not permitted: your role may not record a verification." in refused.text
    supervisor = await staff_browser()
    assert (await supervisor.sign_in(floor.supervisor.username or "")).status_code == 303
    assert label in (await supervisor.get(url)).text
    consent = await supervisor.post_form(
        f"{url}/status", {"action": "consent", "channel": "written", "reason": "x"}
    )
    assert consent.status_code == 422
    assert "Document reference: is required" in consent.text
    # The dispute on record lifts when its verification letter is mailed, and says so.
    kept = await supervisor.post_form(f"{url}/status", lift)
    assert kept.status_code == 409, kept.text
    assert "is recorded mailed, not by this action" in kept.text
    status = await owner_db.fetchval(
        "SELECT status FROM account WHERE id = $1", UUID(floor.account["id"])
    )
    assert status == "disputed"
