"""Errors under /portal as pages people read: a 404 page for what is not theirs, a 403
page for a refused form token, a redirect to sign-in when the session is gone. The
portal's own scripts (X-Requested-With: portal) get the API's JSON error body instead,
and so does everything outside /portal (server/kit/pages.py does the work)."""

from __future__ import annotations

from client_portal.session import CSRF_FIELD, FETCH_VALUE, SESSION_COOKIE
from server.kit.pages import SECURITY_HEADERS, E, ExceptionHandler, PageErrors

__all__ = ["SECURITY_HEADERS", "error_page", "portal_aware"]

_ERRORS = PageErrors(
    "/portal", "error.html", FETCH_VALUE, {"csrf_field": CSRF_FIELD},
    session_key="portal_session", session_cookie=SESSION_COOKIE,
)  # fmt: skip
error_page = _ERRORS.page


def portal_aware(api_handler: ExceptionHandler[E]) -> ExceptionHandler[E]:
    """The app's exception handler, but pages under /portal get HTML."""
    return _ERRORS.aware(api_handler)
