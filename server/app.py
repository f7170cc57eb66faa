"""create_app(): routes, middleware, exception → HTTP mapping, lifespan and OpenAPI."""

from __future__ import annotations

import gc
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import msgspec
import structlog
from litestar import Litestar, MediaType, Request, Response
from litestar.datastructures import MutableScopeHeaders
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    SerializationException,
    ValidationException,
)
from litestar.handlers import HTTPRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import (
    ASGIApp,
    HTTPResponseStartEvent,
    HTTPScope,
    Message,
    Receive,
    Scope,
    Send,
)

import client_portal
import front_page
import workspace
from server import api_docs, wiring
from server.accounts.controllers import routes as account_routes
from server.auth.controllers import routes as auth_routes
from server.auth.guards import BearerAuthenticationMiddleware, provide_principal
from server.clients.controllers import routes as client_routes
from server.dispatch.controllers import routes as work_queue_routes
from server.dispatch.scoring import configured_weights
from server.disputes.controllers import routes as dispute_routes
from server.kit import db
from server.kit.errors import DomainError, FieldError, error_body
from server.kit.json_body import CheckedJsonRequest
from server.kit.logging import configure_logging, get_logger
from server.kit.redis import close_redis, open_redis
from server.kit.settings import Settings, get_settings
from server.letters.controllers import routes as letter_routes
from server.messages.controllers import routes as message_routes
from server.notices.controllers import routes as notice_routes
from server.placements.controllers import routes as placement_routes
from server.queues.controllers import routes as queue_routes
from server.settlements.controllers import routes as settlement_routes
from server.settlements.remittance.controllers import routes as remittance_routes
from server.supervision.controllers import routes as supervision_routes
from server.system.controllers import SystemController

log = get_logger("server.http")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# uvicorn (httptools) takes headers of any size and number; refuse what no browser or
# client of ours sends (nginx's default buffers hold 32 KiB) before anything parses a
# 20 MB "bearer token".
MAX_HEADER_BYTES = 32 * 1024
MAX_HEADERS = 100
# Errors that mean PostgreSQL cannot be reached right now: the request did nothing and
# may be retried, which is what 503 says.
_DATABASE_UNREACHABLE: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.ConnectionFailureError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.InterfaceError,
    # A pooled connection whose server went away mid-operation is left in a state asyncpg
    # refuses to use ("another operation is in progress"); seen when PostgreSQL restarts
    # under load (scripts/drills/restart_postgres.py).
    asyncpg.exceptions.InternalClientError,
)


# PostgreSQL's text cannot hold U+0000, which JSON and query strings can carry.
_TEXT_POSTGRES_CANNOT_STORE = (
    asyncpg.exceptions.CharacterNotInRepertoireError,
    asyncpg.exceptions.UntranslatableCharacterError,
)


class RequestContext:
    """A request id per request (the caller's X-Request-ID, or a new one), echoed back,
    bound to every log line written while the request runs, and one access line.

    It wraps the application's whole handler rather than sitting in the route middleware:
    Litestar runs route middleware only once a route matched, and renders exceptions
    raised in it (a 401 from authentication) outside it, so 404, 405 and 401 responses
    would go out without the id and be logged as 500s."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        next_app = self.app
        if scope["type"] != ScopeType.HTTP:
            await next_app(scope, receive, send)
            return
        http_scope: HTTPScope = scope
        headers = list(scope["headers"])
        if (
            len(headers) > MAX_HEADERS
            or sum(len(k) + len(v) for k, v in headers) > MAX_HEADER_BYTES
        ):
            await _refuse_headers(send)
            return
        incoming = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None
        )
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await next_app(scope, receive, send_with_id)
        finally:
            log.info(
                "http.request",
                method=http_scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )


async def _refuse_headers(send: Send) -> None:
    body = msgspec.json.encode(
        error_body("headers_too_large", "the request's headers are too large or too many")
    )
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 431,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})


class ErrorDetail(msgspec.Struct):
    field: str
    reason: str


class ErrorInfo(msgspec.Struct):
    code: str
    message: str
    details: list[ErrorDetail]


class ErrorBody(msgspec.Struct):
    """The body of every 4xx and 5xx answer."""

    error: ErrorInfo


_ERROR_DESCRIPTIONS = {
    400: "Malformed request body",
    401: "No valid credentials",
    403: "The caller's role may not do this",
    404: "Not found, or not the caller's",
    409: "Conflicts with the current state",
    422: "Invalid fields; details name each",
    429: "Too many requests; see Retry-After",
    503: "A backing service is unavailable; retry",
}


def _handlers(routes: list[Any]) -> list[HTTPRouteHandler]:
    found: list[HTTPRouteHandler] = []
    for route in routes:
        if isinstance(route, HTTPRouteHandler):
            found.append(route)
        else:
            found.extend(h for h in vars(route).values() if isinstance(h, HTTPRouteHandler))
    return found


def _document_errors(routes: list[Any]) -> None:
    """Declare the error body on every route, so clients see it and the fuzzing suite can
    check error responses against the schema too."""
    for handler in _handlers(routes):
        codes = [400, 401, 403, 404, 422, 503]
        if handler.http_methods & {"POST", "PATCH", "PUT", "DELETE"}:
            codes.append(409)
        if handler.opt.get("exclude_from_auth"):
            codes = [400, 422, 429, 503]
        documented = {
            code: ResponseSpec(data_container=ErrorBody, description=_ERROR_DESCRIPTIONS[code])
            for code in codes
        }
        handler.responses = {**documented, **(handler.responses or {})}


def _json(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response[Any]:
    return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)


def _domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return _json(exc.status_code, error_body(exc.code, exc.message, exc.details), exc.headers)


_NAMED_FIELD = re.compile(r"(?:missing required|contains unknown) field `([^`]+)`")
_AT_PATH = re.compile(r" - at `\$(?:\.)?([^`]*)`$")
# Litestar reports a body error with `key` = the path inside the body (`installments[0]`),
# or "data" (the body parameter itself) for the top level.
_BODY = "data"


def _field_of(message: str, key: str | None) -> str:
    path = _AT_PATH.search(message)
    location = path.group(1) if path else (key if key and key != _BODY else "")
    named = _NAMED_FIELD.search(message)
    if named:
        location = f"{location}.{named.group(1)}" if location else named.group(1)
    return location or "body"


def _is_malformed(error: object) -> bool:
    """The body as a whole is unusable: absent (Litestar's KeyError on the body
    parameter), or JSON that is not an object."""
    if not isinstance(error, dict) or error.get("key") != _BODY:
        return False
    message = str(error.get("message", ""))
    return message == f"'{_BODY}'" or message.startswith("Expected `object")


def _validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """msgspec's decode errors, split the way the contract splits them: a body that is not
    JSON, or not an object, is malformed (400); wrong or missing fields are 422."""
    detail = str(exc.detail)
    extra = exc.extra if isinstance(exc.extra, list) else []
    if detail.startswith("JSON is malformed"):
        return _json(400, error_body("malformed_body", detail.split(" - at ")[0]))
    if any(_is_malformed(e) for e in extra):
        return _json(400, error_body("malformed_body", "the body must be a JSON object"))
    details = [
        FieldError(
            _field_of(str(e.get("message", "")), e.get("key")),
            _AT_PATH.sub("", str(e.get("message", "invalid"))),
        )
        for e in extra
        if isinstance(e, dict)
    ] or [FieldError("body", detail)]
    message = "; ".join(f"{d.field}: {d.reason}" for d in details)
    return _json(422, error_body("invalid_input", message, details))


def _http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    codes = {
        400: "bad_request",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "payload_too_large",
        429: "too_many_requests",
    }
    code = codes.get(exc.status_code, "http_error")
    if exc.status_code == 400 and isinstance(exc.__cause__, SerializationException):
        # Litestar's ClientException for a body msgspec could not decode at all.
        code = "malformed_body"
    headers = dict(exc.headers or {})
    return _json(exc.status_code, error_body(code, str(exc.detail)), headers)


def _database_unreachable(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.warning("http.database_unreachable", error=type(exc).__name__)
    return _json(
        503,
        error_body("service_unavailable", "the database is unavailable; try again shortly"),
        {"Retry-After": "2"},
    )


def _unexpected(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, _DATABASE_UNREACHABLE):
        return _database_unreachable(_, exc)
    if isinstance(exc, _TEXT_POSTGRES_CANNOT_STORE):
        # Any text field, search or filter of any route: PostgreSQL refused the value
        # whole and the transaction rolled back, so the request changed nothing.
        return _json(
            422,
            error_body(
                "invalid_text",
                "text must not contain NUL characters",
                [FieldError("body", "contains a NUL character")],
            ),
        )
    log.exception("http.unhandled_error", error=type(exc).__name__)
    return _json(500, error_body("internal_error", "an unexpected error occurred"))


def _pages_aware(api_handler: Any) -> Any:
    """The API's handler, but the portal's and the workspace's pages get HTML."""
    return workspace.workspace_aware(client_portal.portal_aware(api_handler))


def _lifespan(settings: Settings) -> Any:
    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await db.start_pool(settings.db_pool_min, settings.db_pool_max)
        open_redis(settings.redis_url or "")
        # What is loaded by now lives as long as the process: kept out of the cyclic
        # collector's full passes, which otherwise walk it all and stall requests.
        gc.freeze()
        try:
            yield
        finally:
            await close_redis()
            await db.close_pool()

    return lifespan


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    configured_weights(settings)
    configure_logging(settings.log_format, settings.log_level)
    wiring.wire()
    controllers: list[Any] = [
        SystemController,
        *auth_routes,
        *client_routes,
        *account_routes,
        *placement_routes,
        *queue_routes,
        *work_queue_routes,
        *settlement_routes,
        *remittance_routes,
        *supervision_routes,
        *letter_routes,
        *dispute_routes,
        *message_routes,
        *notice_routes,
    ]
    _document_errors(controllers)
    app = Litestar(
        route_handlers=[
            *controllers,
            *client_portal.routes(),
            *workspace.routes(),
            *front_page.routes(),
            api_docs.static_route(),
        ],
        middleware=[
            DefineMiddleware(
                BearerAuthenticationMiddleware,
                exclude=["^/schema", "^/portal", "^/workspace", "^/static"],
                exclude_from_auth_key="exclude_from_auth",
            ),
        ],
        dependencies={"principal": Provide(provide_principal, sync_to_thread=False)},
        request_class=CheckedJsonRequest,
        # Pages under /portal and /workspace render their errors as pages; the rest as the
        # API's JSON.
        exception_handlers={
            DomainError: _pages_aware(_domain_error),
            ValidationException: _pages_aware(_validation_error),
            NotAuthorizedException: _pages_aware(_http_error),
            PermissionDeniedException: _pages_aware(_http_error),
            NotFoundException: _pages_aware(_http_error),
            HTTPException: _pages_aware(_http_error),
            Exception: _pages_aware(_unexpected),
        },
        template_config=client_portal.template_config(
            settings, [front_page.TEMPLATES, workspace.TEMPLATES]
        ),
        lifespan=[_lifespan(settings)],
        openapi_config=OpenAPIConfig(
            title=f"{settings.agency_name} — agency server",
            version="1.0.0",
            description=api_docs.DESCRIPTION,
            path="/schema",
            render_plugins=api_docs.render_plugins(),
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="An access token from /api/v1/auth/login or a client API token",
                    )
                }
            ),
            security=[{"bearer": []}],
        ),
        request_max_body_size=1024 * 1024,
        # Logging is ours (structlog, redaction); Litestar must not reconfigure it.
        logging_config=None,
        debug=False,
    )
    # Around routing and the exception handlers: every response, a 404 included, carries
    # the request id and is logged with its real status.
    app.asgi_handler = RequestContext(app.asgi_handler)
    return app
