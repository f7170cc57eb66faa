"""Letters, letter batches and the vendor's return files: thin controllers over the
letters services. Staff download; only an admin imports a return file."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK

from server.auth.guards import CurrentPrincipal, admin_only, staff_only
from server.kit.errors import NotFound, PayloadTooLarge
from server.kit.uploads import read_upload
from server.letters import findings, returns, service
from server.letters.schemas import (
    LetterBatchRead,
    LetterDetail,
    LetterRead,
    NoticeFindingRead,
    ReturnImportRead,
)


def _ref(raw: str, kinds: tuple[str, ...], missing: str) -> tuple[UUID, str]:
    base, dot, suffix = raw.partition(".")
    if suffix not in kinds and (dot or "json" not in kinds):
        raise NotFound(missing)
    try:
        return UUID(base), suffix or "json"
    except ValueError:
        raise NotFound(missing) from None


def _file(content: bytes, kind: str, name: str) -> Response[bytes]:
    media = "application/pdf" if kind == "pdf" else "text/csv; charset=utf-8"
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'},
    )


# One route for `{id}.pdf` and `{id}.csv`: Litestar's path parameters take whole
# segments, so the suffix is parsed here.
@get(
    "/api/v1/letter-batches/{batch_id:str}",
    operation_id="GetLetterBatch",
    guards=[staff_only],
    responses={200: ResponseSpec(LetterBatchRead, description="The batch (JSON), or its file")},
    tags=["letters"],
)
async def get_letter_batch(principal: CurrentPrincipal, batch_id: FromPath[str]) -> Response[Any]:
    """A batch: what it holds; `{batch_id}.pdf` as the letter vendor takes it, every
    letter in one document, and `{batch_id}.csv` its index (letter id, account, address,
    pages, planned mailing date, enclosures); `{batch_id}.zip` the documents the
    verification letters enclose, each under the name the index's `enclosures` gives."""
    found, kind = _ref(batch_id, ("json", "pdf", "csv", "zip"), "no such letter batch")
    if kind == "zip":
        pieces = await service.batch_enclosures(found)
        return Stream(
            pieces,
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="enclosures-{found}.zip"'},
        )
    batch, content = await service.batch_file(found, kind)
    if kind == "json":
        return Response(batch)
    return _file(content, kind, f"letters-{batch.planned_mailing_on.isoformat()}-{found}")


@get(
    "/api/v1/letters/{letter_id:str}",
    operation_id="GetLetter",
    guards=[staff_only],
    responses={200: ResponseSpec(LetterDetail, description="The letter (JSON), or its PDF")},
    tags=["letters"],
)
async def get_letter(principal: CurrentPrincipal, letter_id: FromPath[str]) -> Response[Any]:
    """A letter as kept: what it is, its mailing history and the data it was made from;
    `{letter_id}.pdf` downloads its bytes."""
    found, kind = _ref(letter_id, ("json", "pdf"), "no such letter")
    read, data, pdf = await service.get_letter(found)
    if kind == "pdf":
        return _file(pdf, "pdf", f"letter-{found}")
    return Response(LetterDetail(letter=read, data=data))


@get(
    "/api/v1/accounts/{account_id:uuid}/letters",
    operation_id="ListAccountLetters",
    guards=[staff_only],
    tags=["letters"],
)
async def list_account_letters(
    principal: CurrentPrincipal, account_id: FromPath[UUID]
) -> list[LetterRead]:
    """Every letter made for the account (the validation notices, the settlement offers,
    plan confirmations and paid or settled letters), newest first, with what the vendor
    reported of each; `/api/v1/letters/{letter_id}.pdf` downloads one."""
    return await service.account_letters(principal, account_id)


@post(
    "/api/v1/letter-returns",
    operation_id="ImportLetterReturns",
    status_code=HTTP_200_OK,
    guards=[admin_only],
    request_max_body_size=None,
    tags=["letters"],
)
async def import_letter_returns(
    request: Request[Any, Any, Any], principal: CurrentPrincipal
) -> ReturnImportRead:
    """The letter vendor's return file (CSV: letter_id, mailed_on, returned_on, reason),
    as the body (text/csv) or the `file` part of a form. Each row is applied or reported
    with its line and reason; importing the same file again changes nothing."""
    upload = read_upload(request)
    body = bytearray()
    async for piece in upload.body:
        body.extend(piece)
        if len(body) > returns.MAX_BYTES:
            raise PayloadTooLarge(f"a return file is at most {returns.MAX_BYTES} bytes")
    return await returns.import_returns(principal, bytes(body), upload.file_name)


@get(
    "/api/v1/letter-findings",
    operation_id="ListLateNotices",
    guards=[staff_only],
    tags=["letters"],
)
async def list_late_notices(principal: CurrentPrincipal) -> list[NoticeFindingRead]:
    """Accounts whose first communication with the consumer was more than five days ago
    with no validation notice mailed (12 CFR 1006.34(a)(1)(i)), oldest first."""
    return await findings.late_notices()


routes = [
    list_late_notices,
    get_letter_batch,
    get_letter,
    list_account_letters,
    import_letter_returns,
]
