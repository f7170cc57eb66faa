"""An admin's remittance pages: the statements (by client), the batch run now, and a
statement opened with its documents — PDF, CSV, the remittance advice once paid out and
a gross client's fee invoice — as the API's GET /statements/{id}[.csv|.pdf] and its
documents give them. Thin handlers over workspace.admin."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from server.auth.service import PortalSession
from server.kit.errors import Conflict, InvalidInput, NotFound
from server.kit.pages import CSRF_FIELD, read_form
from server.settlements.remittance import downloads
from server.settlements.remittance.schemas import PayoutMethod
from workspace import admin, forms
from workspace.rendering import Query, Session, page, see_other
from workspace.session import PREFIX, check_csrf, provide_session

ADMIN = f"{PREFIX}/admin"


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text) if text else None
    except ValueError:
        return None


PAYOUT_FIELDS = ("method", "reference", "paid_on")
PAYOUT_METHODS = [m.value for m in PayoutMethod]


async def _statement_page(
    session: PortalSession,
    statement_id: UUID,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    done: bool = False,
) -> Template:
    doc = await admin.statement(session.principal, statement_id)
    return await page(
        "admin/statement.html", session, status=status, nav="statements", doc=doc,
        values=forms.form_values(values or {}), errors=errors or {}, methods=PAYOUT_METHODS,
        failed="payout" if errors else None, paid=done,
    )  # fmt: skip


class AdminMoneyController(Controller):
    path = ADMIN
    include_in_schema = False
    dependencies = {"session": Provide(provide_session)}

    @get("/statements")
    async def statements(
        self, session: Session, client: Query = "", issued: Query = ""
    ) -> Template:
        chosen = _uuid(client)
        items = await admin.statements(session.principal, chosen)
        return await page(
            "admin/statements.html", session, nav="statements", items=items,
            names=await admin.client_names(session.principal), chosen=chosen,
            issued=int(issued) if issued.isdigit() else None,
            runs=await admin.runs(session.principal),
        )  # fmt: skip

    @post("/remittance", status_code=HTTP_303_SEE_OTHER)
    async def run(self, request: Request[Any, Any, Any], session: Session) -> Response[Any]:
        check_csrf(session, (await read_form(request)).get(CSRF_FIELD))
        ran = await admin.run_remittance(session.principal)
        return see_other(f"{ADMIN}/statements?issued={len(ran.statements)}#issued")

    # `{id}`, `{id}.csv` and `{id}.pdf`, as the API names them.
    @get("/statements/{statement_ref:str}")
    async def statement(
        self, session: Session, statement_ref: FromPath[str], done: Query = ""
    ) -> Response[Any]:
        base, _, suffix = statement_ref.partition(".")
        statement_id = _uuid(base)
        if statement_id is None or suffix not in ("", "csv", "pdf"):
            raise NotFound("no such statement")
        if suffix == "":
            return await _statement_page(session, statement_id, done=done == "paid")
        doc = await admin.statement(session.principal, statement_id)
        return downloads.statement_file(doc, suffix)

    @post("/statements/{statement_id:uuid}/payout", status_code=HTTP_303_SEE_OTHER)
    async def payout(
        self, request: Request[Any, Any, Any], session: Session, statement_id: FromPath[UUID]
    ) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        values = {name: form.get(name) or "" for name in PAYOUT_FIELDS}
        try:
            await admin.record_payout(session.principal, statement_id, values)
        except (InvalidInput, Conflict) as error:
            errors = (
                forms.field_errors("payout", error)
                if isinstance(error, InvalidInput)
                else {"form": forms.refusal_sentence(error)}
            )
            return await _statement_page(
                session, statement_id, values=values, errors=errors, status=error.status_code
            )
        return see_other(f"{ADMIN}/statements/{statement_id}?done=paid")

    @get("/statements/{statement_id:uuid}/remittance-advice.pdf")
    async def remittance_advice(
        self, session: Session, statement_id: FromPath[UUID]
    ) -> Response[Any]:
        doc, payout = await admin.advice(session.principal, statement_id)
        return downloads.advice_file(doc, payout, statement_id)

    @get("/statements/{statement_id:uuid}/fee-invoice.pdf")
    async def fee_invoice(self, session: Session, statement_id: FromPath[UUID]) -> Response[Any]:
        doc = await admin.invoice(session.principal, statement_id)
        return downloads.invoice_file(doc, statement_id)


routes = [AdminMoneyController]
