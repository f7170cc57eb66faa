"""Who is signed in, and CSRF.

The session cookie holds a secret whose hash names a server-side session (auth's
`portal_session`): HttpOnly, SameSite=Lax, Secure outside development and tests, read by
/portal and the front page. Each session has its CSRF token: every form posts it as a
field, an upload (whose body is the file, streamed) sends it as the X-CSRF-Token header.
The sign-in form, before any session exists, carries a token that must match a cookie of
its own (double submit), so another site cannot sign a browser in to an account of its
choosing. Forms, tokens and refusals are server/kit/pages.py's, shared with the workspace.
"""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Request, Response

from server.auth import service as auth
from server.auth.service import PortalSession
from server.kit import pages
from server.kit.pages import (
    CSRF_FIELD,
    CsrfRefused,
    Form,
    SignInRequired,
    cookie_flags,
    new_sign_in_token,
    read_form,
)

__all__ = [
    "CSRF_FIELD",
    "CsrfRefused",
    "Form",
    "SignInRequired",
    "new_sign_in_token",
    "read_form",
]

SESSION_COOKIE = "portal_session"
SIGN_IN_COOKIE = "portal_sign_in"
CSRF_HEADER = "X-CSRF-Token"
COOKIE_PATH = "/portal"
# The session's cookie is sent to the front page too, so that `/` can take a signed-in
# browser straight to its door. No route outside /portal but `/` reads it: the API
# authenticates by bearer token only, so the cookie authorizes nothing there.
SESSION_COOKIE_PATH = "/"
# Sent by the portal's own scripts: answers to them are JSON, not pages.
FETCH_HEADER = "X-Requested-With"
FETCH_VALUE = "portal"


async def provide_session(request: Request[Any, Any, Any]) -> PortalSession:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        raise SignInRequired(expired=False)
    session = await auth.portal_session(secret)
    if session is None:
        raise SignInRequired(expired=True)
    principal = session.principal
    structlog.contextvars.bind_contextvars(user_id=str(principal.id), role=str(principal.role))
    # For an error page drawn after this: it keeps the signed-in frame.
    request.state.portal_session = session
    return session


def is_fetch(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get(FETCH_HEADER) == FETCH_VALUE


def check_csrf(session: PortalSession, given: str | None) -> None:
    pages.check_csrf(session.csrf_token, given)


def check_sign_in_csrf(request: Request[Any, Any, Any], given: str | None) -> None:
    pages.check_sign_in_csrf(request, SIGN_IN_COOKIE, given)


def set_sign_in_cookie(response: Response[Any], token: str) -> None:
    response.set_cookie(SIGN_IN_COOKIE, token, **cookie_flags(COOKIE_PATH))


def start_session(response: Response[Any], session: PortalSession) -> None:
    response.set_cookie(SESSION_COOKIE, session.secret, **cookie_flags(SESSION_COOKIE_PATH))
    response.delete_cookie(SIGN_IN_COOKIE, path=COOKIE_PATH)


def end_session(response: Response[Any]) -> None:
    response.delete_cookie(SESSION_COOKIE, path=SESSION_COOKIE_PATH)
