"""Verification requests to the client: opened with every dispute, answered by the client
with documents (or the original creditor's name and address), or by recalling the account.

**Every dispute opens one**, blocking or marking: a marked debt is still disputed (the
agency describes it so until it answers, 1692e(8)), and an agency that must be able to
verify it if asked again needs the client's documents either way. A dispute received
while another's request is open opens its own: each dispute is answered by its own
letter, about what that consumer said.

The client answers through the API or the portal: documents streamed into PostgreSQL in
1 MiB chunks (as placement files), at most 20 MB each and only PDF, PNG, JPEG or TIFF by
their first bytes (verification_rules.sniff): anything else is refused (415, 413) before
its transaction commits, so nothing of it is stored. Answered, the letter that answers the
dispute is due (disputes.answers); recalled, the account leaves collection through the
accounts service's recall, which closes its open requests (`close_requests_of`).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from server.accounts import service as accounts
from server.accounts.schemas import StatusActionRequest
from server.accounts.statuses import StatusAction
from server.audit import service as audit
from server.auth.principal import SYSTEM, Principal, Role
from server.disputes import reminders
from server.disputes import verification_repository as repository
from server.disputes.answer_kinds import DUPLICATE_DISPUTE, ORIGINAL_CREDITOR, VERIFICATION
from server.disputes.rules import Kind
from server.disputes.schemas import (
    ReminderRead,
    VerificationAnswer,
    VerificationDocumentRead,
    VerificationRecall,
    VerificationRequestRead,
)
from server.disputes.verification_rules import (
    MAX_DOCUMENT_BYTES,
    SNIFF_BYTES,
    DocumentKind,
    Reminder,
    due_on,
    sniff,
)
from server.kit import clock, db
from server.kit.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    NotPermitted,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from server.kit.mapping import read_as
from server.kit.pagination import Page, PageRequest, make_page
from server.kit.settings import get_settings
from server.kit.uploads import Upload, clean_file_name

CHUNK_BYTES = 1 << 20
# Who answers a request: the client (a user or its API token), or an admin on its behalf.
ANSWER_ROLES = frozenset({Role.CLIENT, Role.ADMIN})
# Who reads the list of requests: the client its own, supervisors and admins every one.
LIST_ROLES = frozenset({Role.CLIENT, Role.SUPERVISOR, Role.ADMIN})
STATUSES = ("open", "verified", "recalled", "duplicate")


async def open_request(dispute: asyncpg.Record) -> None:
    """Inside the dispute's transaction: the request to the client, due
    VERIFICATION_DUE_BD business days after today, and the client told of it."""
    opened_at = clock.now()
    due = due_on(clock.agency_date(opened_at), get_settings().verification_due_bd)
    request_id = await repository.insert_request(
        dispute["dispute_id"], dispute["account_id"], dispute["client_id"], opened_at, due
    )
    await audit.record(
        SYSTEM, "verification.requested", "verification_request", request_id,
        client_id=dispute["client_id"],
        after={"dispute_id": dispute["dispute_id"], "due_on": due},
    )  # fmt: skip
    await reminders.remind(
        [(request_id, dispute["client_id"], Reminder.REQUESTED)], clock.agency_date(opened_at)
    )


Row = Mapping[str, Any] | asyncpg.Record


def _read(
    row: Row,
    documents: Sequence[Row] = (),
    reminded: Sequence[Row] = (),
    today: date | None = None,
) -> VerificationRequestRead:
    today = clock.agency_today() if today is None else today
    return read_as(
        VerificationRequestRead,
        row,
        overdue=row["status"] == "open" and row["due_on"] < today,
        documents=[read_as(VerificationDocumentRead, d) for d in documents],
        reminders=[read_as(ReminderRead, r) for r in reminded],
    )


async def list_requests(
    actor: Principal, page: PageRequest, status: str = "open"
) -> Page[VerificationRequestRead]:
    """Requests soonest due first: a client its own, supervisors and admins every one."""
    if actor.role not in LIST_ROLES:
        raise NotPermitted("verification requests are for clients, supervisors and admins")
    if status not in (*STATUSES, "all"):
        raise InvalidInput.field("status", f"must be one of {', '.join((*STATUSES, 'all'))}")
    found = page.key(type(clock.agency_today()), UUID)
    rows = await repository.requests(
        actor.visible_clients(),
        STATUSES if status == "all" else (status,),
        found,  # type: ignore[arg-type]
        page.fetch_limit,
    )
    items = [_read(r) for r in rows]
    return make_page(items, page, key=lambda r: (r.due_on, r.request_id))


async def _visible_request(
    actor: Principal, request_id: UUID, *, for_update: bool = False
) -> asyncpg.Record:
    row = await repository.request(request_id, actor.visible_clients(), for_update=for_update)
    if row is None:
        raise NotFound("no such verification request")
    # A collector sees a request only through an account of its portfolio.
    await accounts.visible_account(actor, row["account_id"])
    return row


async def get_request(actor: Principal, request_id: UUID) -> VerificationRequestRead:
    """One request with its dispute, its documents and the reminders it brought."""
    row = await _visible_request(actor, request_id)
    documents = await repository.documents([request_id])
    return _read(row, documents, await repository.reminders(request_id))


async def requests_section(actor: Principal, account_id: UUID) -> list[VerificationRequestRead]:
    """An account's requests, newest first, with their documents (the workspace's account
    screen; the caller's right to the account was checked)."""
    rows = await repository.requests_of_account(account_id)
    documents = await repository.documents([r["request_id"] for r in rows])
    return _requests(rows, documents, clock.agency_today())


def _requests(
    rows: Sequence[Row], documents: Sequence[Row], today: date
) -> list[VerificationRequestRead]:
    return [
        _read(r, [d for d in documents if d["request_id"] == r["request_id"]], today=today)
        for r in rows
    ]


# The detail's verification requests in its one statement: the same reads as above.
REQUESTS_SECTION = accounts.DetailSection(
    parts={
        "requests": db.bind(repository.REQUESTS_OF_ACCOUNT_SQL, "$account"),
        "documents": db.bind(repository.ACCOUNT_DOCUMENTS_SQL, "$account"),
    },
    read=lambda reading: _requests(
        reading.parts["requests"],
        reading.parts["documents"],
        clock.agency_date(reading.read_at),
    ),
)


def _answerable(actor: Principal, row: asyncpg.Record) -> None:
    if actor.role not in ANSWER_ROLES:
        raise NotPermitted("only the client (or an admin) answers a verification request")
    if row["status"] != "open":
        raise Conflict(f"the request is {row['status']}", code="request_closed")


async def _first_bytes(body: AsyncIterator[bytes]) -> tuple[bytes, AsyncIterator[bytes]]:
    """The upload's first SNIFF_BYTES (or all of it, if shorter), and the rest."""
    head = bytearray()
    async for piece in body:
        head += piece
        if len(head) >= SNIFF_BYTES:
            break
    return bytes(head), body


async def upload_document(
    actor: Principal, request_id: UUID, kind: str, upload: Upload
) -> VerificationDocumentRead:
    """Store one document of the client's answer, streamed in chunks; refused whole (415
    not a PDF, PNG, JPEG or TIFF by its bytes; 413 over 20 MB; 422 empty) with nothing
    stored."""
    async with db.transaction():
        row = await _visible_request(actor, request_id, for_update=True)
        _answerable(actor, row)
        try:
            document_kind = DocumentKind(kind)
        except ValueError:
            names = ", ".join(k.value for k in DocumentKind)
            raise InvalidInput.field("kind", f"must be one of {names}") from None
        head, rest = await _first_bytes(upload.body)
        if not head:
            raise InvalidInput.field("file", "is empty")
        recognised = sniff(head)
        if recognised is None:
            raise UnsupportedMediaType(
                "the file is not a PDF, PNG, JPEG or TIFF (judged by its first bytes)",
                code="unsupported_file_type",
            )
        document_id = uuid.uuid4()
        digest = hashlib.sha256(head)
        pending = bytearray(head)
        size = len(head)
        seq = 0
        async for piece in rest:
            size += len(piece)
            if size > MAX_DOCUMENT_BYTES:
                raise PayloadTooLarge(
                    f"the file is larger than {MAX_DOCUMENT_BYTES} bytes (20 MB)",
                    code="file_too_large",
                )
            digest.update(piece)
            pending += piece
            while len(pending) >= CHUNK_BYTES:
                await repository.insert_chunk(
                    document_id, row["client_id"], seq, bytes(pending[:CHUNK_BYTES])
                )
                del pending[:CHUNK_BYTES]
                seq += 1
        if pending:
            await repository.insert_chunk(document_id, row["client_id"], seq, bytes(pending))
            seq += 1
        name = clean_file_name(upload.file_name) or f"{document_kind.value}.{recognised[1]}"
        stored = await repository.insert_document(
            document_id=document_id, request_id=request_id, client_id=row["client_id"],
            kind=document_kind, file_name=name[:255], media_type=recognised[0], byte_size=size,
            sha256=digest.hexdigest(), chunk_count=seq, uploaded_by=actor.id,
        )  # fmt: skip
        await audit.record(
            actor, "verification.document", "verification_request", request_id,
            client_id=row["client_id"],
            after={"document_id": document_id, "kind": document_kind, "file_name": name,
                   "media_type": recognised[0], "bytes": size, "sha256": digest.hexdigest()},
        )  # fmt: skip
    return read_as(VerificationDocumentRead, stored)


async def document_file(
    actor: Principal, document_id: UUID
) -> tuple[VerificationDocumentRead, AsyncIterator[bytes]]:
    """A document as uploaded, to whoever may see its account, read back chunk by chunk."""
    row = await repository.document(document_id)
    if row is None or not actor.may_see_client(row["client_id"]):
        raise NotFound("no such document")
    await accounts.visible_account(actor, row["account_id"])

    async def chunks() -> AsyncIterator[bytes]:
        for seq in range(row["chunk_count"]):
            yield await repository.chunk(document_id, seq)

    return read_as(VerificationDocumentRead, row), chunks()


def _creditor_answer(
    row: asyncpg.Record, account: asyncpg.Record, data: VerificationAnswer
) -> tuple[str | None, str | None]:
    """An original-creditor request's name and address: the name the client gives, else
    the account's; the address the client gives (the file carries none)."""
    if row["kind"] != Kind.ORIGINAL_CREDITOR_REQUEST:
        return None, None
    name = (data.original_creditor_name or "").strip() or account["original_creditor"]
    address = " | ".join(
        line.strip() for line in (data.original_creditor_address or "").split("|") if line.strip()
    )
    problems: list[FieldError] = []
    if not name:
        problems.append(FieldError("original_creditor_name", "is required: the account names none"))
    if not address:
        problems.append(
            FieldError("original_creditor_address", "is required (lines separated by |)")
        )
    if problems:
        raise InvalidInput("; ".join(f"{p.field}: {p.reason}" for p in problems), details=problems)
    return name, address


async def answer_request(
    actor: Principal, request_id: UUID, data: VerificationAnswer
) -> VerificationRequestRead:
    """The client's answer: verified by the documents uploaded (a dispute needs at least
    one), or the original creditor's name and address. The letter that answers the
    dispute is then due in the next batch; audited."""
    async with db.transaction():
        row = await _visible_request(actor, request_id, for_update=True)
        _answerable(actor, row)
        documents = await repository.documents([request_id])
        account = await accounts.visible_account(SYSTEM, row["account_id"])
        name, address = _creditor_answer(row, account, data)
        if row["kind"] == Kind.DISPUTE and not documents:
            raise InvalidInput.field(
                "documents", "upload at least one document that verifies the debt first"
            )
        note = (data.note or "").strip() or None
        now = clock.now()
        await repository.close_request(
            request_id, "verified", now, actor.id, note=note, creditor=(name, address)
        )
        kind = ORIGINAL_CREDITOR if row["kind"] == Kind.ORIGINAL_CREDITOR_REQUEST else VERIFICATION
        await repository.insert_answer(
            row["dispute_id"], row["account_id"], row["client_id"], kind, request_id
        )
        await audit.record(
            actor, "verification.answered", "verification_request", request_id,
            client_id=row["client_id"],
            after={"documents": [d["document_id"] for d in documents], "letter": kind,
                   "note": note, "original_creditor_name": name,
                   "original_creditor_address": address},
        )  # fmt: skip
    return await get_request(actor, request_id)


async def recall_instead(
    actor: Principal, request_id: UUID, data: VerificationRecall
) -> VerificationRequestRead:
    """The client recalls the account rather than verify it: the accounts service's recall
    (which closes the account's open requests, `close_requests_of`)."""
    reason = data.reason.strip()
    if not reason:
        raise InvalidInput.field("reason", "must not be blank")
    async with db.transaction():
        row = await _visible_request(actor, request_id, for_update=True)
        _answerable(actor, row)
        await accounts.change_status(
            actor, row["account_id"], StatusAction.RECALL,
            StatusActionRequest(reason=f"instead of verifying the dispute: {reason}"),
        )  # fmt: skip
    return await get_request(actor, request_id)


async def close_requests_of(
    conn: Any, account_ids: list[UUID], status: str, actor_id: UUID | None
) -> None:
    """Accounts that left collection (recalled, closed): their open requests close, in the
    transaction that moved them (registered with accounts by server.wiring)."""
    await repository.close_open_requests_of(conn, account_ids, clock.now(), actor_id or SYSTEM.id)


async def close_as_duplicate(actor: Principal, dispute: asyncpg.Record, at: datetime) -> None:
    """A dispute marked duplicative needs nothing of the client: its open request closes,
    and the duplicate-dispute notice is due (in the decision's transaction). Refused when
    the client already answered it: that answer's letter is on its way."""
    found = await repository.request_of_dispute(dispute["dispute_id"], for_update=True)
    if found is not None and found["status"] == "verified":
        raise Conflict(
            "the client already answered the dispute's verification request: its letter"
            " answers the dispute",
            code="request_answered",
        )
    if found is not None:
        await repository.close_request(found["request_id"], "duplicate", at, actor.id)
    await repository.insert_answer(
        dispute["dispute_id"], dispute["account_id"], dispute["client_id"], DUPLICATE_DISPUTE,
        None,
    )  # fmt: skip
