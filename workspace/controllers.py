"""The workspace's pages: thin handlers over workspace.service, rendered with Jinja.

Every page and form takes the signed-in session (`session`), and every form checks its
CSRF token before anything else is read from it. Each action here is also a route of
the JSON API (queues/me, queues/me/next, queues/me/release, accounts/{id}/calls), so an
agency may write its own front end. Nothing here is in the OpenAPI schema."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from server.auth import service as auth
from server.auth.controllers import client_address
from server.auth.errors import InvalidCredentials, WorkspaceForStaff
from server.disputes import verification
from server.disputes.controllers import document_download
from server.kit.errors import InvalidInput, NotFound, TooManyRequests
from server.kit.pages import (
    CSRF_FIELD,
    new_sign_in_token,
    read_form,
    refusal_message,
    safe_next,
)
from workspace import service
from workspace.rendering import (
    Done,
    Query,
    Session,
    account_page,
    home_of,
    page,
    refused,
    see_other,
)
from workspace.session import (
    PREFIX,
    SESSION_COOKIE,
    check_csrf,
    check_sign_in_csrf,
    end_session,
    provide_session,
    require_collector,
    set_sign_in_cookie,
    start_session,
)

# The call form's fields (account.html).
CALL_FIELDS = ("phone", "outcome", "duration_min", "notes")


class SignInController(Controller):
    path = PREFIX
    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Any, Any, Any]) -> Redirect:
        secret = request.cookies.get(SESSION_COOKIE)
        session = await auth.workspace_session(secret) if secret else None
        return see_other(home_of(session) if session else f"{PREFIX}/sign-in")

    @get("/sign-in")
    async def sign_in_form(
        self, request: Request[Any, Any, Any], next: Query = "", expired: Query = ""
    ) -> Response[Any]:
        secret = request.cookies.get(SESSION_COOKIE)
        session = await auth.workspace_session(secret) if secret else None
        if session is not None:
            return see_other(safe_next(next, PREFIX, home_of(session)))
        token = new_sign_in_token()
        response = await page(
            "sign_in.html", None, sign_in_token=token, next=safe_next(next, PREFIX, ""),
            username="",
            error="Your session timed out. Please sign in again." if expired else None,
        )  # fmt: skip
        set_sign_in_cookie(response, token)
        return response

    @post("/sign-in", status_code=HTTP_303_SEE_OTHER)
    async def sign_in(self, request: Request[Any, Any, Any]) -> Response[Any]:
        form = await read_form(request)
        check_sign_in_csrf(request, form.get(CSRF_FIELD))
        username, target = form.get("username"), safe_next(form.get("next"), PREFIX, "")
        try:
            session = await auth.open_workspace_session(
                username, form.fields.get("password", [""])[0], client_address(request)
            )
        except (InvalidCredentials, WorkspaceForStaff, TooManyRequests) as refused:
            token = new_sign_in_token()
            message = refusal_message(
                refused,
                "This workspace is for the agency's staff. Clients use the client portal.",
            )
            response = await page(
                "sign_in.html", None, status=refused.status_code, sign_in_token=token,
                next=target, username=username, error=message,
            )  # fmt: skip
            response.headers.update(refused.headers)
            set_sign_in_cookie(response, token)
            return response
        redirect = see_other(target or home_of(session))
        start_session(redirect, session)
        return redirect


class WorkspaceController(Controller):
    path = PREFIX
    include_in_schema = False
    dependencies = {"session": Provide(provide_session)}

    @post("/sign-out", status_code=HTTP_303_SEE_OTHER)
    async def sign_out(self, request: Request[Any, Any, Any], session: Session) -> Redirect:
        check_csrf(session, (await read_form(request)).get(CSRF_FIELD))
        await auth.close_portal_session(session)
        response = see_other(f"{PREFIX}/sign-in")
        end_session(response)
        return response

    @get("/queue")
    async def queue(self, session: Session, done: Query = "") -> Template:
        require_collector(session)
        view = await service.my_queue(session.principal)
        notice = {
            "released": "The account is released back to your queue.",
            "not-leased": "You held no lease on that account: nothing to release.",
        }.get(done)
        return await page(
            "queue.html", session, nav="queue", view=view, notice=notice, empty_until=None
        )

    @post("/next", status_code=HTTP_303_SEE_OTHER)
    async def next_account(
        self, request: Request[Any, Any, Any], session: Session
    ) -> Response[Any]:
        check_csrf(session, (await read_form(request)).get(CSRF_FIELD))
        require_collector(session)
        found = await service.next_account(session.principal)
        if found.account is not None:
            return see_other(f"{PREFIX}/accounts/{found.account.account_id}")
        view = await service.my_queue(session.principal)
        return await page(
            "queue.html", session, nav="queue", view=view, notice=None,
            empty_until=found.next_callable_at or False,
        )  # fmt: skip

    @get("/search")
    async def search(self, session: Session, q: Query = "") -> Template:
        found = await service.search(session.principal, q.strip())
        return await page("search.html", session, nav="search", q=q.strip(), found=found)

    @get("/accounts/{account_id:uuid}")
    async def account(
        self,
        session: Session,
        account_id: FromPath[UUID],
        call: Query = "",
        offer: Query = "",
        payment: Query = "",
        done: Query = "",
    ) -> Template:
        shown = Done(call=call, offer=offer, payment=payment, done=done)
        return await account_page(session, account_id, done=shown)

    @post("/accounts/{account_id:uuid}/calls", status_code=HTTP_303_SEE_OTHER)
    async def record_call(
        self, request: Request[Any, Any, Any], session: Session, account_id: FromPath[UUID]
    ) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        values = {k: form.get(k) for k in CALL_FIELDS}
        try:
            call_id = await service.record_call(
                session.principal, account_id, values["phone"], values["outcome"],
                values["duration_min"], values["notes"],
            )  # fmt: skip
        except InvalidInput as invalid:
            failed = refused("call", values, invalid)
            return await account_page(session, account_id, failed=failed, status=422)
        return see_other(f"{PREFIX}/accounts/{account_id}?call={call_id}#call-result")

    @post("/accounts/{account_id:uuid}/release", status_code=HTTP_303_SEE_OTHER)
    async def release(
        self, request: Request[Any, Any, Any], session: Session, account_id: FromPath[UUID]
    ) -> Redirect:
        check_csrf(session, (await read_form(request)).get(CSRF_FIELD))
        require_collector(session)
        try:
            await service.release(session.principal, account_id)
        except NotFound:
            return see_other(f"{PREFIX}/queue?done=not-leased")
        return see_other(f"{PREFIX}/queue?done=released")

    @get("/verification-documents/{document_id:uuid}")
    async def verification_document(self, session: Session, document_id: FromPath[UUID]) -> Stream:
        """A client's document answering a verification request, as the API serves it."""
        found, chunks = await verification.document_file(session.principal, document_id)
        return document_download(found, chunks)


routes = [SignInController, WorkspaceController]
