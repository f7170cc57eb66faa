"""A supervisor's pages: offers awaiting a decision, decided with a reason, and the
week's rule findings, the collectors at a glance, each collector's queue with its score
sentences, and the dispatcher run now. Thin handlers over workspace.supervising; the JSON
routes are GET /offers?status=pending_supervisor, POST /offers/{id}/decision, GET
/supervision/portfolios, GET /supervision/collectors, GET /queues/{collector} (and the
account detail's score section), POST /dispatch/run and GET /disputes (the aging report of
open disputes and their verification requests)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from server.auth.service import PortalSession
from server.disputes import service as dispute_service
from server.kit.errors import Conflict, InvalidInput, NotPermitted
from server.kit.pages import CSRF_FIELD, read_form
from server.kit.pagination import page_request
from workspace import forms, supervising
from workspace.rendering import Query, Refused, Session, page, refused, see_other
from workspace.session import PREFIX, check_csrf, provide_session

_DONE = {"accept": "The offer is accepted.", "reject": "The offer is rejected."}


async def _approvals(
    session: PortalSession,
    *,
    notice: str | None = None,
    failed: UUID | None = None,
    refusal: Refused | None = None,
    status: int = 200,
) -> Template:
    items = await supervising.awaiting(session.principal)
    return await page(
        "approvals.html", session, status=status, nav="approvals", items=items,
        notice=notice, failed_offer=failed, errors=refusal.errors if refusal else {},
        values=forms.form_values(refusal.values if refusal else {}),
    )  # fmt: skip


class SupervisorController(Controller):
    path = PREFIX
    include_in_schema = False
    dependencies = {"session": Provide(provide_session)}

    @get("/approvals")
    async def approvals(self, session: Session, done: Query = "") -> Template:
        return await _approvals(session, notice=_DONE.get(done))

    @post("/approvals/{offer_id:uuid}", status_code=HTTP_303_SEE_OTHER)
    async def decide(
        self, request: Request[Any, Any, Any], session: Session, offer_id: FromPath[UUID]
    ) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        decision, reason = form.get("decision"), form.get("reason")
        try:
            await supervising.decide(session.principal, offer_id, decision, reason)
        except (InvalidInput, Conflict, NotPermitted) as error:
            failed = refused("decision", {"reason": reason, "decision": decision}, error)
            return await _approvals(
                session, failed=offer_id, refusal=failed, status=error.status_code
            )
        return see_other(f"{PREFIX}/approvals?done={decision}")

    @get("/findings")
    async def findings(self, session: Session) -> Template:
        view = await supervising.findings(session.principal)
        return await page("findings.html", session, nav="findings", view=view)

    @get("/collectors")
    async def collectors(
        self, session: Session, scored: Query = "", queued: Query = ""
    ) -> Template:
        view = await supervising.collectors(session.principal)
        ran = (int(scored), int(queued)) if scored.isdigit() and queued.isdigit() else None
        return await page("collectors.html", session, nav="collectors", view=view, ran=ran)

    @get("/collectors/{collector_id:uuid}/queue")
    async def collector_queue(self, session: Session, collector_id: FromPath[UUID]) -> Template:
        view = await supervising.collector_queue(session.principal, collector_id)
        return await page("collector_queue.html", session, nav="collectors", view=view)

    @get("/disputes")
    async def disputes(self, session: Session, cursor: Query = "") -> Template:
        """The aging report: open disputes, oldest first, with their verification's due
        date (GET /disputes)."""
        supervising.require_supervisor(session.principal)
        found = await dispute_service.open_disputes(
            session.principal, page_request(50, cursor or None)
        )
        return await page("disputes.html", session, nav="disputes", found=found)

    @post("/dispatch", status_code=HTTP_303_SEE_OTHER)
    async def run_dispatcher(
        self, request: Request[Any, Any, Any], session: Session
    ) -> Response[Any]:
        check_csrf(session, (await read_form(request)).get(CSRF_FIELD))
        ran = await supervising.run_dispatcher(session.principal)
        return see_other(f"{PREFIX}/collectors?scored={ran.scored}&queued={ran.queued}#ran")


routes = [SupervisorController]
