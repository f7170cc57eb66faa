"""A supervisor's pages over HTTP: offers beyond a collector's band with their account's
context and the collector's reason, decided with a reason and never by the one who made
them; the week's rule findings in words; and none of it a collector's."""

from __future__ import annotations

import re
from uuid import UUID

import asyncpg

from server.queues.rules.explain import rule_sentence
from tests.dispatch.test_work_queue import everyone_in, zone_at
from tests.fixtures import MakeUser
from tests.workspace.conftest import Browser, Floor, NewBrowser


async def _signed_in(staff_browser: NewBrowser, username: str | None) -> Browser:
    b = await staff_browser()
    assert (await b.sign_in(username or "")).status_code == 303
    return b


async def test_a_supervisor_decides_a_collectors_offer_with_its_context(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    collector = await _signed_in(staff_browser, floor.collector.username)
    account = f"/workspace/accounts/{floor.account['id']}"
    sent = await collector.post_form(
        f"{account}/offers",
        {"kind": "lump_sum", "amount": "700", "reason": "Lost his job; his sister lends the sum"},
    )
    assert sent.status_code == 303, sent.text
    supervisor = await staff_browser()
    landed = await supervisor.sign_in(floor.supervisor.username or "")
    assert landed.headers["location"] == "/workspace/approvals"
    page = (await supervisor.get("/workspace/approvals")).text
    assert floor.account["client_account_number"] in page
    assert "$700.00 lump sum" in page
    assert "$1,000.00" in page
    assert "70 % of the balance" in page
    assert "settles 70 %" in page
    assert "Lost his job; his sister lends the sum" in page
    assert floor.collector.username in page
    offer_id = await owner_db.fetchval("SELECT id FROM offer")
    bare = await supervisor.post_form(f"/workspace/approvals/{offer_id}", {"decision": "accept"})
    assert bare.status_code == 422
    assert "Reason: say why, for the record" in bare.text
    assert await owner_db.fetchval("SELECT status FROM offer") == "pending_supervisor"
    decided = await supervisor.post_form(
        f"/workspace/approvals/{offer_id}", {"decision": "accept", "reason": "Verified hardship"}
    )
    assert decided.status_code == 303, decided.text
    assert "The offer is accepted." in (await supervisor.get(decided.headers["location"])).text
    row = await owner_db.fetchrow("SELECT status, decided_by, decision_reason FROM offer")
    assert row is not None
    assert (row["status"], row["decision_reason"]) == ("accepted", "Verified hardship")
    assert str(row["decided_by"]) == floor.supervisor.user_id
    # Decided once: a second decision is refused in words.
    again = await supervisor.post_form(
        f"/workspace/approvals/{offer_id}", {"decision": "reject", "reason": "late"}
    )
    assert again.status_code in (404, 409)


async def test_nobody_decides_their_own_offer(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    supervisor = await _signed_in(staff_browser, floor.supervisor.username)
    account = f"/workspace/accounts/{floor.account['id']}"
    sent = await supervisor.post_form(f"{account}/offers", {"kind": "lump_sum", "amount": "700"})
    assert sent.status_code == 303, sent.text
    page = (await supervisor.get("/workspace/approvals")).text
    assert "You made this offer: another supervisor decides it." in page
    offer_id = await owner_db.fetchval("SELECT id FROM offer")
    refused = await supervisor.post_form(
        f"/workspace/approvals/{offer_id}", {"decision": "accept", "reason": "mine"}
    )
    assert refused.status_code == 403
    assert "Not permitted: nobody decides an offer they made: another person must." in (
        refused.text
    )
    assert await owner_db.fetchval("SELECT status FROM offer") == "pending_supervisor"


async def test_findings_are_explained_in_words(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    await everyone_in(owner_db, zone_at(3))  # 3 a.m. where the consumer is
    collector = await _signed_in(staff_browser, floor.collector.username)
    call = await collector.post_form(
        f"/workspace/accounts/{floor.account['id']}/calls",
        {"phone": floor.phone, "outcome": "no_answer", "duration_min": "1"},
    )
    assert call.status_code == 303, call.text
    assert (
        await owner_db.fetchval(
            "SELECT count(*) FROM call WHERE account_id = $1", UUID(floor.account["id"])
        )
        == 1
    )
    supervisor = await _signed_in(staff_browser, floor.supervisor.username)
    page = await supervisor.get("/workspace/findings")
    assert page.status_code == 200
    html = page.text.replace("&#39;", "'")
    assert floor.account["client_account_number"] in html
    assert rule_sentence("outside_calling_hours") in html
    assert floor.collector.username in html
    # The dashboard above: the portfolio's call today, and this week.
    name = await owner_db.fetchval("SELECT name FROM client WHERE id = $1", UUID(floor.client_id))
    row = html.split(f"<td><strong>{name}</strong></td>")[1].split("</tr>")[0]
    assert '<td class="num">1 <span class="muted small">· 1</span></td>' in row


async def test_a_collector_has_no_supervisors_pages(
    staff_browser: NewBrowser, floor: Floor
) -> None:
    collector = await _signed_in(staff_browser, floor.collector.username)
    for url in ("/workspace/approvals", "/workspace/findings", "/workspace/collectors"):
        refused = await collector.get(url)
        assert refused.status_code == 403, url
        assert "text/html" in refused.headers["content-type"]
    queue = (await collector.get("/workspace/queue")).text
    assert "Offers to decide" not in queue
    forged = await collector.post_form(
        "/workspace/approvals/00000000-0000-4000-8000-000000000000",
        {"decision": "accept", "reason": "x"},
    )
    assert forged.status_code == 403


def _row_of(html: str, username: str) -> list[str]:
    row = re.search(
        rf"<tr>\s*<td class=\"name\">(?:<a [^>]*>)?<strong>{re.escape(username)}</strong>.*?</tr>",
        html,
        re.S,
    )
    assert row is not None, username
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row[0], re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


async def test_the_collectors_at_a_glance(staff_browser: NewBrowser, floor: Floor) -> None:
    supervisor = await _signed_in(staff_browser, floor.supervisor.username)
    before = _row_of(
        (await supervisor.get("/workspace/collectors")).text, floor.collector.username or ""
    )
    # One person queued of a capacity of 10, none leased, 9 spare; no call yet today.
    assert before[2:6] == ["1 / 10", "0", "9", "0"], before
    collector = await _signed_in(staff_browser, floor.collector.username)
    await collector.post_form(
        f"/workspace/accounts/{floor.account['id']}/calls",
        {"phone": floor.phone, "outcome": "no_answer", "duration_min": "1"},
    )
    after = _row_of(
        (await supervisor.get("/workspace/collectors")).text, floor.collector.username or ""
    )
    assert after[5] == "1", after


async def test_an_admin_reads_the_supervisors_pages_and_lands_on_search(
    staff_browser: NewBrowser, floor: Floor, make_user: MakeUser
) -> None:
    admin = await make_user("admin")
    b = await staff_browser()
    landed = await b.sign_in(admin.username or "")
    assert landed.headers["location"] == "/workspace/search"
    for url in ("/workspace/approvals", "/workspace/findings", "/workspace/collectors"):
        assert (await b.get(url)).status_code == 200, url
    assert floor.collector.username in (await b.get("/workspace/collectors")).text


async def test_a_supervisor_reads_the_open_disputes_with_their_verification(
    staff_browser: NewBrowser, floor: Floor
) -> None:
    made = await floor.collector.post(
        f"/api/v1/accounts/{floor.account['id']}/disputes",
        json={"channel": "written", "words": "Never mine"},
    )
    assert made.status_code == 201, made.text
    supervisor = await _signed_in(staff_browser, floor.supervisor.username)
    page = await supervisor.get("/workspace/disputes")
    assert page.status_code == 200
    assert floor.account["client_account_number"] in page.text
    assert re.search(r"Open, due \w{3} \d+, \d{4}", page.text), page.text
    collector = await _signed_in(staff_browser, floor.collector.username)
    assert (await collector.get("/workspace/disputes")).status_code == 403
