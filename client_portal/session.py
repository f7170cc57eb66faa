"""Who is signed in, and CSRF.

The session cookie holds a secret whose hash names a server-side session (auth's
`portal_session`): HttpOnly, SameSite=Lax, Secure outside development and tests, read by
/portal and the front page. Each session has its CSRF token: every form posts it as a
field, an upload (whose body is the file, streamed) sends it as the X-CSRF-Token header.
The sign-in form, before any session exists, carries a token that must match a cookie of
its own (double submit), so another site cannot sign a browser in to an account of its
choosing.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import parse_qs

import structlog
from litestar import Request, Response
from multipart import parse_options_header

from server.auth import service as auth
from server.auth.service import PortalSession
from server.kit.errors import BadRequest, DomainError, NotPermitted
from server.kit.settings import get_settings

SESSION_COOKIE = "portal_session"
SIGN_IN_COOKIE = "portal_sign_in"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
COOKIE_PATH = "/portal"
# The session's cookie is sent to the front page too, so that `/` can take a signed-in
# browser straight to its door. No route outside /portal but `/` reads it: the API
# authenticates by bearer token only, so the cookie authorizes nothing there.
SESSION_COOKIE_PATH = "/"
# Sent by the portal's own scripts: answers to them are JSON, not pages.
FETCH_HEADER = "X-Requested-With"
FETCH_VALUE = "portal"
# Far more than any of our forms has (a bulk recall ticks at most a page of accounts).
_MAX_FORM_FIELDS = 1000


class SignInRequired(DomainError):
    status_code = 401
    code = "sign_in_required"

    def __init__(self, *, expired: bool) -> None:
        super().__init__(
            "your session has timed out; sign in again" if expired else "sign in to continue"
        )
        self.expired = expired


class CsrfRefused(NotPermitted):
    code = "csrf_refused"


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


def _same(given: str | None, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(str(given).encode(), expected.encode())


def check_csrf(session: PortalSession, given: str | None) -> None:
    if not _same(given, session.csrf_token):
        raise CsrfRefused("the form's security token is missing or wrong; reload the page")


def check_sign_in_csrf(request: Request[Any, Any, Any], given: str | None) -> None:
    expected = request.cookies.get(SIGN_IN_COOKIE)
    if not expected or not _same(given, expected):
        raise CsrfRefused("the sign-in form has expired; reload the page and try again")


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(32)


def _cookie_flags(path: str = COOKIE_PATH) -> dict[str, Any]:
    return {
        "path": path,
        "httponly": True,
        "samesite": "lax",
        "secure": get_settings().secure_cookies,
    }


def set_sign_in_cookie(response: Response[Any], token: str) -> None:
    response.set_cookie(SIGN_IN_COOKIE, token, **_cookie_flags())


def start_session(response: Response[Any], session: PortalSession) -> None:
    response.set_cookie(SESSION_COOKIE, session.secret, **_cookie_flags(SESSION_COOKIE_PATH))
    response.delete_cookie(SIGN_IN_COOKIE, path=COOKIE_PATH)


def end_session(response: Response[Any]) -> None:
    response.delete_cookie(SESSION_COOKIE, path=SESSION_COOKIE_PATH)


class Form:
    """A url-encoded form's fields."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields

    def get(self, name: str) -> str:
        values = self.fields.get(name)
        return values[0].strip() if values else ""

    def getlist(self, name: str) -> list[str]:
        return [v.strip() for v in self.fields.get(name, []) if v.strip()]


async def read_form(request: Request[Any, Any, Any]) -> Form:
    """The body as a url-encoded form (the app caps bodies at 1 MiB). Multipart is refused:
    the only file the portal takes is an upload, streamed by its own route."""
    raw = await request.body()
    content_type, _ = parse_options_header(request.headers.get("content-type", ""))
    if raw and content_type != "application/x-www-form-urlencoded":
        raise BadRequest("forms are sent url-encoded", code="unsupported_form")
    body = raw.decode("utf-8", "replace")
    try:
        fields = parse_qs(body, keep_blank_values=True, max_num_fields=_MAX_FORM_FIELDS)
    except ValueError:
        raise BadRequest("the form has too many fields", code="malformed_body") from None
    return Form(fields)
