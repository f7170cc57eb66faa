"""Disputes: thin controllers over the disputes service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.auth.guards import CurrentPrincipal, requires
from server.auth.principal import Role
from server.disputes import service, verification
from server.disputes.schemas import (
    DisputeCreate,
    DisputeRead,
    DuplicateCreate,
    OpenDisputeRead,
    VerificationAnswer,
    VerificationDocumentRead,
    VerificationRecall,
    VerificationRequestRead,
)
from server.kit.pagination import Page, page_request
from server.kit.params import Cursor, Limit
from server.kit.uploads import read_upload


class AccountDisputeController(Controller):
    path = "/api/v1/accounts/{account_id:uuid}/disputes"
    tags = ["disputes"]

    @post(
        operation_id="RecordDispute",
        status_code=HTTP_201_CREATED,
        guards=[requires(Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR)],
    )
    async def record_dispute(
        self, principal: CurrentPrincipal, account_id: FromPath[UUID], data: JSONBody[DisputeCreate]
    ) -> DisputeRead:
        """Record a dispute or a request for the original creditor's name and address, as
        the consumer made it (the agency's people). Timely and in writing (written, or
        electronic where the agency accepts it), whole or partial, it stops collection until
        verification is mailed; any other marks the debt disputed and leaves it open."""
        return await service.record_dispute(principal, account_id, data)

    @get(operation_id="ListAccountDisputes")
    async def list_disputes(
        self,
        principal: CurrentPrincipal,
        account_id: FromPath[UUID],
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Page[DisputeRead]:
        """The account's disputes, newest first (a client: its own accounts')."""
        return await service.list_disputes(principal, account_id, page_request(limit, cursor))


class DisputeController(Controller):
    path = "/api/v1/disputes"
    tags = ["disputes"]
    guards = [requires(Role.ADMIN, Role.SUPERVISOR, Role.CLIENT)]

    @get(operation_id="ListOpenDisputes")
    async def open_disputes(
        self, principal: CurrentPrincipal, limit: Limit = None, cursor: Cursor = None
    ) -> Page[OpenDisputeRead]:
        """The aging report: disputes not yet answered, oldest first, each with its age in
        days; supervisors and admins see every client's, a client its own."""
        return await service.open_disputes(principal, page_request(limit, cursor))

    @post(
        "/{dispute_id:uuid}/duplicate",
        operation_id="MarkDisputeDuplicate",
        status_code=HTTP_200_OK,
        guards=[requires(Role.ADMIN, Role.SUPERVISOR)],
    )
    async def mark_duplicate(
        self,
        principal: CurrentPrincipal,
        dispute_id: FromPath[UUID],
        data: JSONBody[DuplicateCreate],
    ) -> DisputeRead:
        """Mark a written dispute duplicative (supervisors, admins): substantially the same
        as `duplicate_of`, an earlier dispute of the account already answered, with no new
        information (12 CFR 1006.38(d)(2)(ii)); `reason` says why."""
        return await service.mark_duplicate(principal, dispute_id, data)


class VerificationRequestController(Controller):
    path = "/api/v1/verification-requests"
    tags = ["disputes"]

    @get(operation_id="ListVerificationRequests")
    async def list_requests(
        self,
        principal: CurrentPrincipal,
        status: Annotated[str, QueryParameter(max_length=16)] = "open",
        limit: Limit = None,
        cursor: Cursor = None,
    ) -> Page[VerificationRequestRead]:
        """Verification requests, soonest due first (`status` open by default; verified,
        recalled, duplicate or all): a client its own, supervisors and admins every one."""
        return await verification.list_requests(principal, page_request(limit, cursor), status)

    @get("/{request_id:uuid}", operation_id="GetVerificationRequest")
    async def get_request(
        self, principal: CurrentPrincipal, request_id: FromPath[UUID]
    ) -> VerificationRequestRead:
        """One request: the dispute (the consumer's words), its documents and reminders."""
        return await verification.get_request(principal, request_id)

    @post(
        "/{request_id:uuid}/documents",
        operation_id="UploadVerificationDocument",
        status_code=HTTP_201_CREATED,
        request_max_body_size=None,
    )
    async def upload_document(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        request_id: FromPath[UUID],
        kind: Annotated[str, QueryParameter(max_length=32)] = "other",
        file_name: Annotated[str | None, QueryParameter(max_length=255)] = None,
    ) -> VerificationDocumentRead:
        """Upload a document of the answer (the client, or an admin): the file as the body
        (name in Content-Disposition or ?file_name=) or the `file` part of a multipart
        form; streamed. PDF, PNG, JPEG or TIFF by its bytes (else 415), at most 20 MB (else
        413); refused, nothing is stored. `kind`: itemized_statement, contract,
        signed_application or other."""
        upload = read_upload(request)
        return await verification.upload_document(principal, request_id, kind, upload)

    @post("/{request_id:uuid}/answer", operation_id="AnswerVerificationRequest",
          status_code=HTTP_200_OK)  # fmt: skip
    async def answer(
        self,
        principal: CurrentPrincipal,
        request_id: FromPath[UUID],
        data: JSONBody[VerificationAnswer],
    ) -> VerificationRequestRead:
        """Answer: the debt is verified by the documents uploaded (a dispute needs one);
        for an original-creditor request, its name and address. The letter that answers
        the dispute is made in the next batch; the block lifts when it is mailed."""
        return await verification.answer_request(principal, request_id, data)

    @post("/{request_id:uuid}/recall", operation_id="RecallInsteadOfVerifying",
          status_code=HTTP_200_OK)  # fmt: skip
    async def recall(
        self,
        principal: CurrentPrincipal,
        request_id: FromPath[UUID],
        data: JSONBody[VerificationRecall],
    ) -> VerificationRequestRead:
        """Recall the account instead of verifying it (the client's recall)."""
        return await verification.recall_instead(principal, request_id, data)


class VerificationDocumentController(Controller):
    path = "/api/v1/verification-documents"
    tags = ["disputes"]

    @get("/{document_id:uuid}", operation_id="DownloadVerificationDocument")
    async def download(self, principal: CurrentPrincipal, document_id: FromPath[UUID]) -> Stream:
        """A document as uploaded, as an attachment (never shown inline)."""
        document, chunks = await verification.document_file(principal, document_id)
        return document_download(document, chunks)


def document_download(document: VerificationDocumentRead, chunks: AsyncIterator[bytes]) -> Stream:
    """A client's document as an attachment, its type the one its bytes showed, never
    sniffed by the browser (it is the client's file, not ours)."""
    name = quote(document.file_name)
    return Stream(
        chunks,
        media_type=document.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
            "X-Content-Type-Options": "nosniff",
            "Content-Length": str(document.byte_size),
        },
    )


routes = [
    AccountDisputeController,
    DisputeController,
    VerificationRequestController,
    VerificationDocumentController,
]
