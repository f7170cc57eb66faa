"""Who is signed in to the workspace, and CSRF.

The same design as the client portal's (server/kit/pages.py holds what both share): the
cookie holds a secret whose hash names a server-side session (auth's `workspace_session`,
idle WORKSPACE_IDLE_S, at most WORKSPACE_ABSOLUTE_S), HttpOnly, SameSite=Lax, Secure
outside development and tests, sent only under /workspace. Every form posts the session's
CSRF token; the sign-in form carries a token matching a cookie of its own (double submit).
"""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Request, Response

from server.auth import service as auth
from server.auth.principal import Role
from server.auth.service import PortalSession
from server.kit import pages
from server.kit.errors import NotPermitted
from server.kit.pages import SignInRequired, cookie_flags

PREFIX = "/workspace"
SESSION_COOKIE = "workspace_session"
SIGN_IN_COOKIE = "workspace_sign_in"
FETCH_VALUE = "workspace"


async def provide_session(request: Request[Any, Any, Any]) -> PortalSession:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        raise SignInRequired(expired=False)
    session = await auth.workspace_session(secret)
    if session is None:
        raise SignInRequired(expired=True)
    principal = session.principal
    structlog.contextvars.bind_contextvars(user_id=str(principal.id), role=str(principal.role))
    return session


def require_collector(session: PortalSession) -> None:
    """Queues, leases and calls are a collector's (the API's guards say the same)."""
    if session.principal.role != Role.COLLECTOR:
        raise NotPermitted("only collectors work a queue")


def check_csrf(session: PortalSession, given: str | None) -> None:
    pages.check_csrf(session.csrf_token, given)


def check_sign_in_csrf(request: Request[Any, Any, Any], given: str | None) -> None:
    pages.check_sign_in_csrf(request, SIGN_IN_COOKIE, given)


def set_sign_in_cookie(response: Response[Any], token: str) -> None:
    response.set_cookie(SIGN_IN_COOKIE, token, **cookie_flags(PREFIX))


def start_session(response: Response[Any], session: PortalSession) -> None:
    response.set_cookie(SESSION_COOKIE, session.secret, **cookie_flags(PREFIX))
    response.delete_cookie(SIGN_IN_COOKIE, path=PREFIX)


def end_session(response: Response[Any]) -> None:
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
