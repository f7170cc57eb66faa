"""Clients (creditors): thin controllers over the clients service."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, patch, post, put
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from server.auth.guards import CurrentPrincipal, admin_only
from server.clients import service
from server.clients.schemas import ClientCreate, ClientRead, ClientUpdate, ColumnMapUpdate
from server.kit.pagination import Page, page_request
from server.kit.params import Cursor, Limit


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

    @put("/{client_id:uuid}/column-map", operation_id="SetClientColumnMap")
    async def set_column_map(
        self,
        principal: CurrentPrincipal,
        client_id: FromPath[UUID],
        data: JSONBody[ColumnMapUpdate],
    ) -> ClientRead:
        """The column map of one kind of the client's files, checked as on update and
        audited with before and after: the client's users and admins; an API token is
        refused (403), so a script sending files cannot change how they are read."""
        return await service.set_column_map(principal, client_id, data.kind, data.column_map)


routes = [ClientController]
