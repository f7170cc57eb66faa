"""Messages: thin controllers over the messages service."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.auth.guards import CurrentPrincipal, users_only
from server.kit.pagination import Page, page_request
from server.kit.params import Cursor, Limit
from server.messages import service
from server.messages.schemas import MessageCreate, MessageRead, ReadMarked, ThreadRead, UnreadRead


class AccountMessageController(Controller):
    path = "/api/v1/accounts/{account_id:uuid}/messages"
    tags = ["messages"]
    guards = [users_only]

    @get(operation_id="ListAccountMessages")
    async def list_messages(
        self,
        principal: CurrentPrincipal,
        account_id: FromPath[UUID],
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Page[MessageRead]:
        """The messages between the client and the agency on the account, newest first,
        each `read` or not for the caller."""
        thread = await service.account_thread(principal, account_id)
        return await service.read_thread(principal, thread, page_request(limit, cursor))

    @post(operation_id="WriteAccountMessage", status_code=HTTP_201_CREATED)
    async def write_message(
        self, principal: CurrentPrincipal, account_id: FromPath[UUID], data: JSONBody[MessageCreate]
    ) -> MessageRead:
        """A message on the account to the other side (the client's people or the
        agency's); kept as written. Staff-only notes are account notes, not this."""
        thread = await service.account_thread(principal, account_id)
        return await service.write(principal, thread, data)

    @post("/read", operation_id="MarkAccountMessagesRead", status_code=HTTP_200_OK)
    async def mark_read(
        self, principal: CurrentPrincipal, account_id: FromPath[UUID]
    ) -> ReadMarked:
        """Mark every message of the account's thread read, for the caller only."""
        thread = await service.account_thread(principal, account_id)
        return await service.mark_read(principal, thread)


class PlacementMessageController(Controller):
    path = "/api/v1/placements/{placement_id:uuid}/messages"
    tags = ["messages"]
    guards = [users_only]

    @get(operation_id="ListPlacementMessages")
    async def list_messages(
        self,
        principal: CurrentPrincipal,
        placement_id: FromPath[UUID],
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Page[MessageRead]:
        """The messages between the client and the agency on the placement (a file),
        newest first."""
        thread = await service.placement_thread(principal, placement_id)
        return await service.read_thread(principal, thread, page_request(limit, cursor))

    @post(operation_id="WritePlacementMessage", status_code=HTTP_201_CREATED)
    async def write_message(
        self,
        principal: CurrentPrincipal,
        placement_id: FromPath[UUID],
        data: JSONBody[MessageCreate],
    ) -> MessageRead:
        """A message on the placement to the other side."""
        thread = await service.placement_thread(principal, placement_id)
        return await service.write(principal, thread, data)

    @post("/read", operation_id="MarkPlacementMessagesRead", status_code=HTTP_200_OK)
    async def mark_read(
        self, principal: CurrentPrincipal, placement_id: FromPath[UUID]
    ) -> ReadMarked:
        """Mark every message of the placement's thread read, for the caller only."""
        thread = await service.placement_thread(principal, placement_id)
        return await service.mark_read(principal, thread)


class InboxController(Controller):
    path = "/api/v1/messages"
    tags = ["messages"]
    guards = [users_only]

    @get(operation_id="ListMessageThreads")
    async def threads(
        self,
        principal: CurrentPrincipal,
        unread_only: Annotated[
            bool, QueryParameter(description="only threads with messages the caller has not read")
        ] = False,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Page[ThreadRead]:
        """The inbox: every account and placement with messages the caller may see, the
        latest first, with its unread count (a client: its own; a collector: its
        portfolio's)."""
        return await service.inbox(principal, page_request(limit, cursor), unread_only=unread_only)

    @get("/unread", operation_id="CountUnreadMessages")
    async def unread(self, principal: CurrentPrincipal) -> UnreadRead:
        """How many messages from the other side the caller has not read."""
        return await service.unread(principal)


routes = [AccountMessageController, PlacementMessageController, InboxController]
