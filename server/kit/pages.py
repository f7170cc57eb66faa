"""What every set of server-rendered pages (the client portal, the agency's workspace)
shares: the security headers, url-encoded forms, token comparison, cookie flags, the
sign-in and CSRF refusals, and the error page an exception becomes under a prefix.

Each set keeps its own cookies, paths and templates; the behaviour is written once here."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qs, quote

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template
from multipart import parse_options_header

from server.kit.errors import (
    BadRequest,
    DomainError,
    FieldError,
    InvalidInput,
    NotPermitted,
    TooManyRequests,
)
from server.kit.settings import get_settings

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
CSRF_FIELD = "csrf_token"
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


def same_token(given: str | None, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(str(given).encode(), expected.encode())


def check_csrf(expected: str, given: str | None) -> None:
    if not same_token(given, expected):
        raise CsrfRefused("the form's security token is missing or wrong; reload the page")


def check_sign_in_csrf(request: Request[Any, Any, Any], cookie: str, given: str | None) -> None:
    """The sign-in form's token must match its own cookie (double submit): another site
    cannot sign a browser in to an account of its choosing."""
    expected = request.cookies.get(cookie)
    if not expected or not same_token(given, expected):
        raise CsrfRefused("the sign-in form has expired; reload the page and try again")


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(32)


def cookie_flags(path: str) -> dict[str, Any]:
    """HttpOnly, SameSite=Lax, Secure outside development and tests."""
    return {
        "path": path,
        "httponly": True,
        "samesite": "lax",
        "secure": get_settings().secure_cookies,
    }


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
    an upload is streamed by its own route."""
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


def form_as(values: dict[str, Any], kind: type[Any]) -> Any:
    """A form's values as the domain's request type, checked like an API body; what is
    wrong is named by its field (msgspec says "… - at `$.reason`")."""
    try:
        return msgspec.convert(values, kind)
    except msgspec.ValidationError as error:
        message = str(error)
        reason, _, path = message.rpartition(" - at `$.")
        name = path.rstrip("`") or "form"
        raise InvalidInput(message, details=[FieldError(name, reason or message)]) from None


def refusal_message(refused: DomainError, wrong_door: str) -> str:
    """What a sign-in form says when the sign-in is refused: too many attempts, the other
    door's user (NotPermitted), or wrong credentials."""
    if isinstance(refused, TooManyRequests):
        minutes = -(-refused.retry_after_s // 60)
        return f"Too many sign-in attempts. Please try again in {minutes} min."
    if isinstance(refused, NotPermitted):
        return wrong_door
    return "That username and password do not match."


def safe_next(target: str, prefix: str, default: str) -> str:
    """Only a page under `prefix`: never another site (`//evil`, `/\\evil` in some browsers)."""
    if target.startswith(prefix + "/") and "\\" not in target:
        return target
    return default


# --- errors as pages ------------------------------------------------------------------------

E = TypeVar("E", bound=Exception)
ExceptionHandler = Callable[[Request[Any, Any, Any], E], Response[Any]]

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


def error_page(
    template: str,
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
    context: dict[str, Any] | None = None,
    *,
    session: Any = None,
    signed_in: bool = False,
) -> Template:
    return Template(
        template_name=template,
        context={
            **(context or {}),
            "status": status,
            "title": _TITLES.get(status, "Error"),
            "message": message,
            "session": session,
            "client": None,
            "csrf": session.csrf_token if session else "",
            "signed_in": signed_in,
            "nav": "",
        },
        status_code=status,
        media_type=MediaType.HTML,
        headers={**SECURITY_HEADERS, **(headers or {})},
    )


def sign_in_url(request: Request[Any, Any, Any], prefix: str, *, expired: bool) -> str:
    here = request.url.path
    if request.method == "GET" and request.url.query:
        here += "?" + request.url.query
    url = f"{prefix}/sign-in?next=" + quote(here, safe="/")
    return url + "&expired=1" if expired else url


class PageErrors:
    """How exceptions under `prefix` become pages; the pages' own scripts (the
    X-Requested-With header set to `fetch_value`) get the API's JSON instead."""

    def __init__(
        self,
        prefix: str,
        error_template: str,
        fetch_value: str,
        context: dict[str, Any] | None = None,
        *,
        session_key: str | None = None,
        session_cookie: str | None = None,
    ) -> None:
        self.prefix = prefix
        self.error_template = error_template
        self.fetch_value = fetch_value
        # What the error template needs besides the error (its static files' URLs).
        self.context = context or {}
        # Where a page that read the session left it (request.state), and its cookie.
        self.session_key = session_key
        self.session_cookie = session_cookie

    def is_fetch(self, request: Request[Any, Any, Any]) -> bool:
        return request.headers.get("X-Requested-With") == self.fetch_value

    def page(
        self,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
        request: Request[Any, Any, Any] | None = None,
    ) -> Template:
        # The signed-in frame only when the request's session was checked (a page raised
        # this after reading it); otherwise the session may be the problem. A page that
        # does not exist (no handler read the session) keeps the navigation links alone
        # when a session cookie came with it: they lead to sign-in if it is no longer valid.
        session = None
        if request is not None and self.session_key is not None:
            session = request.state.get(self.session_key)
        cookie = self.session_cookie
        signed_in = session is not None or (
            request is not None and status == 404 and cookie is not None
            and cookie in request.cookies
        )  # fmt: skip
        return error_page(
            self.error_template, status, message, headers, self.context,
            session=session, signed_in=signed_in,
        )  # fmt: skip

    def _page_for(
        self, request: Request[Any, Any, Any], exc: DomainError | HTTPException
    ) -> Response[Any]:
        if isinstance(exc, SignInRequired):
            url = sign_in_url(request, self.prefix, expired=exc.expired)
            return Redirect(url, status_code=303)
        if isinstance(exc, DomainError):
            message = exc.message
            if exc.status_code == 404:
                message = "There is nothing here, or it is not yours to see."
            return self.page(exc.status_code, message, exc.headers, request)
        message = "There is no such page." if exc.status_code == 404 else str(exc.detail)
        return self.page(exc.status_code, message, dict(exc.headers or {}), request)

    def aware(self, api_handler: ExceptionHandler[E]) -> ExceptionHandler[E]:
        """The app's exception handler, but pages under the prefix get HTML."""

        def handle(request: Request[Any, Any, Any], exc: E) -> Response[Any]:
            path = request.url.path
            ours = path == self.prefix or path.startswith(self.prefix + "/")
            if not ours or self.is_fetch(request):
                return api_handler(request, exc)
            if isinstance(exc, DomainError | HTTPException):
                return self._page_for(request, exc)
            # Anything else: the API's handler logs it and knows a database outage (503).
            status = api_handler(request, exc).status_code
            if status == 503:
                return self.page(
                    503, "The service is busy or restarting. Please try again shortly."
                )
            return self.page(500, "The problem has been logged. Please try again in a moment.")

        return handle
