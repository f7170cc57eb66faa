"""The portal's side of the channel with the agency: an account's or a placement's
messages as its page shows them (reading them marks them read for the user), writing
one from a form, the inbox, and the user's notice settings."""

from __future__ import annotations

from uuid import UUID

from server.auth.principal import Principal
from server.kit.pagination import Page, page_request
from server.messages import service as messages
from server.messages.schemas import MessageCreate, MessageRead, ThreadRead
from server.notices import service as notices
from server.notices.kinds import NoticeKind
from server.notices.schemas import NoticePreferencesRead, NoticePreferencesUpdate

# How many of a thread's newest messages its page shows (the API pages through them all).
THREAD_SHOWN = 50
INBOX_SHOWN = 50


async def account_messages(principal: Principal, account_id: UUID) -> list[MessageRead]:
    thread = await messages.account_thread(principal, account_id)
    return await messages.conversation(principal, thread, THREAD_SHOWN)


async def placement_messages(principal: Principal, placement_id: UUID) -> list[MessageRead]:
    thread = await messages.placement_thread(principal, placement_id)
    return await messages.conversation(principal, thread, THREAD_SHOWN)


async def write_on_account(principal: Principal, account_id: UUID, body: str) -> None:
    thread = await messages.account_thread(principal, account_id)
    await messages.write(principal, thread, MessageCreate(body=body))


async def write_on_placement(principal: Principal, placement_id: UUID, body: str) -> None:
    thread = await messages.placement_thread(principal, placement_id)
    await messages.write(principal, thread, MessageCreate(body=body))


async def unread(principal: Principal) -> int:
    return (await messages.unread(principal)).unread


async def inbox(principal: Principal, cursor: str | None) -> Page[ThreadRead]:
    return await messages.inbox(principal, page_request(INBOX_SHOWN, cursor))


async def settings(principal: Principal) -> NoticePreferencesRead:
    return await notices.preferences(principal)


async def save_settings(
    principal: Principal, email: str, switched_on: list[str]
) -> NoticePreferencesRead:
    """The form's address and the kinds ticked; every kind not ticked is switched off."""
    off = [kind for kind in NoticeKind if kind not in switched_on]
    return await notices.set_preferences(
        principal, NoticePreferencesUpdate(email=email or None, switched_off=off)
    )
