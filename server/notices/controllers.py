"""Notices: a client user's own preferences, and the outbox for admins."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, put
from litestar.params import JSONBody, QueryParameter

from server.auth.guards import CurrentPrincipal, requires
from server.auth.principal import Role
from server.kit.pagination import Page, page_request
from server.kit.params import Cursor, Limit
from server.notices import service
from server.notices.schemas import (
    NoticePreferencesRead,
    NoticePreferencesUpdate,
    OutboxRead,
    OutboxStatus,
)


class NoticePreferenceController(Controller):
    path = "/api/v1/me/notices"
    tags = ["notices"]
    guards = [requires(Role.CLIENT)]

    @get(operation_id="GetNoticePreferences")
    async def get_preferences(self, principal: CurrentPrincipal) -> NoticePreferencesRead:
        """The caller's e-mail address for notices and each kind, on or off (a client's
        users; API tokens have none)."""
        return await service.preferences(principal)

    @put(operation_id="SetNoticePreferences")
    async def set_preferences(
        self, principal: CurrentPrincipal, data: JSONBody[NoticePreferencesUpdate]
    ) -> NoticePreferencesRead:
        """Set the address (null: no notices) and the kinds switched off; every kind not
        named is sent."""
        return await service.set_preferences(principal, data)


class OutboxController(Controller):
    path = "/api/v1/notices/outbox"
    tags = ["notices"]
    guards = [requires(Role.ADMIN)]

    @get(operation_id="ListOutbox")
    async def list_outbox(
        self,
        principal: CurrentPrincipal,
        status: Annotated[
            OutboxStatus | None, QueryParameter(description="only notices in this status")
        ] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Page[OutboxRead]:
        """Every e-mail notice, newest first: queued (without SMTP_URL they stay so),
        sent, or failed with the last error and the attempts made."""
        return await service.outbox(principal, page_request(limit, cursor), status)


routes = [NoticePreferenceController, OutboxController]
