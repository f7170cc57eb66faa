"""The workspace's side of the channel with clients: the staff's inbox, a placement's
thread (accounts show theirs on the account screen), and the e-mail outbox admins read."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from server.auth.principal import Principal
from server.clients import service as clients
from server.kit.pagination import Page, page_request
from server.messages import service as messages
from server.messages.schemas import MessageCreate, MessageRead, ThreadRead
from server.notices import service as notices
from server.notices.schemas import OutboxRead, OutboxStatus
from server.placements import service as placements
from server.placements.schemas import PlacementRead

INBOX_SHOWN = 50
THREAD_SHOWN = 50
OUTBOX_SHOWN = 100


async def client_names(actor: Principal) -> dict[UUID, str]:
    return {row["id"]: row["name"] for row in await clients.client_names(actor)}


async def unread(actor: Principal) -> int:
    return (await messages.unread(actor)).unread


async def inbox(actor: Principal, cursor: str | None, unread_only: bool) -> Page[ThreadRead]:
    return await messages.inbox(actor, page_request(INBOX_SHOWN, cursor), unread_only=unread_only)


@dataclass(frozen=True)
class PlacementThread:
    placement: PlacementRead
    client_name: str
    messages: list[MessageRead]


async def placement_thread(actor: Principal, placement_id: UUID) -> PlacementThread:
    thread = await messages.placement_thread(actor, placement_id)
    names = await client_names(actor)
    return PlacementThread(
        await placements.get_placement(actor, placement_id),
        names.get(thread.client_id, "a client"),
        await messages.conversation(actor, thread, THREAD_SHOWN),
    )


async def write_on_placement(actor: Principal, placement_id: UUID, body: str) -> None:
    thread = await messages.placement_thread(actor, placement_id)
    await messages.write(actor, thread, MessageCreate(body=body))


@dataclass(frozen=True)
class Outbox:
    counts: dict[str, int]
    notices: Page[OutboxRead]
    # Whether SMTP_URL names a server: without one, notices stay queued here.
    sending: bool


async def outbox(actor: Principal, status: str, cursor: str | None) -> Outbox:
    chosen = OutboxStatus(status) if status in set(OutboxStatus) else None
    return Outbox(
        counts=await notices.outbox_counts(actor),
        notices=await notices.outbox(actor, page_request(OUTBOX_SHOWN, cursor), chosen),
        sending=notices.smtp_target() is not None,
    )
