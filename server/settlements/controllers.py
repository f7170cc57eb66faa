"""Payments, reversals and offers: thin controllers over the settlements services."""

from __future__ import annotations

import json
from typing import Annotated, Any
from uuid import UUID

from litestar import MediaType, Request, Response, get, post
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_201_CREATED

from server.auth.guards import CurrentPrincipal, requires, users_only
from server.auth.principal import Role
from server.kit.pagination import Page, page_request
from server.kit.params import Cursor, Limit
from server.settlements.schemas import (
    OfferCreate,
    OfferDecision,
    OfferRead,
    OfferStatus,
    OfferWithdraw,
    PaymentCreate,
    PaymentRead,
    ReversalCreate,
    ReversalRead,
)
from server.settlements.services import idempotency, offers, payments, reversals

# Required, but checked by the service after the caller's access to the account, so that
# someone else's account is 404 whatever the headers (the framework would answer 400 first).
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name=idempotency.IDEMPOTENCY_HEADER,
        min_length=1,
        max_length=255,
        description="Required (422 without it). The same key and body return the first "
        "answer; the same key with another body is 409. Scoped to the caller's client (or "
        "the agency), kept at least 30 days.",
    ),
]


async def refuse_card_numbers(request: Request[Any, Any, Any]) -> None:
    """Before the body is decoded: a card number anywhere in it, even in a field that is
    unknown or of the wrong type, is refused without the value being echoed back in a
    validation message (msgspec quotes bad enum values) or stored."""
    try:
        body = json.loads(await request.body())
    except ValueError:
        return  # not JSON: decoding refuses it as malformed
    idempotency.refuse_card_numbers(body)


@post(
    "/api/v1/accounts/{account_id:uuid}/payments",
    operation_id="CreatePayment",
    status_code=HTTP_201_CREATED,
    guards=[users_only],
    before_request=refuse_card_numbers,
    tags=["payments"],
)
async def create_payment(
    principal: CurrentPrincipal,
    account_id: FromPath[UUID],
    data: JSONBody[PaymentCreate],
    idempotency_key: IdempotencyKey = None,
) -> Response[PaymentRead]:
    """Record a payment received on an account. Above the balance, the excess is a credit
    flagged for refund; paying the balance to zero makes the account paid_in_full."""
    result = await payments.post_payment(principal, account_id, idempotency_key, data)
    return Response(
        content=result.payment,
        status_code=result.status_code,
        media_type=MediaType.JSON,
        headers={"Idempotent-Replayed": "true"} if result.replayed else None,
    )


@get(
    "/api/v1/accounts/{account_id:uuid}/payments",
    operation_id="ListAccountPayments",
    guards=[users_only],
    tags=["payments"],
)
async def list_payments(
    principal: CurrentPrincipal,
    account_id: FromPath[UUID],
    limit: Limit = None,
    cursor: Cursor = None,
) -> Page[PaymentRead]:
    """An account's payments, newest received first (then recorded first, then id),
    each with its reversal if any and the running balance in the order received."""
    return await payments.list_payments(principal, account_id, page_request(limit, cursor))


@get(
    "/api/v1/accounts/{account_id:uuid}/payments.csv",
    operation_id="DownloadAccountPayments",
    guards=[users_only],
    tags=["payments"],
    media_type="text/csv",
)
async def payments_csv(principal: CurrentPrincipal, account_id: FromPath[UUID]) -> Stream:
    """Every payment of the account as CSV: the list's order, columns and figures."""
    return Stream(
        await payments.payments_csv(principal, account_id),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="account-{account_id}-payments.csv"'
        },
    )


@get(
    "/api/v1/payments/{payment_id:uuid}",
    operation_id="GetPayment",
    guards=[users_only],
    tags=["payments"],
)
async def get_payment(principal: CurrentPrincipal, payment_id: FromPath[UUID]) -> PaymentRead:
    """One payment, with its reversal if any."""
    return await payments.get_payment(principal, payment_id)


@post(
    "/api/v1/payments/{payment_id:uuid}/reversal",
    operation_id="ReversePayment",
    status_code=HTTP_201_CREATED,
    guards=[users_only],
    before_request=refuse_card_numbers,
    tags=["payments"],
)
async def reverse_payment(
    principal: CurrentPrincipal, payment_id: FromPath[UUID], data: JSONBody[ReversalCreate]
) -> ReversalRead:
    """Record a payment returned by the bank (NSF, chargeback): the balance is restored
    and a paid or settled account reopens. Admins and supervisors; a client for payments
    made directly to it. Once per payment (409 after)."""
    return await reversals.reverse_payment(principal, payment_id, data)


agency_only = requires(Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR)


@post(
    "/api/v1/accounts/{account_id:uuid}/offers",
    operation_id="CreateOffer",
    status_code=HTTP_201_CREATED,
    guards=[agency_only],
    tags=["offers"],
)
async def create_offer(
    principal: CurrentPrincipal, account_id: FromPath[UUID], data: JSONBody[OfferCreate]
) -> OfferRead:
    """Record a lump sum or plan the debtor agreed to. Inside the collector's band it is
    accepted at once; beyond it, pending_supervisor or pending_client, and `band_reasons`
    names each limit it passes. One live offer per account (409 while another is pending
    or accepted)."""
    return await offers.create_offer(principal, account_id, data)


@get("/api/v1/offers", operation_id="ListOffers", guards=[users_only], tags=["offers"])
async def list_offers(
    principal: CurrentPrincipal,
    status: Annotated[OfferStatus | None, QueryParameter(name="status")] = None,
    client_id: Annotated[UUID | None, QueryParameter(name="client_id")] = None,
    account_id: Annotated[UUID | None, QueryParameter(name="account_id")] = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Page[OfferRead]:
    """Offers the caller may see, newest first; `status=pending_supervisor` is a
    supervisor's approval list, `status=pending_client` a client's."""
    return await offers.list_offers(
        principal, page_request(limit, cursor), status=status, client_id=client_id,
        account_id=account_id,
    )  # fmt: skip


@get(
    "/api/v1/offers/{offer_id:uuid}", operation_id="GetOffer", guards=[users_only], tags=["offers"]
)
async def get_offer(principal: CurrentPrincipal, offer_id: FromPath[UUID]) -> OfferRead:
    """One offer with its instalments, decision and what was paid against it."""
    return await offers.get_offer(principal, offer_id)


@post(
    "/api/v1/offers/{offer_id:uuid}/decision",
    operation_id="DecideOffer",
    status_code=200,
    guards=[users_only],
    tags=["offers"],
)
async def decide_offer(
    principal: CurrentPrincipal, offer_id: FromPath[UUID], data: JSONBody[OfferDecision]
) -> OfferRead:
    """Accept or reject a pending offer: supervisors pending_supervisor, the client its
    own pending_client, admins any. 409 once decided; a collector may not (403)."""
    return await offers.decide_offer(principal, offer_id, data)


@post(
    "/api/v1/offers/{offer_id:uuid}/withdraw",
    operation_id="WithdrawOffer",
    status_code=200,
    guards=[users_only],
    tags=["offers"],
)
async def withdraw_offer(
    principal: CurrentPrincipal, offer_id: FromPath[UUID], data: JSONBody[OfferWithdraw]
) -> OfferRead:
    """The collector who made a pending offer (or staff) takes it back; 409 once decided."""
    return await offers.withdraw_offer(principal, offer_id, data)


routes = [
    create_payment,
    list_payments,
    payments_csv,
    get_payment,
    reverse_payment,
    create_offer,
    list_offers,
    get_offer,
    decide_offer,
    withdraw_offer,
]
