"""Litestar guards per role, and the authentication middleware that sets the caller.

A bearer credential is either an access JWT (a user) or a client API token; both become
a Principal. Routes marked `exclude_from_auth` (health, sign-in, the OpenAPI schema, the
portal's own cookie-session pages) skip it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import Guard

from server.auth import service
from server.auth.principal import Principal, Role
from server.kit.errors import Unauthenticated


class BearerAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, credential = header.partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            raise NotAuthorizedException("a bearer token is required")
        try:
            principal = await service.principal_for_bearer(credential.strip())
        except Unauthenticated as error:
            raise NotAuthorizedException(error.message) from None
        return AuthenticationResult(user=principal, auth=credential)


def requires(*roles: Role) -> Guard:
    allowed = frozenset(roles)

    # A coroutine, though it awaits nothing: Litestar runs a plain function guard in a
    # worker thread, a thread hop on every request for a set lookup.
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = connection.user
        if not isinstance(principal, Principal) or principal.role not in allowed:
            raise PermissionDeniedException("your role may not do this")

    guard.__name__ = "requires_" + "_or_".join(sorted(allowed))
    return guard


staff_only = requires(Role.ADMIN, Role.SUPERVISOR)
admin_only = requires(Role.ADMIN)
users_only = requires(Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR, Role.CLIENT)


# What a handler declares to receive the caller (provided app-wide as "principal").
CurrentPrincipal = NamedDependency[Principal]


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    principal = request.user
    assert isinstance(principal, Principal)
    return principal
