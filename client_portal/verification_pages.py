"""The portal's verification requests: the list of what the agency asks the client to
verify (open ones soonest due first, with the overdue marked), a request's page (the
consumer's words, the dispute, the documents, the reminders), the document upload (the
file as the body, streamed, the CSRF token in a header, as placements'), the answer and
the recall instead. Thin handlers over server.disputes.verification."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_303_SEE_OTHER

from client_portal.controllers import Query, Session, page, see_other
from client_portal.errors import SECURITY_HEADERS
from client_portal.session import CSRF_FIELD, CSRF_HEADER, check_csrf, provide_session, read_form
from server.auth.service import PortalSession
from server.disputes import verification
from server.disputes.controllers import document_download
from server.disputes.schemas import VerificationAnswer, VerificationRecall
from server.disputes.verification_rules import DocumentKind
from server.kit.errors import InvalidInput
from server.kit.pagination import page_request
from server.kit.uploads import read_upload

PAGE_SIZE = 50
LONGEST = {"note": 2000, "original_creditor_name": 200, "original_creditor_address": 400}
DONE = {
    "answered": "Thank you: the debt is verified. The agency mails the verification to the"
    " consumer with the next letters; collection resumes once it is mailed.",
    "recalled": "The account is recalled: the agency no longer collects it.",
    "uploaded": "The document is uploaded. Add any other, then send the answer.",
}


async def _request_page(
    session: PortalSession,
    request_id: UUID,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    notice: str | None = None,
) -> Template:
    found = await verification.get_request(session.principal, request_id)
    return await page(
        "verification_request.html", session, status=status, nav="verification",
        vr=found, kinds=list(DocumentKind), errors=errors or {}, values=values or {},
        notice=notice,
    )  # fmt: skip


def _errors(invalid: InvalidInput) -> dict[str, str]:
    return {d.field: d.reason for d in invalid.details} or {"form": invalid.message}


class VerificationPages(Controller):
    path = "/portal/verification"
    include_in_schema = False
    dependencies = {"session": Provide(provide_session)}

    @get("/")
    async def requests(self, session: Session, cursor: Query = "", status: Query = "") -> Template:
        shown = status if status in ("all",) else "open"
        found = await verification.list_requests(
            session.principal, page_request(PAGE_SIZE, cursor or None), shown
        )
        return await page(
            "verification.html", session, nav="verification", found=found, shown=shown
        )

    @get("/{request_id:uuid}")
    async def request_page(
        self, session: Session, request_id: FromPath[UUID], done: Query = ""
    ) -> Template:
        return await _request_page(session, request_id, notice=DONE.get(done))

    @post("/{request_id:uuid}/documents", request_max_body_size=None,
          status_code=HTTP_201_CREATED)  # fmt: skip
    async def upload(
        self,
        request: Request[Any, Any, Any],
        session: Session,
        request_id: FromPath[UUID],
        kind: Query = "",
    ) -> Response[Any]:
        """The file as the raw body, streamed; answers the page's script with where to go."""
        check_csrf(session, request.headers.get(CSRF_HEADER))
        document = await verification.upload_document(
            session.principal, request_id, kind, read_upload(request)
        )
        return Response(
            {"document_id": str(document.document_id),
             "location": f"/portal/verification/{request_id}?done=uploaded#documents-title"},
            status_code=HTTP_201_CREATED, media_type=MediaType.JSON, headers=SECURITY_HEADERS,
        )  # fmt: skip

    @get("/documents/{document_id:uuid}")
    async def document(self, session: Session, document_id: FromPath[UUID]) -> Stream:
        found, chunks = await verification.document_file(session.principal, document_id)
        download = document_download(found, chunks)
        download.headers.update(SECURITY_HEADERS)
        return download

    @post("/{request_id:uuid}/answer", status_code=HTTP_303_SEE_OTHER)
    async def answer(
        self, request: Request[Any, Any, Any], session: Session, request_id: FromPath[UUID]
    ) -> Response[Any]:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        values = {name: form.get(name) for name in LONGEST}
        # The API's lengths (VerificationAnswer), which a form's fields do not enforce.
        answer = VerificationAnswer(**{k: v[: LONGEST[k]] or None for k, v in values.items()})
        try:
            await verification.answer_request(session.principal, request_id, answer)
        except InvalidInput as invalid:
            return await _request_page(
                session, request_id, status=422, errors=_errors(invalid), values=values
            )
        return see_other(f"/portal/verification/{request_id}?done=answered")

    @post("/{request_id:uuid}/recall", status_code=HTTP_303_SEE_OTHER)
    async def recall(
        self, request: Request[Any, Any, Any], session: Session, request_id: FromPath[UUID]
    ) -> Redirect | Template:
        form = await read_form(request)
        check_csrf(session, form.get(CSRF_FIELD))
        reason = form.get("reason").strip()
        if not reason:
            return await _request_page(
                session, request_id, status=422,
                errors={"reason": "Say why the account is recalled."},
            )  # fmt: skip
        await verification.recall_instead(
            session.principal, request_id, VerificationRecall(reason=reason[:2000])
        )
        return see_other(f"/portal/verification/{request_id}?done=recalled")


routes = [VerificationPages]
