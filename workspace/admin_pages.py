"""An admin's pages for clients, their API tokens, and users: thin handlers over
workspace.admin. Every form checks its CSRF token first; a refused one comes back with
what was typed and each fault next to its field (422, or the 409 the API would answer);
a form that went through redirects, so a reload sends nothing again. A new API token's
secret, shown once, crosses the redirect in a cookie of its own: HttpOnly, SameSite=Strict,
scoped to the client's page, gone after five minutes or as soon as the page has shown it,
and shown only while it opens a live token of that client."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from server.auth.errors import UsernameTaken
from server.auth.principal import Role
from server.auth.schemas import ApiTokenCreated
from server.auth.service import PortalSession
from server.clients.errors import ClientNameTaken
from server.kit.errors import Conflict, DomainError, InvalidInput, NotPermitted
from server.kit.pages import CSRF_FIELD, Form, cookie_flags, read_form
from workspace import admin, client_form, forms
from workspace.rendering import Query, Session, page, see_other
from workspace.session import PREFIX, check_csrf, provide_session

ADMIN = f"{PREFIX}/admin"
_CLIENT_DONE = {
    "created": "The client is set up.",
    "saved": "The client's settings are saved.",
    "revoked": "The token is revoked: it opens nothing any more.",
}
_USER_DONE = {
    "created": "The user is added.",
    "deactivated": "The user is deactivated: none of their sign-ins or tokens work.",
    "activated": "The user may sign in again.",
    "collector": "The collector's capacity and portfolio are saved.",
}
USER_FIELDS = ("username", "password", "role", "client_id", "capacity")
# The new token's secret on its way from the form's redirect to the page.
NEW_TOKEN_COOKIE = "new_api_token"
NEW_TOKEN_SECONDS = 300


def _errors(error: DomainError, taken_field: str) -> dict[str, str]:
    if isinstance(error, InvalidInput):
        if taken_field == "name":
            return client_form.errors_of(error)
        return forms.field_errors("user", error)
    if isinstance(error, ClientNameTaken | UsernameTaken):
        return {taken_field: f"{error.message}: choose another"}
    return {"form": forms.refusal_sentence(error)}


async def _client_page(
    session: PortalSession,
    client_id: UUID | None,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    notice: str | None = None,
    created: ApiTokenCreated | None = None,
    token_errors: dict[str, str] | None = None,
) -> Template:
    actor = session.principal
    found = await admin.client(actor, client_id) if client_id else None
    if values is None:
        values = client_form.values_of(found) if found else client_form.blank_values()
    return await page(
        "admin/client.html", session, status=status, nav="clients", client=found,
        failed="client", values=forms.form_values(values), errors=errors or {},
        choices=client_form.CHOICES, tiers=client_form.TIERS, methods=client_form.METHOD_LABELS,
        levels=client_form.LEVELS, limits=client_form.LIMITS, notice=notice,
        tokens=await admin.tokens(actor, client_id) if client_id else [],
        created=created, token_errors=token_errors or {},
    )  # fmt: skip


def _client_path(client_id: UUID) -> str:
    return f"{ADMIN}/clients/{client_id}"


async def _users_page(
    session: PortalSession,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    failed: str = "",
    failed_user: str = "",
    status: int = 200,
    notice: str | None = None,
) -> Template:
    actor = session.principal
    return await page(
        "admin/users.html", session, status=status, nav="users",
        items=await admin.users(actor), names=await admin.client_names(actor),
        roles=[r.value for r in Role], failed=failed, failed_user=failed_user,
        values=forms.form_values(values or {}), errors=errors or {}, notice=notice,
    )  # fmt: skip


def _client_values(form: Form) -> dict[str, Any]:
    return {name: form.get(name) for name in client_form.FIELDS}


class AdminController(Controller):
    path = ADMIN
    include_in_schema = False
    dependencies = {"session": Provide(provide_session)}

    # --- clients ---

    @get("/clients")
    async def clients(self, session: Session) -> Template:
        items = await admin.client_list(session.principal)
        return await page("admin/clients.html", session, nav="clients", items=items)

    @get("/clients/new")
    async def new_client(self, session: Session) -> Template:
        admin.require_admin(session.principal)
        return await _client_page(session, None)

    @post("/clients", status_code=HTTP_303_SEE_OTHER)
    async def create_client(
        self, request: Request[Any, Any, Any], session: Session
    ) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        values = _client_values(form)
        try:
            made = await admin.create_client(session.principal, values)
        except (InvalidInput, Conflict) as error:
            errors = _errors(error, "name")
            return await _client_page(
                session, None, values=values, errors=errors, status=error.status_code
            )
        return see_other(f"{ADMIN}/clients/{made.client_id}?done=created")

    @get("/clients/{client_id:uuid}")
    async def client(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        client_id: FromPath[UUID],
        done: Query = "",
    ) -> Template:
        passed = request.cookies.get(NEW_TOKEN_COOKIE)
        created = None
        if passed:
            created = await admin.token_just_made(session.principal, client_id, passed)
        shown = await _client_page(
            session, client_id, notice=_CLIENT_DONE.get(done), created=created
        )
        if passed:
            shown.delete_cookie(NEW_TOKEN_COOKIE, path=_client_path(client_id))
        return shown

    @post("/clients/{client_id:uuid}", status_code=HTTP_303_SEE_OTHER)
    async def update_client(
        self, request: Request[Any, Any, Any], session: Session, client_id: FromPath[UUID]
    ) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        values = _client_values(form)
        try:
            await admin.update_client(session.principal, client_id, values)
        except (InvalidInput, Conflict) as error:
            errors = _errors(error, "name")
            return await _client_page(
                session, client_id, values=values, errors=errors, status=error.status_code
            )
        return see_other(f"{ADMIN}/clients/{client_id}?done=saved")

    @post("/clients/{client_id:uuid}/tokens", status_code=HTTP_303_SEE_OTHER)
    async def create_token(
        self, request: Request[Any, Any, Any], session: Session, client_id: FromPath[UUID]
    ) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        try:
            made = await admin.create_token(session.principal, client_id, form.get("name"))
        except InvalidInput as error:
            wrong = {"name": error.details[0].reason if error.details else error.message}
            return await _client_page(session, client_id, token_errors=wrong, status=422)
        shown = see_other(f"{_client_path(client_id)}#token-created")
        flags = {**cookie_flags(_client_path(client_id)), "samesite": "strict"}
        shown.set_cookie(
            Cookie(key=NEW_TOKEN_COOKIE, value=made.token, max_age=NEW_TOKEN_SECONDS, **flags)
        )
        return shown

    @post("/clients/{client_id:uuid}/tokens/{token_id:uuid}/revoke", status_code=HTTP_303_SEE_OTHER)
    async def revoke_token(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        client_id: FromPath[UUID],
        token_id: FromPath[UUID],
    ) -> Response[Any]:
        check_csrf(session, (await read_form(request)).get(CSRF_FIELD))
        await admin.revoke_token(session.principal, client_id, token_id)
        return see_other(f"{ADMIN}/clients/{client_id}?done=revoked#tokens")

    # --- users ---

    @get("/users")
    async def users(self, session: Session, done: Query = "") -> Template:
        return await _users_page(session, notice=_USER_DONE.get(done))

    @post("/users", status_code=HTTP_303_SEE_OTHER)
    async def create_user(self, request: Request[Any, Any, Any], session: Session) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        values: dict[str, Any] = {name: form.get(name) for name in USER_FIELDS}
        values["client_ids"] = form.getlist("client_ids")
        try:
            await admin.create_user(session.principal, values)
        except (InvalidInput, Conflict) as error:
            errors = _errors(error, "username")
            values["password"] = ""  # never sent back
            return await _users_page(
                session, values=values, errors=errors, failed="user", status=error.status_code
            )
        return see_other(f"{ADMIN}/users?done=created")

    @post("/users/{user_id:uuid}/active", status_code=HTTP_303_SEE_OTHER)
    async def set_active(
        self, request: Request[Any, Any, Any], session: Session, user_id: FromPath[UUID]
    ) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        active = form.get("active") == "1"
        try:
            await admin.set_active(session.principal, user_id, active)
        except (Conflict, NotPermitted) as error:
            return await _users_page(
                session, errors=_errors(error, ""), failed="row", failed_user=str(user_id),
                status=error.status_code,
            )  # fmt: skip
        return see_other(f"{ADMIN}/users?done={'activated' if active else 'deactivated'}")

    @post("/users/{user_id:uuid}/collector", status_code=HTTP_303_SEE_OTHER)
    async def update_collector(
        self, request: Request[Any, Any, Any], session: Session, user_id: FromPath[UUID]
    ) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        values = {"capacity": form.get("capacity"), "client_ids": form.getlist("client_ids")}
        try:
            await admin.update_collector(session.principal, user_id, values)
        except InvalidInput as error:
            return await _users_page(
                session, values=values, errors=forms.field_errors("collector", error),
                failed="collector", failed_user=str(user_id), status=422,
            )  # fmt: skip
        return see_other(f"{ADMIN}/users?done=collector")


routes = [AdminController]
