"""A collector's callbacks and promises: what consumers asked for on calls, listed soonest
first, done by the call that answers them; a supervisor reads any collector's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures import Caller, MakeAccount, MakeClient, MakeUser, record_call


class Desk:
    def __init__(self, collector: Caller, account_id: str) -> None:
        self.collector = collector
        self.account_id = account_id

    async def call(self, started_at: str, outcome: str = "no_answer", **extra: Any) -> None:
        await record_call(self.collector, self.account_id, started_at, outcome, **extra)

    async def work(self, who: Caller | None = None, url: str | None = None) -> list[dict[str, Any]]:
        response = await (who or self.collector).get(url or "/api/v1/queues/me/callbacks")
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


@pytest.fixture
async def desk(make_client: MakeClient, make_user: MakeUser, make_account: MakeAccount) -> Desk:
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]])
    account = await make_account(client["client_id"])
    return Desk(collector, str(account["id"]))


async def test_callbacks_and_promises_come_soonest_first(desk: Desk) -> None:
    await desk.call("2025-06-02T10:00:00-04:00", "callback",
                    callback_at="2025-06-04T15:00:00-04:00")  # fmt: skip
    await desk.call("2025-06-02T11:00:00-04:00", "promise_to_pay",
                    promise_amount_cents=5_000, promise_due_on="2025-06-03")  # fmt: skip
    work = await desk.work()
    assert [(w["kind"], w["due_at"]) for w in work] == [
        ("promise", "2025-06-03T04:00:00Z"),  # the start of 06-03 in New York
        ("callback", "2025-06-04T19:00:00Z"),
    ]
    assert work[0]["amount_cents"] == 5_000
    assert work[0]["due_on"] == "2025-06-03"
    assert all(w["due_now"] and w["client_account_number"] for w in work)


@pytest.mark.parametrize(("called_at", "done"), [("14:45", True), ("14:44", False)])
async def test_a_call_up_to_15_minutes_early_answers_the_callback(
    desk: Desk, called_at: str, done: bool
) -> None:
    await desk.call("2025-06-02T10:00:00-04:00", "callback",
                    callback_at="2025-06-04T15:00:00-04:00")  # fmt: skip
    await desk.call(f"2025-06-04T{called_at}:00-04:00")
    assert bool(await desk.work()) is not done


async def test_only_the_collector_and_supervisors_read_them(
    desk: Desk, make_user: MakeUser, admin: Caller
) -> None:
    await desk.call("2025-06-02T10:00:00-04:00", "callback",
                    callback_at="2025-06-04T15:00:00-04:00")  # fmt: skip
    other = await make_user("collector")
    assert await desk.work(other) == []
    supervisor = await make_user("supervisor")
    url = f"/api/v1/queues/{desk.collector.user_id}/callbacks"
    assert len(await desk.work(supervisor, url)) == 1
    assert len(await desk.work(admin, url)) == 1
    refused = await other.get(url)
    assert refused.status_code == 403
    unknown = await admin.get("/api/v1/queues/00000000-0000-4000-8000-000000000000/callbacks")
    assert unknown.status_code == 404
