"""Dispatcher and work-queue routes."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from server.auth.guards import CurrentPrincipal, requires, staff_only
from server.auth.principal import Role
from server.dispatch import service as work_queue
from server.dispatch.schemas import (
    DispatchRead,
    NextAccountRead,
    QueueRead,
    ReleaseRead,
    ReleaseRequest,
)
from server.kit.pagination import Page, page_request
from server.kit.params import Cursor, Limit
from server.queues.schemas import WorkDueRead

collectors_only = requires(Role.COLLECTOR)


class DispatchController(Controller):
    path = "/api/v1/dispatch"
    tags = ["queues"]
    guards = [staff_only]

    @post("/run", operation_id="RunDispatch", status_code=HTTP_200_OK)
    async def run(self, principal: CurrentPrincipal) -> DispatchRead:
        """Rescore every open account and refill every active collector's queue now (the
        worker does the same every few minutes)."""
        return await work_queue.dispatch(principal)


class MyQueueController(Controller):
    path = "/api/v1/queues/me"
    tags = ["queues"]
    guards = [collectors_only]

    @get(operation_id="GetMyQueue")
    async def mine(
        self, principal: CurrentPrincipal, limit: Limit = None, cursor: Cursor = None
    ) -> QueueRead:
        """My queue, best first, with my leases: each person's accounts (number, name,
        balance) and whether a call is allowed now; paged by `limit` and `cursor`."""
        return await work_queue.queue(
            principal, principal.id, with_scores=False, page=page_request(limit, cursor)
        )

    @post("/next", operation_id="NextAccount", status_code=HTTP_200_OK)
    async def next(self, principal: CurrentPrincipal) -> NextAccountRead:
        """My best account that may be called now, leased to me; or none, with the
        soonest time one of the items looked at becomes callable."""
        return await work_queue.next_account(principal)

    @get("/callbacks", operation_id="GetMyCallbacks")
    async def my_callbacks(
        self, principal: CurrentPrincipal, limit: Limit = None, cursor: Cursor = None
    ) -> Page[WorkDueRead]:
        """The callbacks consumers asked of my calls and the promises I took, still open,
        soonest first (`due_now` once their time has come)."""
        return await work_queue.work_due(principal, principal.id, page_request(limit, cursor))

    @post("/release", operation_id="ReleaseAccount", status_code=HTTP_200_OK)
    async def release(
        self, principal: CurrentPrincipal, data: JSONBody[ReleaseRequest]
    ) -> ReleaseRead:
        """Give back my lease on an account's person without recording a call."""
        return await work_queue.release(principal, data.account_id)


class QueueController(Controller):
    path = "/api/v1/queues"
    tags = ["queues"]
    guards = [staff_only]

    @get("/{collector_id:uuid}", operation_id="GetQueue")
    async def get_queue(
        self,
        principal: CurrentPrincipal,
        collector_id: FromPath[UUID],
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> QueueRead:
        """A collector's queue as the collector sees it, with the score parts of every
        account in it; paged by `limit` and `cursor`."""
        return await work_queue.queue(
            principal, collector_id, with_scores=True, page=page_request(limit, cursor)
        )

    @get("/{collector_id:uuid}/callbacks", operation_id="GetCallbacks")
    async def callbacks(
        self,
        principal: CurrentPrincipal,
        collector_id: FromPath[UUID],
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Page[WorkDueRead]:
        """A collector's open callbacks and promises, soonest first."""
        return await work_queue.work_due(principal, collector_id, page_request(limit, cursor))


routes = [DispatchController, MyQueueController, QueueController]
