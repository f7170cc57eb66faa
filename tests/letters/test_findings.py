"""A validation notice is due within five days after the initial communication (12 CFR
1006.34(a)(1)(i)): an account whose first conversation, or first letter other than the
notice, was more than five days ago with no notice mailed is a finding for supervisors."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from server.kit import clock
from server.letters import service
from server.letters.end_date import planned_mailing_date
from server.letters.findings import first_late_day
from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser, new_key


def test_five_days_after_is_still_in_time() -> None:
    today = date(2026, 12, 7)
    assert first_late_day(today) == date(2026, 12, 2)
    # First communication on 2026-12-01: six days ago, late; on 2026-12-02: five, in time.
    assert date(2026, 12, 1) < first_late_day(today) <= date(2026, 12, 2)


async def _call(collector: Caller, account_id: str, days_ago: int, outcome: str) -> None:
    # 15:00 UTC is the same date in the agency's zone (America/New_York).
    day = clock.agency_today() - timedelta(days=days_ago)
    started = datetime.combine(day, time(15, 0), tzinfo=UTC)
    body: dict[str, Any] = {"phone": "+16145550199", "direction": "outbound",
                            "started_at": started.isoformat(), "duration_s": 60,
                            "outcome": outcome}  # fmt: skip
    response = await collector.post(f"/api/v1/accounts/{account_id}/calls", json=body)
    assert response.status_code == 201, response.text


async def test_late_notices_are_findings(
    admin: Caller,
    make_user: MakeUser,
    make_client: MakeClient,
    make_account: MakeAccount,
    owner_db: asyncpg.Connection,
) -> None:
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]])
    late, in_time, message_only, noticed, six = [
        str((await make_account(client["client_id"]))["id"]) for _ in range(5)
    ]
    await _call(collector, late, 10, "right_party_contact")
    await _call(collector, in_time, 5, "right_party_contact")
    await _call(collector, message_only, 10, "left_message")
    await _call(collector, noticed, 10, "right_party_contact")
    await _call(collector, six, 6, "refused")
    await owner_db.execute(
        "UPDATE account SET validation_notice_sent_on = $2 WHERE id = $1",
        UUID(noticed),
        clock.agency_today() - timedelta(days=9),
    )
    supervisor = await make_user("supervisor")
    response = await supervisor.get("/api/v1/letter-findings")
    assert response.status_code == 200, response.text
    assert [(f["account_id"], f["days_since"]) for f in response.json()] == [(late, 10), (six, 6)]
    assert (await collector.get("/api/v1/letter-findings")).status_code == 403


async def test_a_letter_other_than_the_notice_is_a_first_communication(
    admin: Caller, make_client: MakeClient, make_account: MakeAccount
) -> None:
    client = await make_client()
    account_id = str((await make_account(client["client_id"]))["id"])
    paid = await admin.post(
        f"/api/v1/accounts/{account_id}/payments",
        headers={"Idempotency-Key": new_key()},
        json={"amount_cents": 100_000, "method": "ach", "paid_to": "agency",
              "received_at": clock.agency_today().isoformat()},
    )  # fmt: skip
    assert paid.status_code == 201, paid.text
    # The paid-in-full letter made twelve days ago, mailed on its planned day.
    made_at = clock.now() - timedelta(days=12)
    with clock.running_from(made_at):
        made = await service.make_batch()
    assert made.batch is not None
    index = await admin.get(f"/api/v1/letter-batches/{made.batch.batch_id}.csv")
    [row] = index.text.splitlines()[1:]
    mailed = planned_mailing_date(clock.agency_date(made_at))
    body = f"letter_id,mailed_on,returned_on,reason\r\n{row.split(',')[0]},{mailed},,\r\n"
    imported = await admin.post(
        "/api/v1/letter-returns", content=body, headers={"Content-Type": "text/csv"}
    )
    assert imported.json()["mailed"] == 1, imported.text
    findings = (await admin.get("/api/v1/letter-findings")).json()
    assert [(f["account_id"], f["days_since"]) for f in findings] == [
        (account_id, (clock.agency_today() - mailed).days)
    ]
