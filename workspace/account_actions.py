"""The account screen's forms beyond the call: make an offer, record a payment, a status
action, and the consumer's contact preferences. Each checks its CSRF token first, hands
the form to workspace.actions (which calls the JSON route's own service function) and
comes back to the account screen: with the result on success (a redirect, so a reload
sends nothing again), or with the refusal next to the fields (422, or the 403/409 the
API would answer) and what was typed kept.

The JSON routes: POST accounts/{id}/offers, accounts/{id}/payments,
accounts/{id}/{dispute|cease|status}, accounts/{id}/media-refusals, offers/{id}/withdraw,
accounts/{id}/phones, PATCH accounts/{id}/phones/{phone_id}, PUT
accounts/{id}/inconvenient-times and accounts/{id}/address."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from litestar import Request, Response, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.status_codes import HTTP_303_SEE_OTHER

from server.auth.principal import Principal
from server.kit.errors import Conflict, InvalidInput, NotPermitted
from server.kit.pages import CSRF_FIELD, Form, read_form
from workspace import actions
from workspace.rendering import Session, account_page, refused, see_other
from workspace.session import PREFIX, check_csrf, provide_session

# Each form's fields (account.html's partials), read as one dict of values.
FIELDS = {
    "offer": ("kind", "amount", "count", "first_due", "every", "reason"),
    "payment": (
        "amount", "method", "paid_to", "received_on", "reference", "notes", "offer_id", "key",
    ),
    "status": (
        "action", "reason", "channel", "received_on", "bankruptcy.chapter",
        "bankruptcy.case_number", "bankruptcy.court", "bankruptcy.filing_date", "attorney.name",
        "attorney.firm", "attorney.address", "attorney.phone", "deceased.date_of_death",
        "deceased.estate_representative", "consent.document_reference", "consent.document_date",
    ),
    "phone": ("phone_id", "status", "employer", "reason", "channel", "received_on"),
    "times": ("from", "to", "zone", "channel", "clear", "received_on"),
    "medium": ("medium", "channel", "received_on"),
    "new_phone": ("number", "kind", "employer", "channel", "received_on"),
    "address": (
        "address_line1", "address_line2", "city", "state", "zip", "channel", "received_on",
    ),
    "withdraw": ("offer_id", "reason"),
    "message": ("body",),
}  # fmt: skip

Action = Callable[[Principal, UUID, dict[str, Any]], Awaitable[Any]]


def _values(name: str, form: Form) -> dict[str, Any]:
    values: dict[str, Any] = {k: form.get(k) for k in FIELDS[name]}
    if name == "times":
        values["days"] = form.getlist("days")
    return values


async def _submit(
    request: Request[Any, Any, Any],
    session: Session,
    account_id: UUID,
    name: str,
    action: Action,
    done: Callable[[Any], str],
) -> Response[Any]:
    form = await read_form(request)
    check_csrf(session, form.get(CSRF_FIELD))
    values = _values(name, form)
    try:
        result = await action(session.principal, account_id, values)
    except (InvalidInput, Conflict, NotPermitted) as error:
        failed = refused(name, values, error)
        return await account_page(session, account_id, failed=failed, status=error.status_code)
    return see_other(f"{PREFIX}/accounts/{account_id}?{done(result)}")


def _form_route(path: str, name: str, action: Action, done: Callable[[Any], str]) -> Any:
    async def handler(
        request: Request[Any, Any, Any], session: Session, account_id: FromPath[UUID]
    ) -> Response[Any]:
        return await _submit(request, session, account_id, name, action, done)

    handler.__doc__ = f"The account screen's {name} form."
    return post(
        f"{PREFIX}/accounts/{{account_id:uuid}}/{path}",
        status_code=HTTP_303_SEE_OTHER,
        include_in_schema=False,
        dependencies={"session": Provide(provide_session)},
        name=f"workspace_{name}_form",
    )(handler)


routes = [
    _form_route("messages", "message", actions.write_message, lambda _: "done=message#messages"),
    _form_route(
        "offers", "offer", actions.make_offer, lambda o: f"offer={o.offer_id}#offer-result"
    ),
    _form_route(
        "offer-withdrawals", "withdraw", actions.withdraw_offer,
        lambda _: "done=withdrawn#notice",
    ),
    _form_route(
        "payments", "payment", actions.record_payment,
        lambda p: f"payment={p.payment_id}#payment-result",
    ),
    _form_route("status", "status", actions.take_status_action, lambda _: "done=status#notice"),
    _form_route("phone-status", "phone", actions.change_phone, lambda _: "done=phone#notice"),
    _form_route(
        "inconvenient-times", "times", actions.add_inconvenient_time,
        lambda _: "done=times#notice",
    ),
    _form_route("media-refusals", "medium", actions.refuse_medium, lambda _: "done=medium#notice"),
    _form_route("phones", "new_phone", actions.add_phone, lambda _: "done=new_phone#notice"),
    _form_route("address", "address", actions.change_address, lambda _: "done=address#notice"),
]  # fmt: skip
