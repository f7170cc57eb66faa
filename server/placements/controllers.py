"""Clients (creditors): thin controllers over the placements service."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.auth.guards import CurrentPrincipal, admin_only
from server.pagination import Page, page_request
from server.params import Cursor, Limit
from server.placements import service
from server.placements.schemas import (
    AccountRead,
    AccountSummary,
    ClientCreate,
    ClientRead,
    ClientUpdate,
    StatusActionRequest,
)
from server.placements.statuses import AccountStatus, StatusAction


class ClientController(Controller):
    path = "/api/v1/clients"
    tags = ["clients"]

    @post(operation_id="CreateClient", guards=[admin_only], status_code=HTTP_201_CREATED)
    async def create(self, principal: CurrentPrincipal, data: JSONBody[ClientCreate]) -> ClientRead:
        """Set up a creditor: fee rates per tier, remittance, clearing holds, authority, columns."""
        return await service.create_client(principal, data)

    @get(operation_id="ListClients")
    async def list_clients(
        self, principal: CurrentPrincipal, limit: Limit = None, cursor: Cursor = None
    ) -> Page[ClientRead]:
        """The clients the caller may see, newest first."""
        return await service.list_clients(principal, page_request(limit, cursor))

    @get("/{client_id:uuid}", operation_id="GetClient")
    async def get_client(
        self, principal: CurrentPrincipal, client_id: FromPath[UUID]
    ) -> ClientRead:
        """One client's settings."""
        return await service.get_client(principal, client_id)

    @patch("/{client_id:uuid}", operation_id="UpdateClient", guards=[admin_only])
    async def update(
        self, principal: CurrentPrincipal, client_id: FromPath[UUID], data: JSONBody[ClientUpdate]
    ) -> ClientRead:
        """Change a client's settings; each is validated as on creation."""
        return await service.update_client(principal, client_id, data)


class AccountController(Controller):
    path = "/api/v1/accounts"
    tags = ["accounts"]

    @get(operation_id="ListAccounts")
    async def list_accounts(
        self,
        principal: CurrentPrincipal,
        client_id: Annotated[UUID | None, QueryParameter(name="client_id")] = None,
        status: Annotated[AccountStatus | None, QueryParameter(name="status")] = None,
        q: Annotated[str | None, QueryParameter(name="q", max_length=100)] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Page[AccountSummary]:
        """Accounts the caller may see, newest first; `q` searches the account number and
        the debtor's name by prefix."""
        return await service.list_accounts(
            principal, page_request(limit, cursor), client_id=client_id, status=status, query=q
        )

    @get("/{account_id:uuid}", operation_id="GetAccount")
    async def get_account(
        self, principal: CurrentPrincipal, account_id: FromPath[UUID]
    ) -> AccountRead:
        """Balances, debtor, phones, status and its history."""
        return await service.get_account(principal, account_id)


def _status_action(action: StatusAction, summary: str) -> HTTPRouteHandler:
    async def handler(
        principal: CurrentPrincipal,
        account_id: FromPath[UUID],
        data: JSONBody[StatusActionRequest],
    ) -> AccountRead:
        return await service.change_status(principal, account_id, action, data)

    handler.__doc__ = summary
    return post(
        f"/api/v1/accounts/{{account_id:uuid}}/{action}",
        operation_id=f"{action.title()}Account",
        status_code=HTTP_200_OK,
        tags=["accounts"],
    )(handler)


# One route per action, as the contract names them, each with its own operation.
status_routes = [
    _status_action(StatusAction.RECALL, "Recall an account: the client takes it back."),
    _status_action(StatusAction.DISPUTE, "Record a dispute (channel required): collection stops."),
    _status_action(StatusAction.VERIFICATION, "Record verification of a dispute: work resumes."),
    _status_action(
        StatusAction.CEASE,
        "Record a cease request: written ceases communication; oral closes the telephone.",
    ),
    _status_action(
        StatusAction.STATUS,
        "Set bankruptcy, deceased, attorney represented, closed, or back to active.",
    ),
]


routes = [ClientController, AccountController, *status_routes]
