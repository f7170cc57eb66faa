"""A refill deals into a table of its own and swaps the result in only at the end of its
transaction: while it deals, collectors claim and record calls without waiting on it,
and what they did wins over what it dealt."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

import asyncpg

from server.dispatch import repository, score_repository, scoring
from server.dispatch.service import CONTIGUOUS
from server.kit import clock, db
from server.kit.settings import get_settings
from tests.dispatch.test_work_queue import dispatch, everyone_in, zone_at
from tests.fixtures import MakeAccount, MakeClient, MakeUser, record_call

# Long enough for a request on a loaded machine; a claim that waits on the refill's locks
# waits until the refill ends, which here is never before the claim answers.
FLOOR_S = 60


async def test_the_floor_works_on_while_a_refill_deals_and_what_it_did_wins(
    make_client: MakeClient, make_user: MakeUser, make_account: MakeAccount,
    owner_db: asyncpg.Connection,
) -> None:  # fmt: skip
    client = await make_client()
    collector = await make_user("collector", client_ids=[client["client_id"]], capacity=5)
    supervisor = await make_user("supervisor")
    for n in range(3):
        await make_account(client["client_id"], phones=[("mobile", f"+1614555{n + 310:04d}")])
    await everyone_in(owner_db, zone_at(14))
    await dispatch(supervisor)
    queued = (await collector.get("/api/v1/queues/me")).json()["items"]
    assert len(queued) == 3

    dealt, floor_done = asyncio.Event(), asyncio.Event()

    async def refill() -> None:
        now = clock.now()
        async with db.transaction():
            await repository.lock_dispatch()
            await score_repository.rescore(
                now, scoring.configured_weights(get_settings()), since=None
            )
            await repository.stage_queues(now)
            await repository.work_out_reach(now, CONTIGUOUS, [now + timedelta(minutes=15)])
            while await repository.deal_round():
                pass
            dealt.set()
            await floor_done.wait()
            await repository.swap_queues(now)

    # Its own task: the refill's transaction is not the floor's.
    refilling = asyncio.create_task(refill())
    await asyncio.wait_for(dealt.wait(), FLOOR_S)
    taken = await asyncio.wait_for(collector.post("/api/v1/queues/me/next"), FLOOR_S)
    assert taken.status_code == 200, taken.text
    leased = taken.json()["account"]["account_id"]
    [called] = [
        i["accounts"][0]["account_id"] for i in queued if i["accounts"][0]["account_id"] != leased
    ][:1]
    await asyncio.wait_for(
        record_call(collector, called, clock.now().isoformat(), "no_answer"), FLOOR_S
    )
    floor_done.set()
    await asyncio.wait_for(refilling, FLOOR_S)

    after = {
        i["accounts"][0]["account_id"]: i
        for i in (await collector.get("/api/v1/queues/me")).json()["items"]
    }
    # Leased during the refill: still the collector's, still leased.
    assert leased in after
    held = await owner_db.fetchval(
        "SELECT leased_until IS NOT NULL FROM queue_item WHERE $1 = ANY (account_ids)",
        UUID(leased),
    )
    assert held is True
    # Called during the refill: not queued again by it.
    assert called not in after
    assert len(after) == 2
