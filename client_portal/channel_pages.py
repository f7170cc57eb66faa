"""The portal's pages of the channel with the agency: writing a message on an account or
a placement, the messages inbox, and the notice settings (thin handlers over
client_portal.channel). The account and placement pages show their threads."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from client_portal import channel, service
from client_portal.controllers import Query, Session, _errors, page, see_other
from client_portal.session import CSRF_FIELD, check_csrf, provide_session, read_form
from server.kit.errors import InvalidInput


class ChannelController(Controller):
    path = "/portal"
    include_in_schema = False
    dependencies = {"session": Provide(provide_session)}

    @post("/accounts/{account_id:uuid}/messages", status_code=HTTP_303_SEE_OTHER)
    async def write_on_account(
        self, request: Request[Any, Any, Any], session: Session, account_id: FromPath[UUID]
    ) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        try:
            await channel.write_on_account(session.principal, account_id, form.get("body"))
        except InvalidInput as invalid:
            view = await service.account_view(session.principal, account_id)
            thread = await channel.account_messages(session.principal, account_id)
            return await page(
                "account.html", session, status=422, nav="accounts", view=view, errors={},
                reason="", notice=None, thread=thread, message_errors=_errors(invalid),
            )  # fmt: skip
        return see_other(f"/portal/accounts/{account_id}?done=sent#messages")

    @post("/placements/{placement_id:uuid}/messages", status_code=HTTP_303_SEE_OTHER)
    async def write_on_placement(
        self, request: Request[Any, Any, Any], session: Session, placement_id: FromPath[UUID]
    ) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        try:
            await channel.write_on_placement(session.principal, placement_id, form.get("body"))
        except InvalidInput as invalid:
            view = await service.placement_view(session.principal, placement_id)
            thread = await channel.placement_messages(session.principal, placement_id)
            return await page(
                "placement.html", session, status=422, nav="placements", view=view,
                notice=None, thread=thread, message_errors=_errors(invalid),
            )  # fmt: skip
        return see_other(f"/portal/placements/{placement_id}?done=sent#messages")

    @get("/messages")
    async def inbox(self, session: Session, cursor: Query = "") -> Template:
        found = await channel.inbox(session.principal, cursor or None)
        return await page("messages.html", session, nav="messages", found=found)

    @get("/settings")
    async def settings(self, session: Session, done: Query = "") -> Template:
        shown = await channel.settings(session.principal)
        return await page(
            "settings.html", session, nav="settings", settings=shown, errors={},
            notice="Your notice settings are saved." if done == "saved" else None,
        )  # fmt: skip

    @post("/settings", status_code=HTTP_303_SEE_OTHER)
    async def save_settings(
        self, request: Request[Any, Any, Any], session: Session
    ) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        try:
            await channel.save_settings(session.principal, form.get("email"), form.getlist("kind"))
        except InvalidInput as invalid:
            shown = await channel.settings(session.principal)
            return await page(
                "settings.html", session, status=422, nav="settings", settings=shown,
                errors=_errors(invalid), notice=None, email=form.get("email"),
            )  # fmt: skip
        return see_other("/portal/settings?done=saved")


routes = [ChannelController]
