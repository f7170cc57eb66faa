"""Contact routes: the pre-call check, call records and the findings on them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.auth.guards import CurrentPrincipal, requires
from server.auth.principal import Role
from server.kit.pagination import Page, page_request
from server.kit.params import Cursor, Limit
from server.queues import service
from server.queues.schemas import (
    CallCheckRead,
    CallCheckRequest,
    CallCreate,
    CallRead,
    CallRecorded,
    ViolationRead,
)

# The agency's people call debtors; a client's users and tokens do not.
agency_only = requires(Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR)


class CallController(Controller):
    path = "/api/v1/accounts/{account_id:uuid}"
    tags = ["calls"]
    guards = [agency_only]

    @post("/call-check", operation_id="CheckCall", status_code=HTTP_200_OK)
    async def check(
        self,
        principal: CurrentPrincipal,
        account_id: FromPath[UUID],
        data: JSONBody[CallCheckRequest],
    ) -> CallCheckRead:
        """May the account be called on this number (default: its best valid number) at
        this moment (default: now, past or future)? If not, which rule and when next."""
        return await service.check_call(principal, account_id, data)

    @get("/calls", operation_id="ListCalls")
    async def list_calls(
        self,
        principal: CurrentPrincipal,
        account_id: FromPath[UUID],
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Page[CallRead]:
        """Every version of every call about the account, newest start first, with its
        notes, the version it corrects and the one that corrected it (null: the version
        that counts), and the rules it breached for this account as judged now."""
        return await service.list_calls(principal, account_id, page_request(limit, cursor))

    @post("/calls", operation_id="RecordCall", status_code=HTTP_201_CREATED)
    async def record(
        self, principal: CurrentPrincipal, account_id: FromPath[UUID], data: JSONBody[CallCreate]
    ) -> CallRecorded:
        """Record a call (or a correction of one). A call in breach of a rule is stored and
        returned with its violations; calls after it that it puts in breach are flagged."""
        return await service.record_call(principal, account_id, data)


class ViolationController(Controller):
    path = "/api/v1/violations"
    tags = ["calls"]
    guards = [agency_only]

    @get(operation_id="ListViolations")
    async def list_violations(
        self,
        principal: CurrentPrincipal,
        collector_id: Annotated[UUID | None, QueryParameter(name="collector_id")] = None,
        client_id: Annotated[UUID | None, QueryParameter(name="client_id")] = None,
        started_from: Annotated[datetime | None, QueryParameter(name="from")] = None,
        started_to: Annotated[datetime | None, QueryParameter(name="to")] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Page[ViolationRead]:
        """Calls in breach of a contact rule as judged now, newest call first; `from` and
        `to` bound the call's start (from inclusive, to exclusive)."""
        return await service.list_violations(
            principal,
            page_request(limit, cursor),
            collector_id=collector_id,
            client_id=client_id,
            started_from=started_from,
            started_to=started_to,
        )


routes = [CallController, ViolationController]
