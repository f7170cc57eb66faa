"""The portal's channel with the agency: a message written on an account's page reaches
the agency and the answer comes back (with an unread count in the navigation), no other
client sees either, and each user chooses their e-mail notices on the settings page."""

from __future__ import annotations

import re

from tests.client_portal.conftest import PortalWorld

_UNREAD = re.compile(r'<span class="count" aria-label="(\d+) unread">')


def unread_in_nav(html: str) -> int:
    found = _UNREAD.search(html)
    return int(found.group(1)) if found else 0


async def test_a_message_reaches_the_agency_and_the_answer_comes_back(
    portal_world: PortalWorld,
) -> None:
    a, b, world = portal_world.a, portal_world.b, portal_world.world
    account_id = world.a.account["id"]
    page_url = f"/portal/accounts/{account_id}"
    sent = await a.post_form(f"{page_url}/messages", {"body": "Why 50 %? Portal-7261"})
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"{page_url}?done=sent#messages"
    shown = await a.get(page_url + "?done=sent")
    assert "Portal-7261" in shown.text
    assert "Your message is sent" in shown.text

    # The agency reads it, and answers.
    thread = await world.admin.get(f"/api/v1/accounts/{account_id}/messages")
    assert "Portal-7261" in thread.text
    answer = await world.supervisor.post(
        f"/api/v1/accounts/{account_id}/messages",
        json={"body": "The consumer lost a job. Agency-5530"},
    )
    assert answer.status_code == 201, answer.text

    inbox = await a.get("/portal/messages")
    assert unread_in_nav(inbox.text) == 1
    assert world.a.account["client_account_number"] in inbox.text
    assert "1 new" in inbox.text
    opened = await a.get(page_url)
    assert "Agency-5530" in opened.text
    assert "New" in opened.text
    # Read once seen.
    assert unread_in_nav((await a.get("/portal/messages")).text) == 0

    # Client B sees neither, and cannot write there.
    for url in ("/portal/messages", f"/portal/accounts/{world.b.account['id']}"):
        text = (await b.get(url)).text
        assert "Portal-7261" not in text
        assert "Agency-5530" not in text
    assert (await b.post_form(f"{page_url}/messages", {"body": "x"})).status_code == 404
    assert (await b.get(page_url)).status_code == 404


async def test_a_blank_message_is_refused_on_the_page(portal_world: PortalWorld) -> None:
    placement = portal_world.world.a.account["placement_id"]
    refused = await portal_world.a.post_form(
        f"/portal/placements/{placement}/messages", {"body": "   "}
    )
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text
    assert "must not be blank" in refused.text


async def test_notice_settings_are_saved_and_checked(portal_world: PortalWorld) -> None:
    a = portal_world.a
    page = await a.get("/portal/settings")
    assert page.status_code == 200
    assert "Tell me when" in page.text
    bad = await a.post_form("/portal/settings", {"email": "not an address", "kind": ["message"]})
    assert bad.status_code == 422
    assert "must be one e-mail address" in bad.text
    saved = await a.post_form(
        "/portal/settings", {"email": "ops@a.example", "kind": ["message", "statement_issued"]}
    )
    assert saved.status_code == 303
    shown = (await portal_world.world.a.user.get("/api/v1/me/notices")).json()
    assert shown["email"] == "ops@a.example"
    assert sorted(k["kind"] for k in shown["kinds"] if k["switched_on"]) == [
        "message",
        "statement_issued",
    ]


async def test_an_offer_awaiting_the_client_shows_the_collectors_reason(
    portal_world: PortalWorld,
) -> None:
    side = portal_world.world.a
    await side.collector.post(f"/api/v1/offers/{portal_world.a_offer}/withdraw", json={})
    made = await side.collector.post(
        f"/api/v1/accounts/{side.account['id']}/offers",
        json={"kind": "lump_sum", "amount_cents": int(side.account["balance_cents"]) // 2,
              "reason": "Hardship: Reason-4410"},
    )  # fmt: skip
    assert made.status_code == 201
    assert made.json()["reason"] == "Hardship: Reason-4410"
    page = await portal_world.a.get("/portal/approvals")
    assert "The collector's reason:" in page.text
    assert "Hardship: Reason-4410" in page.text
    assert "Reason-4410" not in (await portal_world.b.get("/portal/approvals")).text
