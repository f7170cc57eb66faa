"""Every collector's queue as a supervisor reads it, each person with the score's parts
in words, and the dispatcher run from the collectors' page; neither is a collector's."""

from __future__ import annotations

import asyncpg

from tests.workspace.conftest import Browser, Floor, NewBrowser


async def _signed_in(staff_browser: NewBrowser, username: str | None) -> Browser:
    b = await staff_browser()
    assert (await b.sign_in(username or "")).status_code == 303
    return b


async def test_a_supervisor_reads_each_queue_with_its_score_sentences(
    staff_browser: NewBrowser, floor: Floor
) -> None:
    supervisor = await _signed_in(staff_browser, floor.supervisor.username)
    collectors = (await supervisor.get("/workspace/collectors")).text
    queue_url = f"/workspace/collectors/{floor.collector.user_id}/queue"
    assert f'href="{queue_url}"' in collectors
    queue = await supervisor.get(queue_url)
    assert queue.status_code == 200
    page = queue.text
    assert f"{floor.collector.username}'s queue" in page
    assert floor.account["client_account_number"] in page
    assert "$1,000.00" in page
    # The account detail's sentences (server/dispatch/scoring.parts), not bare numbers.
    assert "base rate" in page
    assert "contactability" in page
    assert "weeks since the delinquency date" in page
    missing = await supervisor.get(f"/workspace/collectors/{floor.supervisor.user_id}/queue")
    assert missing.status_code == 404


async def test_the_dispatcher_runs_from_the_collectors_page(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    supervisor = await _signed_in(staff_browser, floor.supervisor.username)
    before = await owner_db.fetchval(
        "SELECT count(*) FROM audit_event WHERE action = 'queues.dispatch'"
    )
    ran = await supervisor.post_form("/workspace/dispatch")
    assert ran.status_code == 303, ran.text
    assert ran.headers["location"].startswith("/workspace/collectors?scored=")
    page = (await supervisor.get(ran.headers["location"])).text
    assert "The dispatcher ran: 1 open account rescored, 1 person in the queues now." in page
    after = await owner_db.fetchval(
        "SELECT count(*) FROM audit_event WHERE action = 'queues.dispatch'"
    )
    assert after == before + 1


async def test_a_collector_neither_reads_queues_nor_runs_the_dispatcher(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    collector = await _signed_in(staff_browser, floor.collector.username)
    before = await owner_db.fetchval("SELECT count(*) FROM audit_event")
    assert (await collector.post_form("/workspace/dispatch")).status_code == 403
    assert await owner_db.fetchval("SELECT count(*) FROM audit_event") == before
    queue = await collector.get(f"/workspace/collectors/{floor.collector.user_id}/queue")
    assert queue.status_code == 403
