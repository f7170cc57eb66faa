"""The channel through both doors: a message written in the portal reaches the agency's
workspace (the inbox, the unread count, the account screen) and the answer written there
reaches the portal, never another client; a placement's thread; the admins' e-mail
outbox."""

from __future__ import annotations

from typing import Any

from tests.client_portal.conftest import NewBrowser, PortalWorld, browser, portal_world  # noqa: F401 - the fixtures
from tests.client_portal.test_channel import unread_in_nav


async def test_portal_to_workspace_and_back(
    portal_world: PortalWorld,  # noqa: F811
    browser: NewBrowser,  # noqa: F811
) -> None:
    world, a, b = portal_world.world, portal_world.a, portal_world.b
    account_id = world.a.account["id"]
    staff = await browser("203.0.113.30", door="/workspace")
    assert (await staff.sign_in(world.a.collector.username or "")).status_code == 303
    stranger = await browser("203.0.113.31", door="/workspace")
    assert (await stranger.sign_in(world.b.collector.username or "")).status_code == 303
    # The world left each side's own messages read; start from what the collector sees.
    await staff.get(f"/workspace/accounts/{account_id}")
    before = unread_in_nav((await staff.get("/workspace/messages")).text)

    sent = await a.post_form(f"/portal/accounts/{account_id}/messages", {"body": "Hello-8123"})
    assert sent.status_code == 303
    inbox = await staff.get("/workspace/messages?unread=1")
    assert unread_in_nav(inbox.text) == before + 1
    assert world.a.account["client_account_number"] in inbox.text
    assert "Hello-8123" in inbox.text
    screen = await staff.get(f"/workspace/accounts/{account_id}")
    assert "Hello-8123" in screen.text
    assert "Messages with the client" in screen.text
    # The collector of another client sees none of it.
    assert "Hello-8123" not in (await stranger.get("/workspace/messages")).text
    assert (await stranger.get(f"/workspace/accounts/{account_id}")).status_code == 404

    answered = await staff.post_form(
        f"/workspace/accounts/{account_id}/messages", {"body": "Answer-9914"}
    )
    assert answered.status_code == 303, answered.text
    assert answered.headers["location"].endswith("done=message#messages")
    assert unread_in_nav((await a.get("/portal/dashboard")).text) == 1
    assert "Answer-9914" in (await a.get(f"/portal/accounts/{account_id}")).text
    for url in ("/portal/messages", f"/portal/accounts/{world.b.account['id']}"):
        assert "Answer-9914" not in (await b.get(url)).text

    refused = await staff.post_form(f"/workspace/accounts/{account_id}/messages", {"body": " "})
    assert refused.status_code == 422
    assert "must not be blank" in refused.text


async def test_a_placements_thread_and_the_outbox(
    portal_world: PortalWorld,  # noqa: F811
    browser: NewBrowser,  # noqa: F811
) -> None:
    world = portal_world.world
    placement_id = world.a.account["placement_id"]
    admin = await browser("203.0.113.32", door="/workspace")
    admin_name: Any = world.admin.username
    assert (await admin.sign_in(admin_name)).status_code == 303
    thread = await admin.get(f"/workspace/placements/{placement_id}/messages")
    assert thread.status_code == 200
    assert "About this, from the world" in thread.text
    sent = await admin.post_form(
        f"/workspace/placements/{placement_id}/messages", {"body": "File-3377"}
    )
    assert sent.status_code == 303
    assert "File-3377" in (await portal_world.a.get(f"/portal/placements/{placement_id}")).text

    outbox = await admin.get("/workspace/admin/outbox")
    assert outbox.status_code == 200
    assert "The agency has sent you a message" in outbox.text
    assert f"{world.a.user.username}@client.example" in outbox.text
    assert "Queued" in outbox.text
    collector = await browser("203.0.113.33", door="/workspace")
    assert (await collector.sign_in(world.a.collector.username or "")).status_code == 303
    assert (await collector.get("/workspace/admin/outbox")).status_code == 403
