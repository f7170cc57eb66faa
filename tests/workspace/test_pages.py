"""A collector's shift in the workspace over HTTP: sign in, the queue, next account, the
account screen, a call recorded with its findings, release; and what others may not do."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import pytest

from server.kit.settings import get_settings
from tests.dispatch.test_work_queue import everyone_in, zone_at
from tests.fixtures import MakeAccount, MakeClient, MakeUser
from tests.workspace.conftest import Browser, Floor, NewBrowser


async def _signed_in(staff_browser: NewBrowser, username: str | None) -> Browser:
    b = await staff_browser()
    response = await b.sign_in(username or "")
    assert response.status_code == 303, response.text
    return b


async def test_a_collectors_shift_next_call_and_its_findings(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b = await _signed_in(staff_browser, floor.collector.username)
    queue = await b.get("/workspace/queue")
    assert queue.status_code == 200
    assert floor.account["client_account_number"] in queue.text
    assert "Next account" in queue.text
    taken = await b.post_form("/workspace/next")
    assert taken.status_code == 303
    url = taken.headers["location"]
    assert url == f"/workspace/accounts/{floor.account['id']}"
    screen = await b.get(url)
    assert screen.status_code == 200
    html = screen.text
    assert "Callable now" in html
    assert floor.phone in html
    # make_account mails no validation notice: the screen says so rather than guess a date.
    assert "Validation notice not yet mailed" in html
    assert "Consumer&#39;s time" in html or "Consumer's time" in html
    assert "No call recorded yet." in html
    # Before the first communication, and with no notice mailed: the full disclosure.
    assert "This is the initial communication" in html
    assert "12 CFR 1006.18(e)(1)" in html
    assert "Regulation F: 0 of 7 calls in 7 days placed; 7 left." in html
    assert "Settlement authority" in html
    recorded = await b.post_form(
        f"{url}/calls",
        {"phone": floor.phone, "outcome": "right_party_contact", "duration_min": "4",
         "notes": "Discussed a plan <b>soon</b>"},
    )  # fmt: skip
    assert recorded.status_code == 303, recorded.text
    after = await b.get(recorded.headers["location"])
    assert "Call recorded" in after.text
    # The notes are shown as text, never as markup.
    assert "Discussed a plan &lt;b&gt;soon&lt;/b&gt;" in after.text
    # After a conversation Regulation F allows no call for 7 days: the verdict turns at once.
    assert "Not callable now" in after.text
    assert "A conversation in the last seven days (Regulation F)" in after.text
    assert "Say that the call is from a debt collector." in after.text
    assert "its 7-day block ends before" in after.text
    call = await owner_db.fetchrow(
        "SELECT outcome, duration_s, collector_id FROM call WHERE account_id = $1",
        UUID(floor.account["id"]),
    )
    assert call is not None
    assert (call["outcome"], call["duration_s"]) == ("right_party_contact", 240)
    assert str(call["collector_id"]) == floor.collector.user_id


async def test_a_call_form_with_no_outcome_names_the_field(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b = await _signed_in(staff_browser, floor.collector.username)
    url = f"/workspace/accounts/{floor.account['id']}"
    refused = await b.post_form(f"{url}/calls", {"phone": floor.phone, "notes": "kept"})
    assert refused.status_code == 422
    assert "Outcome: choose how the call ended" in refused.text
    assert "kept" in refused.text  # what was typed is not lost
    too_long = await b.post_form(
        f"{url}/calls", {"phone": floor.phone, "outcome": "no_answer", "duration_min": "2000"}
    )
    assert too_long.status_code == 422
    assert "between 0 and 1440 minutes" in too_long.text
    assert await owner_db.fetchval("SELECT count(*) FROM call") == 0


async def test_release_gives_the_account_back(staff_browser: NewBrowser, floor: Floor) -> None:
    b = await _signed_in(staff_browser, floor.collector.username)
    taken = await b.post_form("/workspace/next")
    released = await b.post_form(f"{taken.headers['location']}/release")
    assert released.headers["location"] == "/workspace/queue?done=released"
    assert "released back to your queue" in (await b.get(released.headers["location"])).text
    again = await b.post_form(f"{taken.headers['location']}/release")
    assert again.headers["location"] == "/workspace/queue?done=not-leased"


async def test_a_queue_with_no_one_callable_says_when(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    await everyone_in(owner_db, zone_at(3))  # 3 a.m. where the consumer is
    b = await _signed_in(staff_browser, floor.collector.username)
    empty = await b.post_form("/workspace/next")
    assert empty.status_code == 200
    assert "Nothing in your queue may be called right now." in empty.text
    assert "The soonest becomes callable at" in empty.text
    screen = await b.get(f"/workspace/accounts/{floor.account['id']}")
    assert "Not callable now" in screen.text
    assert "Outside the consumer&#39;s calling hours" in screen.text


async def test_search_finds_an_account(staff_browser: NewBrowser, floor: Floor) -> None:
    b = await _signed_in(staff_browser, floor.collector.username)
    number = floor.account["client_account_number"]
    found = await b.get("/workspace/search", params={"q": number})
    assert f'href="/workspace/accounts/{floor.account["id"]}"' in found.text
    supervisor = await _signed_in(staff_browser, floor.supervisor.username)
    assert number in (await supervisor.get("/workspace/search", params={"q": number})).text


async def test_roles_and_doors(staff_browser: NewBrowser, floor: Floor) -> None:
    supervisor = await _signed_in(staff_browser, floor.supervisor.username)
    home = await supervisor.get("/workspace/")
    assert home.headers["location"] == "/workspace/approvals"
    # Queues and leases are a collector's.
    refused = await supervisor.get("/workspace/queue")
    assert refused.status_code == 403
    assert "text/html" in refused.headers["content-type"]
    assert (await supervisor.post_form("/workspace/next")).status_code == 403
    # A supervisor reads the account screen too (every client is theirs).
    screen = await supervisor.get(f"/workspace/accounts/{floor.account['id']}")
    assert screen.status_code == 200
    assert "/release" not in screen.text
    assert "Next account" not in screen.text


async def test_client_users_and_staff_keep_to_their_doors(
    staff_browser: NewBrowser, floor: Floor, make_user: MakeUser
) -> None:
    client_user = await make_user("client", client_id=floor.client_id)
    b = await staff_browser()
    refused = await b.sign_in(client_user.username or "")
    assert refused.status_code == 403
    assert "for the agency&#39;s staff" in refused.text or "for the agency's staff" in refused.text
    # A staff member's cookie opens no portal page, and a portal cookie no workspace page.
    staff = await _signed_in(staff_browser, floor.collector.username)
    portal = await staff.get("/portal/dashboard")
    assert portal.status_code == 303
    assert portal.headers["location"].startswith("/portal/sign-in")


async def test_an_account_outside_the_portfolio_is_not_found(
    staff_browser: NewBrowser, floor: Floor, make_client: MakeClient, make_account: MakeAccount
) -> None:
    other_client = await make_client()
    other = await make_account(other_client["client_id"])
    b = await _signed_in(staff_browser, floor.collector.username)
    page = await b.get(f"/workspace/accounts/{other['id']}")
    assert page.status_code == 404
    assert "not yours to see" in page.text
    call = await b.post_form(
        f"/workspace/accounts/{other['id']}/calls", {"phone": floor.phone, "outcome": "busy"}
    )
    assert call.status_code == 404


@pytest.mark.parametrize("token", [None, "", "forged-token"])
async def test_every_form_refuses_a_missing_or_wrong_token(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection, token: str | None
) -> None:
    b = await _signed_in(staff_browser, floor.collector.username)
    account = f"/workspace/accounts/{floor.account['id']}"
    forms = {
        "/workspace/sign-out": {},
        "/workspace/next": {},
        f"{account}/calls": {"phone": floor.phone, "outcome": "busy"},
        f"{account}/release": {},
        f"{account}/offers": {"kind": "lump_sum", "amount": "900"},
        f"{account}/payments": {"amount": "5", "method": "cash", "paid_to": "agency",
                                "received_on": "2026-01-02", "key": "k"},
        f"{account}/status": {"action": "dispute", "channel": "oral", "reason": "x"},
        f"{account}/phone-status": {"status": "do_not_call", "channel": "oral", "reason": "x"},
        f"{account}/inconvenient-times": {"clear": "1", "channel": "oral"},
        f"{account}/media-refusals": {"medium": "email", "channel": "oral"},
        f"{account}/phones": {"number": "3129397362", "kind": "mobile", "channel": "oral"},
        f"{account}/address": {"address_line1": "1 Main St", "city": "Chicago",
                               "zip": "60601", "channel": "oral"},
        "/workspace/dispatch": {},
    }  # fmt: skip
    for url, fields in forms.items():
        data = fields if token is None else {**fields, "csrf_token": token}
        response = await b.post_form(url, data, csrf=False)
        assert response.status_code == 403, (url, response.status_code)
        assert "security token" in response.text
    assert await owner_db.fetchval("SELECT count(*) FROM call") == 0
    for table in ("offer", "payment", "account_status_change"):
        assert await owner_db.fetchval(f"SELECT count(*) FROM {table}") == 0, table
    assert (
        await owner_db.fetchval("SELECT count(*) FROM queue_item WHERE leased_until IS NOT NULL")
        == 0
    )
    # Still signed in: the refused sign-out did not sign out.
    assert (await b.get("/workspace/queue")).status_code == 200


async def test_sign_out_and_an_idle_session_go_back_to_sign_in(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    idle = await _signed_in(staff_browser, floor.collector.username)
    leaving = await _signed_in(staff_browser, floor.collector.username)
    await owner_db.execute(
        "UPDATE portal_session SET last_seen_at = now() - make_interval(secs => $1)"
        " WHERE id = (SELECT id FROM portal_session ORDER BY created_at LIMIT 1)",
        get_settings().workspace_idle_s + 5,
    )
    page = await idle.get("/workspace/queue")
    assert page.status_code == 303
    assert page.headers["location"] == "/workspace/sign-in?next=/workspace/queue&expired=1"
    assert "timed out" in (await idle.get(page.headers["location"])).text
    out = await leaving.post_form("/workspace/sign-out")
    assert out.headers["location"] == "/workspace/sign-in"
    assert (await leaving.get("/workspace/queue")).status_code == 303
    assert await owner_db.fetchval("SELECT count(*) FROM portal_session") == 1


async def test_a_session_ends_at_its_absolute_limit_however_active(
    staff_browser: NewBrowser, floor: Floor, owner_db: asyncpg.Connection
) -> None:
    b = await _signed_in(staff_browser, floor.collector.username)
    await owner_db.execute(
        "UPDATE portal_session SET created_at = now() - make_interval(secs => $1)",
        get_settings().workspace_absolute_s + 5,
    )
    assert (await b.get("/workspace/queue")).status_code == 303


async def test_the_session_cookie_is_the_workspaces_only(
    staff_browser: NewBrowser, floor: Floor
) -> None:
    b = await staff_browser()
    form = await b.get("/workspace/sign-in")
    assert "HttpOnly" in form.headers["set-cookie"]
    response = await b.sign_in(floor.collector.username or "")
    flags = response.headers["set-cookie"].lower()
    assert "workspace_session=ws_" in flags
    assert "path=/workspace;" in flags
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert "unsafe-inline" not in response.headers["content-security-policy"]
