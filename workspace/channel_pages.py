"""The workspace's pages of the channel with clients: the staff's messages inbox, a
placement's thread, and the admins' e-mail outbox (thin handlers over
workspace.channel). An account's thread is on the account screen."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from server.kit.errors import InvalidInput
from server.kit.pages import CSRF_FIELD, read_form
from workspace import channel
from workspace.rendering import Query, Session, page, see_other
from workspace.session import PREFIX, check_csrf, provide_session


class ChannelController(Controller):
    path = PREFIX
    include_in_schema = False
    dependencies = {"session": Provide(provide_session)}

    @get("/messages")
    async def inbox(self, session: Session, cursor: Query = "", unread: Query = "") -> Template:
        found = await channel.inbox(session.principal, cursor or None, unread == "1")
        names = await channel.client_names(session.principal)
        return await page(
            "messages.html", session, nav="messages", found=found, names=names,
            unread_only=unread == "1",
        )  # fmt: skip

    @get("/placements/{placement_id:uuid}/messages")
    async def placement_thread(
        self, session: Session, placement_id: FromPath[UUID], done: Query = ""
    ) -> Template:
        thread = await channel.placement_thread(session.principal, placement_id)
        return await page(
            "placement_messages.html", session, nav="messages", thread=thread, errors={},
            notice="The message is sent: the client's people read it in their portal."
            if done == "sent" else None,
        )  # fmt: skip

    @post("/placements/{placement_id:uuid}/messages", status_code=HTTP_303_SEE_OTHER)
    async def write_on_placement(
        self, request: Request[Any, Any, Any], session: Session, placement_id: FromPath[UUID]
    ) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        try:
            await channel.write_on_placement(session.principal, placement_id, form.get("body"))
        except InvalidInput as invalid:
            thread = await channel.placement_thread(session.principal, placement_id)
            return await page(
                "placement_messages.html", session, status=422, nav="messages", thread=thread,
                errors={d.field: d.reason for d in invalid.details}, notice=None,
            )  # fmt: skip
        return see_other(f"{PREFIX}/placements/{placement_id}/messages?done=sent")

    @get("/admin/outbox")
    async def outbox(self, session: Session, status: Query = "", cursor: Query = "") -> Template:
        shown = await channel.outbox(session.principal, status, cursor or None)
        names = await channel.client_names(session.principal)
        return await page(
            "admin/outbox.html", session, nav="outbox", outbox=shown, names=names, chosen=status
        )


routes = [ChannelController]
