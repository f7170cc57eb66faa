"""The portal's pages: thin handlers over client_portal.service, rendered with Jinja.

Every page and form takes the signed-in session (`session`), and every form checks its
CSRF token before anything else is read from it. Nothing here is in the OpenAPI schema:
the isolation and fuzzing suites enumerate the API, and tests/client_portal covers these."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Stream, Template
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_303_SEE_OTHER

from client_portal import channel, layouts, service
from client_portal.errors import SECURITY_HEADERS
from client_portal.session import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    check_csrf,
    check_sign_in_csrf,
    end_session,
    new_sign_in_token,
    provide_session,
    read_form,
    set_sign_in_cookie,
    start_session,
)
from server.auth import service as auth
from server.auth.controllers import client_address
from server.auth.errors import InvalidCredentials, PortalForClients
from server.auth.service import PortalSession
from server.kit.csv_export import csv_stream
from server.kit.errors import InvalidInput, NotFound, TooManyRequests
from server.kit.pages import refusal_message, safe_next
from server.kit.uploads import read_upload
from server.settlements.remittance import advice, statements

Query = Annotated[str, QueryParameter(max_length=200)]
# What a page declares to receive the signed-in session (provided by PortalController).
Session = NamedDependency[PortalSession]


async def page(
    template: str, session: PortalSession | None, *, status: int = HTTP_200_OK, **context: Any
) -> Template:
    client = None if session is None else await service.client(session.principal)
    return Template(
        template_name=template,
        context={
            "session": session,
            "client": client,
            "csrf": session.csrf_token if session else "",
            "csrf_field": CSRF_FIELD,
            "nav": "",
            "unread": 0 if session is None else await channel.unread(session.principal),
            **context,
        },
        status_code=status,
        media_type=MediaType.HTML,
        headers=SECURITY_HEADERS,
    )


def see_other(url: str) -> Redirect:
    return Redirect(url, status_code=HTTP_303_SEE_OTHER, headers=SECURITY_HEADERS)


def _errors(invalid: InvalidInput) -> dict[str, str]:
    return {d.field: d.reason for d in invalid.details} or {"form": invalid.message}


def _safe_next(target: str) -> str:
    return safe_next(target, "/portal", "/portal/dashboard")


async def _decide_placement(
    request: Request[Any, Any, Any], session: Session, placement_id: UUID, *, confirm: bool
) -> Redirect:
    check_csrf(session, (await read_form(request)).get(CSRF_FIELD))
    await service.decide_placement(session.principal, placement_id, confirm=confirm)
    return see_other(
        f"/portal/placements/{placement_id}?done=" + ("confirmed" if confirm else "cancelled")
    )


def _download(rows: AsyncIterator[bytes], file_name: str) -> Stream:
    return Stream(
        rows,
        media_type="text/csv; charset=utf-8",
        headers=_attachment(file_name),
    )


def _attachment(file_name: str) -> dict[str, str]:
    return {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{file_name}"'}


def _pdf(content: bytes, file_name: str) -> Response[bytes]:
    return Response(content, media_type="application/pdf", headers=_attachment(file_name))


async def _confirm_recall(
    session: PortalSession, plan: service.RecallPlan, action: str, back: str
) -> Template:
    """Nothing recalled yet: the page that asks, with the count and the total balance."""
    return await page(
        "recall_confirm.html", session, nav="accounts", plan=plan, action=action, back=back
    )


class SignInController(Controller):
    path = "/portal"
    include_in_schema = False

    @get("/")
    async def home(self) -> Redirect:
        return see_other("/portal/dashboard")

    @get("/sign-in")
    async def sign_in_form(
        self, request: Request[Any, Any, Any], next: Query = "", expired: Query = ""
    ) -> Response[Any]:
        secret = request.cookies.get(SESSION_COOKIE)
        if secret and await auth.portal_session(secret) is not None:
            return see_other(_safe_next(next))
        token = new_sign_in_token()
        response = await page(
            "sign_in.html", None, sign_in_token=token, next=_safe_next(next), username="",
            error="Your session timed out. Please sign in again." if expired else None,
        )  # fmt: skip
        set_sign_in_cookie(response, token)
        return response

    @post("/sign-in", status_code=HTTP_303_SEE_OTHER)
    async def sign_in(self, request: Request[Any, Any, Any]) -> Response[Any]:
        form = await read_form(request)
        check_sign_in_csrf(request, form.get(CSRF_FIELD))
        username, target = form.get("username"), _safe_next(form.get("next"))
        try:
            session = await auth.open_portal_session(
                username, form.fields.get("password", [""])[0], client_address(request)
            )
        except (InvalidCredentials, PortalForClients, TooManyRequests) as refused:
            token = new_sign_in_token()
            message = refusal_message(
                refused,
                "This portal is for client businesses. Agency staff use the agency's app.",
            )
            response = await page(
                "sign_in.html", None, status=refused.status_code, sign_in_token=token,
                next=target, username=username, error=message,
            )  # fmt: skip
            response.headers.update(refused.headers)
            set_sign_in_cookie(response, token)
            return response
        redirect = see_other(target)
        start_session(redirect, session)
        return redirect


class PortalController(Controller):
    path = "/portal"
    include_in_schema = False
    dependencies = {"session": Provide(provide_session)}

    @post("/sign-out", status_code=HTTP_303_SEE_OTHER)
    async def sign_out(self, request: Request[Any, Any, Any], session: Session) -> Redirect:
        check_csrf(session, (await read_form(request)).get(CSRF_FIELD))
        await auth.close_portal_session(session)
        response = see_other("/portal/sign-in")
        end_session(response)
        return response

    @get("/dashboard")
    async def dashboard(self, session: Session) -> Template:
        view = await service.dashboard(session.principal)
        return await page("dashboard.html", session, nav="dashboard", view=view)

    @get("/dashboard.csv")
    async def dashboard_csv(self, session: Session) -> Stream:
        view = await service.dashboard(session.principal)

        async def rows() -> AsyncIterator[list[Any]]:
            for row in service.dashboard_rows(view):
                yield row

        return _download(
            csv_stream(("figure", "cents", "amount", "meaning"), rows()), "overview.csv"
        )

    # --- placements ---

    @get("/placements")
    async def placements(
        self, session: Session, cursor: Query = "", mapped: Query = ""
    ) -> Template:
        view = await service.placements_page(session.principal, cursor or None)
        kinds = await layouts.layouts(session.principal)
        saved = next((k for k in kinds if k.kind == mapped), None)
        notice = (
            f"Your {saved.words} layout is saved. Upload your file again: it will be read"
            " with your columns."
            if saved else None
        )  # fmt: skip
        return await page(
            "placements.html", session, nav="placements", view=view, layouts=kinds, notice=notice
        )

    @post("/placements/upload", request_max_body_size=None, status_code=HTTP_202_ACCEPTED)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        kind: Query = "",
        tier: Query = "",
    ) -> Response[Any]:
        """The file as the raw body, streamed; the CSRF token in a header (the body is the
        file, never read whole). Answers the page's script with where to go next."""
        check_csrf(session, request.headers.get(CSRF_HEADER))
        placement, created = await service.upload(
            session.principal, kind, tier, read_upload(request)
        )
        return Response(
            {"placement_id": str(placement.placement_id), "created": created,
             "location": f"/portal/placements/{placement.placement_id}"},
            status_code=HTTP_202_ACCEPTED if created else HTTP_200_OK,
            media_type=MediaType.JSON, headers=SECURITY_HEADERS,
        )  # fmt: skip

    @get("/placements/{placement_id:uuid}")
    async def placement(
        self, session: Session, placement_id: FromPath[UUID], done: Query = ""
    ) -> Template:
        view = await service.placement_view(session.principal, placement_id)
        notice = {
            "confirmed": "The file is confirmed: its accounts will be worked.",
            "cancelled": "The file is cancelled: none of its accounts will be worked.",
            "sent": "Your message is sent to the agency.",
        }.get(done)
        thread = await channel.placement_messages(session.principal, placement_id)
        return await page(
            "placement.html", session, nav="placements", view=view, notice=notice, thread=thread
        )

    @post("/placements/{placement_id:uuid}/confirm", status_code=HTTP_303_SEE_OTHER)
    async def confirm_placement(
        self, request: Request[Any, Any, Any], session: Session, placement_id: FromPath[UUID]
    ) -> Redirect:
        return await _decide_placement(request, session, placement_id, confirm=True)

    @post("/placements/{placement_id:uuid}/cancel", status_code=HTTP_303_SEE_OTHER)
    async def cancel_placement(
        self, request: Request[Any, Any, Any], session: Session, placement_id: FromPath[UUID]
    ) -> Redirect:
        return await _decide_placement(request, session, placement_id, confirm=False)

    @get("/placements/{placement_id:uuid}/progress")
    async def placement_progress(self, session: Session, placement_id: FromPath[UUID]) -> Template:
        """The progress panel alone, which the page polls until the file is loaded."""
        view = await service.placement_view(session.principal, placement_id)
        return await page("_placement_progress.html", session, view=view)

    @get("/placements/{placement_id:uuid}/errors.csv")
    async def errors_csv(self, session: Session, placement_id: FromPath[UUID]) -> Stream:
        rows = await service.placement_errors_csv(session.principal, placement_id)
        return _download(rows, f"placement-{placement_id}-errors.csv")

    @get("/placements/{placement_id:uuid}/acknowledgement.csv")
    async def acknowledgement_csv(self, session: Session, placement_id: FromPath[UUID]) -> Stream:
        rows = await service.acknowledgement_csv(session.principal, placement_id)
        return _download(rows, f"placement-{placement_id}-acknowledgement.csv")

    # --- accounts ---

    @get("/accounts")
    async def accounts(
        self,
        session: Session,
        q: Query = "",
        status: Query = "",
        cursor: Query = "",
        recalled: Query = "",
    ) -> Template:
        view = await service.accounts_page(session.principal, q.strip(), status, cursor or None)
        return await page(
            "accounts.html", session, nav="accounts", view=view, errors={}, numbers="", reason="",
            notice=f"Recalled {recalled}." if recalled else None,
        )  # fmt: skip

    @post("/accounts/recall", status_code=HTTP_303_SEE_OTHER)
    async def recall_many(self, request: Request[Any, Any, Any], session: Session) -> Response[Any]:
        """First the confirmation (how many accounts, their total balance); the accounts
        are recalled only when that page's button sends `confirmed`."""
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        numbers = [n.strip() for n in form.get("numbers").replace(",", "\n").splitlines()]
        ids, reason = form.getlist("account_id"), form.get("reason")
        try:
            if form.get("confirmed") != "yes":
                plan = await service.recall_plan(
                    session.principal, ids, [n for n in numbers if n], reason
                )
                return await _confirm_recall(
                    session, plan, "/portal/accounts/recall", "/portal/accounts"
                )
            count = await service.recall_many(
                session.principal, ids, [n for n in numbers if n], reason
            )
        except InvalidInput as invalid:
            view = await service.accounts_page(session.principal, "", "", None)
            return await page(
                "accounts.html", session, status=422, nav="accounts", view=view,
                errors=_errors(invalid), numbers=form.get("numbers"), reason=reason,
                notice=None,
            )  # fmt: skip
        noun = "account" if count == 1 else "accounts"
        return see_other(f"/portal/accounts?status=recalled&recalled={count}+{noun}")

    @get("/accounts.csv")
    async def accounts_csv(self, session: Session) -> Stream:
        """Every account with its status, balances and payments, streamed."""
        return _download(await service.accounts_csv(session.principal), "accounts.csv")

    @get("/accounts/{account_id:uuid}")
    async def account(
        self, session: Session, account_id: FromPath[UUID], done: Query = ""
    ) -> Template:
        view = await service.account_view(session.principal, account_id)
        notice = {
            "recalled": "The account is recalled.",
            "sent": "Your message is sent to the agency.",
        }.get(done)
        thread = await channel.account_messages(session.principal, account_id)
        return await page(
            "account.html", session, nav="accounts", view=view, errors={}, reason="",
            notice=notice, thread=thread,
        )  # fmt: skip

    @get("/accounts/{account_id:uuid}/payments.csv")
    async def payments_csv(self, session: Session, account_id: FromPath[UUID]) -> Stream:
        rows = await service.payments_csv(session.principal, account_id)
        return _download(rows, f"account-{account_id}-payments.csv")

    @post("/accounts/{account_id:uuid}/recall", status_code=HTTP_303_SEE_OTHER)
    async def recall(
        self, request: Request[Any, Any, Any], session: Session, account_id: FromPath[UUID]
    ) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        here = f"/portal/accounts/{account_id}"
        try:
            if form.get("confirmed") != "yes":
                plan = await service.recall_plan(
                    session.principal, [str(account_id)], [], form.get("reason")
                )
                return await _confirm_recall(session, plan, f"{here}/recall", here)
            await service.recall_many(session.principal, [str(account_id)], [], form.get("reason"))
        except InvalidInput as invalid:
            view = await service.account_view(session.principal, account_id)
            thread = await channel.account_messages(session.principal, account_id)
            return await page(
                "account.html", session, status=422, nav="accounts", view=view,
                errors=_errors(invalid), reason=form.get("reason"), notice=None, thread=thread,
            )  # fmt: skip
        return see_other(f"{here}?done=recalled")

    # --- disputes ---

    @get("/disputes")
    async def disputes(self, session: Session, cursor: Query = "") -> Template:
        found = await service.open_disputes(session.principal, cursor or None)
        return await page("disputes.html", session, nav="disputes", found=found)

    # --- approvals ---

    @get("/approvals")
    async def approvals(self, session: Session, done: Query = "") -> Template:
        items = await service.approvals(session.principal)
        notice = {"accept": "The offer is accepted.", "reject": "The offer is rejected."}.get(done)
        return await page(
            "approvals.html", session, nav="approvals", items=items, errors={}, failed=None,
            notice=notice, values={},
        )  # fmt: skip

    @post("/approvals/{offer_id:uuid}", status_code=HTTP_303_SEE_OTHER)
    async def decide(
        self, request: Request[Any, Any, Any], session: Session, offer_id: FromPath[UUID]
    ) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        decision = form.get("decision")
        try:
            await service.decide(session.principal, offer_id, decision, form.get("reason"))
        except InvalidInput as invalid:
            items = await service.approvals(session.principal)
            return await page(
                "approvals.html", session, status=422, nav="approvals", items=items,
                errors=_errors(invalid), failed=offer_id, notice=None,
                values={"reason": form.get("reason")},
            )  # fmt: skip
        return see_other(f"/portal/approvals?done={decision}")

    # --- statements ---

    @get("/statements")
    async def statements(self, session: Session) -> Template:
        items = await service.statements_list(session.principal)
        return await page("statements.html", session, nav="statements", items=items)

    # `{id}`, `{id}.csv` and `{id}.pdf`, as the API names them.
    @get("/statements/{statement_ref:str}")
    async def statement(self, session: Session, statement_ref: FromPath[str]) -> Response[Any]:
        base, _, suffix = statement_ref.partition(".")
        try:
            statement_id = UUID(base)
        except ValueError:
            raise NotFound("no such statement") from None
        if suffix == "":
            view = await service.statement(session.principal, statement_id)
            return await page(
                "statement.html", session, nav="statements", statement=view.statement,
                numbers=view.account_numbers, period=view.period,
            )  # fmt: skip
        if suffix not in ("csv", "pdf"):
            raise NotFound("no such statement")
        doc = await service.statement_document(session.principal, statement_id)
        name = f"statement-{doc.statement.period_end.date().isoformat()}-{statement_id}.{suffix}"
        disposition = _attachment(name)
        if suffix == "csv":
            return Stream(
                statements.statement_csv(doc), media_type="text/csv; charset=utf-8",
                headers=disposition,
            )  # fmt: skip
        return _pdf(statements.statement_pdf(doc), name)

    @get("/statements/{statement_id:uuid}/remittance-advice.pdf")
    async def remittance_advice(
        self, session: Session, statement_id: FromPath[UUID]
    ) -> Response[Any]:
        doc, payout = await service.advice_document(session.principal, statement_id)
        return _pdf(
            advice.remittance_advice_pdf(doc, payout), f"remittance-advice-{statement_id}.pdf"
        )

    @get("/statements/{statement_id:uuid}/fee-invoice.pdf")
    async def fee_invoice(self, session: Session, statement_id: FromPath[UUID]) -> Response[Any]:
        doc = await service.invoice_document(session.principal, statement_id)
        return _pdf(advice.fee_invoice_pdf(doc), f"fee-invoice-{statement_id}.pdf")


routes = [SignInController, PortalController]
