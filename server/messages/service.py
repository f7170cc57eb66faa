"""Messages between a client and the agency on an account or a placement: written,
read, marked read, and the inbox of each side.

Who may see the account (or placement) may read and write its thread: the client's
users and API tokens, the agency's staff, and collectors whose portfolio holds the
client. Each thread belongs to its account's client, named in every query, so a person
with accounts at two clients is two threads that never meet. Messages are kept as
written (append-only) and audited; the agency's staff-only notes stay account notes.
A message from the agency is an e-mail notice to the client's users who want one."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from server.accounts import service as accounts
from server.audit import service as audit
from server.auth.principal import Principal, Role
from server.kit import clock, db
from server.kit.errors import InvalidInput
from server.kit.mapping import read_as
from server.kit.pagination import Page, PageRequest, make_page, page_request
from server.messages import repository
from server.messages.schemas import (
    MessageCreate,
    MessageRead,
    ReadMarked,
    Side,
    ThreadRead,
    UnreadRead,
)
from server.notices import service as notices
from server.notices.kinds import NoticeKind
from server.placements import service as placements

BODY_MAX = 4000


@dataclass(frozen=True)
class Thread:
    client_id: UUID
    account_id: UUID | None = None
    placement_id: UUID | None = None

    @property
    def portal_link(self) -> str:
        if self.account_id is not None:
            return f"/portal/accounts/{self.account_id}#messages"
        return f"/portal/placements/{self.placement_id}#messages"


def side_of(actor: Principal) -> Side:
    return Side.CLIENT if actor.role == Role.CLIENT else Side.AGENCY


async def account_thread(actor: Principal, account_id: UUID) -> Thread:
    """The account's thread, or NotFound when the account is not the caller's to see."""
    account = await accounts.visible_account(actor, account_id)
    return Thread(account["client_id"], account_id=account_id)


async def placement_thread(actor: Principal, placement_id: UUID) -> Thread:
    placement = await placements.get_placement(actor, placement_id)
    return Thread(placement.client_id, placement_id=placement_id)


async def write(actor: Principal, thread: Thread, data: MessageCreate) -> MessageRead:
    """A message on the thread (which the caller may see), audited; from the agency, a
    notice to the client's users."""
    body = data.body.strip()
    if not body:
        raise InvalidInput.field("body", "must not be blank")
    # The API's schema says so too; the pages build the request from a form.
    if len(body) > BODY_MAX:
        raise InvalidInput.field("body", f"must be at most {BODY_MAX} characters")
    side = side_of(actor)
    async with db.transaction():
        row = await repository.insert_message(
            client_id=thread.client_id, account_id=thread.account_id,
            placement_id=thread.placement_id, side=side, author_id=actor.id,
            author_name=actor.username[:100], body=body, at=clock.now(),
        )  # fmt: skip
        entity, entity_id = (
            ("account", thread.account_id)
            if thread.account_id is not None
            else ("placement", thread.placement_id)
        )
        await audit.record(
            actor, "message.written", entity, entity_id, client_id=thread.client_id,
            after={"message_id": row["message_id"], "side": side},
        )  # fmt: skip
        if side == Side.AGENCY:
            await notices.notify_client(thread.client_id, NoticeKind.MESSAGE, 1, thread.portal_link)
    return read_as(MessageRead, row)


async def read_thread(actor: Principal, thread: Thread, page: PageRequest) -> Page[MessageRead]:
    """The thread's messages, newest first, each read or not for the caller."""
    rows = await repository.thread(
        thread.client_id, thread.account_id, thread.placement_id, side_of(actor), actor.id,
        page.after, page.fetch_limit,
    )  # fmt: skip
    items = [read_as(MessageRead, r) for r in rows]
    return make_page(items, page, key=lambda m: (m.created_at, m.message_id))


async def conversation(actor: Principal, thread: Thread, shown: int) -> list[MessageRead]:
    """The thread's newest `shown` messages, oldest first as a page shows a conversation
    (each still flagged as unread or not); shown to the caller, they are read."""
    page = await read_thread(actor, thread, page_request(shown, None))
    if any(not m.read for m in page.items):
        await mark_read(actor, thread)
    return list(reversed(page.items))


async def mark_read(actor: Principal, thread: Thread) -> ReadMarked:
    """Everything the other side wrote on the thread is read for the caller (for this
    reader alone: each of a client's users, and each of the agency's people, has marks
    of their own)."""
    async with db.transaction():
        marked = await repository.mark_thread_read(
            thread.client_id, thread.account_id, thread.placement_id, side_of(actor),
            actor.id, clock.now(),
        )  # fmt: skip
    return ReadMarked(marked=marked, unread=(await unread(actor)).unread)


async def unread(actor: Principal) -> UnreadRead:
    """What the other side wrote, on every thread the caller may see, not yet read."""
    count = await repository.unread_count(actor.visible_clients(), side_of(actor), actor.id)
    return UnreadRead(unread=count)


async def inbox(
    actor: Principal, page: PageRequest, *, unread_only: bool = False
) -> Page[ThreadRead]:
    """Every thread the caller may see, the latest first, with its unread count."""
    after = page.after
    rows = await repository.threads(
        actor.visible_clients(), side_of(actor), actor.id, unread_only, after, page.fetch_limit
    )
    items = [read_as(ThreadRead, r) for r in rows]
    return make_page(
        items, page, key=lambda t: (t.last_at, t.account_id or t.placement_id or UUID(int=0))
    )
