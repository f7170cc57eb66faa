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
    async def mine(self, principal: CurrentPrincipal) -> QueueRead:
        """My queue, best first, with my leases."""
        return await work_queue.queue(principal, principal.id, with_scores=False)

    @post("/next", operation_id="NextAccount", status_code=HTTP_200_OK)
    async def next(self, principal: CurrentPrincipal) -> NextAccountRead:
        """My best account that may be called now, leased to me; or none, with the
        soonest time one of the items looked at becomes callable."""
        return await work_queue.next_account(principal)

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
        self, principal: CurrentPrincipal, collector_id: FromPath[UUID]
    ) -> QueueRead:
        """A collector's queue with the score parts of every account in it."""
        return await work_queue.queue(principal, collector_id, with_scores=True)


routes = [DispatchController, MyQueueController, QueueController]
