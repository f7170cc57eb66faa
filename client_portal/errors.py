"""Errors under /portal as pages people read: a 404 page for what is not theirs, a 403
page for a refused form token, a redirect to sign-in when the session is gone. The
portal's own scripts (X-Requested-With: portal) get the API's JSON error body instead,
and so does everything outside /portal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template

from client_portal.session import CSRF_FIELD, SESSION_COOKIE, SignInRequired, is_fetch
from server.kit.errors import DomainError

E = TypeVar("E", bound=Exception)
ExceptionHandler = Callable[[Request[Any, Any, Any], E], Response[Any]]

# Pages may not be framed, and load nothing from anywhere else.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_TITLES = {
    400: "That request could not be read",
    401: "Please sign in",
    403: "That form could not be accepted",
    404: "Not found",
    405: "Not allowed here",
    409: "That cannot be done now",
    413: "That file is too large",
    422: "Please check what you entered",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


def sign_in_url(request: Request[Any, Any, Any], *, expired: bool) -> str:
    here = request.url.path
    if request.method == "GET" and request.url.query:
        here += "?" + request.url.query
    url = "/portal/sign-in?next=" + quote(here, safe="/")
    return url + "&expired=1" if expired else url


def error_page(
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
    request: Request[Any, Any, Any] | None = None,
) -> Template:
    # The signed-in frame only when the request's session was checked (a page raised this
    # after reading it); otherwise the session may be the problem. A page that does not
    # exist (no handler read the session) keeps the navigation links alone when a session
    # cookie came with it: they lead to sign-in if it is no longer valid.
    session = None if request is None else request.state.get("portal_session")
    signed_in = session is not None or (
        request is not None and status == 404 and SESSION_COOKIE in request.cookies
    )
    return Template(
        template_name="error.html",
        context={
            "status": status,
            "title": _TITLES.get(status, "Error"),
            "message": message,
            "session": session,
            "client": None,
            "csrf": session.csrf_token if session else "",
            "csrf_field": CSRF_FIELD,
            "signed_in": signed_in,
            "nav": "",
        },
        status_code=status,
        media_type=MediaType.HTML,
        headers={**SECURITY_HEADERS, **(headers or {})},
    )


def _page_for(request: Request[Any, Any, Any], exc: DomainError | HTTPException) -> Response[Any]:
    if isinstance(exc, SignInRequired):
        return Redirect(sign_in_url(request, expired=exc.expired), status_code=303)
    if isinstance(exc, DomainError):
        message = exc.message
        if exc.status_code == 404:
            message = "There is nothing here, or it is not yours to see."
        return error_page(exc.status_code, message, exc.headers, request)
    message = "There is no such page." if exc.status_code == 404 else str(exc.detail)
    return error_page(exc.status_code, message, dict(exc.headers or {}), request)


def portal_aware(api_handler: ExceptionHandler[E]) -> ExceptionHandler[E]:
    """The app's exception handler, but pages under /portal get HTML."""

    def handle(request: Request[Any, Any, Any], exc: E) -> Response[Any]:
        if not request.url.path.startswith("/portal") or is_fetch(request):
            return api_handler(request, exc)
        if isinstance(exc, DomainError | HTTPException):
            return _page_for(request, exc)
        # Anything else: the API's handler logs it and knows a database outage (503).
        status = api_handler(request, exc).status_code
        if status == 503:
            return error_page(503, "The service is busy or restarting. Please try again shortly.")
        return error_page(500, "The problem has been logged. Please try again in a moment.")

    return handle
