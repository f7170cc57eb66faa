"""Disputes: thin controllers over the disputes service."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.auth.guards import CurrentPrincipal, requires
from server.auth.principal import Role
from server.disputes import service
from server.disputes.schemas import DisputeCreate, DisputeRead, DuplicateCreate, OpenDisputeRead
from server.kit.pagination import Page, page_request
from server.kit.params import Cursor, Limit


class AccountDisputeController(Controller):
    path = "/api/v1/accounts/{account_id:uuid}/disputes"
    tags = ["disputes"]

    @post(
        operation_id="RecordDispute",
        status_code=HTTP_201_CREATED,
        guards=[requires(Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR)],
    )
    async def record_dispute(
        self, principal: CurrentPrincipal, account_id: FromPath[UUID], data: JSONBody[DisputeCreate]
    ) -> DisputeRead:
        """Record a dispute or a request for the original creditor's name and address, as
        the consumer made it (the agency's people). Timely and in writing (written, or
        electronic where the agency accepts it), whole or partial, it stops collection until
        verification is mailed; any other marks the debt disputed and leaves it open."""
        return await service.record_dispute(principal, account_id, data)

    @get(operation_id="ListAccountDisputes")
    async def list_disputes(
        self,
        principal: CurrentPrincipal,
        account_id: FromPath[UUID],
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Page[DisputeRead]:
        """The account's disputes, newest first (a client: its own accounts')."""
        return await service.list_disputes(principal, account_id, page_request(limit, cursor))


class DisputeController(Controller):
    path = "/api/v1/disputes"
    tags = ["disputes"]
    guards = [requires(Role.ADMIN, Role.SUPERVISOR, Role.CLIENT)]

    @get(operation_id="ListOpenDisputes")
    async def open_disputes(
        self, principal: CurrentPrincipal, limit: Limit = None, cursor: Cursor = None
    ) -> Page[OpenDisputeRead]:
        """The aging report: disputes not yet answered, oldest first, each with its age in
        days; supervisors and admins see every client's, a client its own."""
        return await service.open_disputes(principal, page_request(limit, cursor))

    @post(
        "/{dispute_id:uuid}/duplicate",
        operation_id="MarkDisputeDuplicate",
        status_code=HTTP_200_OK,
        guards=[requires(Role.ADMIN, Role.SUPERVISOR)],
    )
    async def mark_duplicate(
        self,
        principal: CurrentPrincipal,
        dispute_id: FromPath[UUID],
        data: JSONBody[DuplicateCreate],
    ) -> DisputeRead:
        """Mark a written dispute duplicative (supervisors, admins): substantially the same
        as `duplicate_of`, an earlier dispute of the account already answered, with no new
        information (12 CFR 1006.38(d)(2)(ii)); `reason` says why."""
        return await service.mark_duplicate(principal, dispute_id, data)


routes = [AccountDisputeController, DisputeController]
