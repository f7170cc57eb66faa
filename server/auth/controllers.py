"""Sign-in, tokens, users, collectors and client API tokens (thin: schema in, service
call, schema out)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from server.auth import service, user_admin
from server.auth.guards import CurrentPrincipal, admin_only, staff_only
from server.auth.principal import Role
from server.auth.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenRead,
    CollectorUpdate,
    LoginRequest,
    MeRead,
    RefreshRequest,
    TokenPair,
    UserCreate,
    UserRead,
    UserUpdate,
)
from server.kit.pagination import Page, page_request
from server.kit.params import Cursor, Limit


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/login", operation_id="Login", exclude_from_auth=True, status_code=HTTP_200_OK)
    async def login(
        self, request: Request[Any, Any, Any], data: JSONBody[LoginRequest]
    ) -> TokenPair:
        """Exchange a username and password for an access and a refresh token."""
        return await service.login(data.username, data.password, client_address(request))

    @post("/refresh", operation_id="RefreshToken", exclude_from_auth=True, status_code=HTTP_200_OK)
    async def refresh(self, data: JSONBody[RefreshRequest]) -> TokenPair:
        """Rotate a refresh token; the old one stops working, and reusing it revokes all."""
        return await service.refresh(data.refresh_token)


class UserController(Controller):
    path = "/api/v1"
    tags = ["users"]

    @get("/me", operation_id="GetMe")
    async def me(self, principal: CurrentPrincipal) -> MeRead:
        """The caller: user or client token, role and the clients it may see."""
        return service.me(principal)

    @post("/users", operation_id="CreateUser", guards=[admin_only], status_code=HTTP_201_CREATED)
    async def create_user(
        self, principal: CurrentPrincipal, data: JSONBody[UserCreate]
    ) -> UserRead:
        """Add a user of any role; a client user is bound to one client."""
        return await service.create_user(principal, data)

    @get("/users", operation_id="ListUsers", guards=[admin_only])
    async def list_users(
        self,
        principal: CurrentPrincipal,
        role: Annotated[Role | None, QueryParameter(name="role")] = None,
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Page[UserRead]:
        """Every user (of `role`, if given), newest first, with active flag, client,
        portfolio and capacity."""
        return await user_admin.list_users(principal, page_request(limit, cursor), role)

    @patch("/users/{user_id:uuid}", operation_id="UpdateUser", guards=[admin_only])
    async def update_user(
        self, principal: CurrentPrincipal, user_id: FromPath[UUID], data: JSONBody[UserUpdate]
    ) -> UserRead:
        """Deactivate a user of any role (`{"active": false}`: no sign-in, token or session
        of theirs works after; 409 `own_user` on oneself) or activate them again."""
        return await user_admin.update_user(principal, user_id, data)

    @patch("/collectors/{user_id:uuid}", operation_id="UpdateCollector", guards=[staff_only])
    async def update_collector(
        self, principal: CurrentPrincipal, user_id: FromPath[UUID], data: JSONBody[CollectorUpdate]
    ) -> UserRead:
        """Change a collector's queue capacity, portfolio of clients, or active flag."""
        return await service.update_collector(principal, user_id, data)


class ApiTokenController(Controller):
    path = "/api/v1/clients/{client_id:uuid}/tokens"
    tags = ["clients"]
    guards = [admin_only]

    @post(operation_id="CreateApiToken", status_code=HTTP_201_CREATED)
    async def create(
        self, principal: CurrentPrincipal, client_id: FromPath[UUID], data: JSONBody[ApiTokenCreate]
    ) -> ApiTokenCreated:
        """Issue an API token for a client's automated uploads; the secret is shown once."""
        return await service.create_api_token(principal, client_id, data.name)

    @get(operation_id="ListApiTokens")
    async def list_tokens(
        self, principal: CurrentPrincipal, client_id: FromPath[UUID]
    ) -> list[ApiTokenRead]:
        """A client's API tokens, without their secrets."""
        return await service.list_api_tokens(principal, client_id)

    @delete("/{token_id:uuid}", operation_id="RevokeApiToken", status_code=HTTP_204_NO_CONTENT)
    async def revoke(
        self, principal: CurrentPrincipal, client_id: FromPath[UUID], token_id: FromPath[UUID]
    ) -> None:
        """Revoke a token; it stops working at once."""
        await service.revoke_api_token(principal, client_id, token_id)


routes = [AuthController, UserController, ApiTokenController]
