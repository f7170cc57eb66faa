"""The account screen's forms, each turned into the request its JSON route takes and
handed to the same service function (offers, payments, status actions, contact
preferences). Every field the form got wrong is named at once; a refused form writes
nothing, since the service checks everything before its transaction opens."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from server.accounts import preferences
from server.accounts import service as accounts
from server.accounts.preferences import WrongFields
from server.accounts.schemas import (
    AddressChange,
    InconvenientTimesUpdate,
    MediumRefusalCreate,
    PhoneCreate,
    PhoneUpdate,
    StatusActionRequest,
    Weekday,
)
from server.accounts.statuses import StatusAction
from server.auth.principal import Principal
from server.kit import clock
from server.kit.errors import InvalidInput, NotFound
from server.kit.pages import form_as
from server.messages import service as messages
from server.messages.schemas import MessageCreate, MessageRead
from server.settlements.authority import months_later
from server.settlements.schemas import (
    OfferCreate,
    OfferRead,
    OfferWithdraw,
    PaymentCreate,
    PaymentRead,
)
from server.settlements.services import offers, payments
from workspace.forms import PLAN_EVERY, STATUS_ACTIONS, dollars_to_cents

Values = dict[str, Any]

# Each evidence a status action takes, with its fields as the form names them.
_EVIDENCE = {
    "bankruptcy": ("bankruptcy", ["chapter", "case_number", "court", "filing_date"]),
    "attorney_represented": ("attorney", ["name", "firm", "address", "phone"]),
    "deceased": ("deceased", ["date_of_death"]),
    "consent": ("consent", ["document_reference", "document_date"]),
}
_OPTIONAL_EVIDENCE = {"deceased.estate_representative"}


def _required(wrong: WrongFields, values: Values, *names: str) -> None:
    for name in names:
        if not values.get(name):
            wrong.add(name, "is required")


def _amount(wrong: WrongFields, text: str) -> int:
    cents = dollars_to_cents(text)
    if text and (cents is None or cents <= 0):
        wrong.add("amount", "must be an amount of dollars above zero, such as 250.00")
    return cents or 0


def _day(wrong: WrongFields, name: str, text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        wrong.add(name, "must be a date (YYYY-MM-DD)")
        return None


def _whole(wrong: WrongFields, name: str, text: str, low: int, high: int) -> int:
    try:
        number = int(text)
    except ValueError:
        wrong.add(name, "must be a whole number")
        return 0
    if not low <= number <= high:
        wrong.add(name, f"must be between {low} and {high}")
    return number


def schedule(amount_cents: int, count: int, first: date, every: str) -> list[dict[str, Any]]:
    """A plan of `count` instalments from `first`, monthly or every so many days; equal
    but for the cents that do not divide, which the first instalment carries."""
    share, rest = divmod(amount_cents, count)
    days = PLAN_EVERY[every]
    return [
        {
            "due_date": (
                months_later(first, i) if days == 0 else first + timedelta(days=days * i)
            ).isoformat(),
            "amount_cents": share + (rest if i == 0 else 0),
        }
        for i in range(count)
    ]


async def make_offer(actor: Principal, account_id: UUID, values: Values) -> OfferRead:
    """POST /accounts/{id}/offers: a lump sum, or a plan the form lays out, with the
    collector's reason for whoever decides an offer beyond the band."""
    wrong = WrongFields()
    kind = values.get("kind", "")
    if kind not in ("lump_sum", "plan"):
        wrong.add("kind", "choose a lump sum or a plan")
    _required(wrong, values, "amount")
    amount = _amount(wrong, values.get("amount", ""))
    body: dict[str, Any] = {"kind": kind, "amount_cents": amount}
    if values.get("reason", "").strip():
        body["reason"] = values["reason"].strip()
    if kind == "plan":
        _required(wrong, values, "count", "first_due")
        count = _whole(wrong, "count", values.get("count") or "0", 1, 120)
        first = _day(wrong, "first_due", values.get("first_due", ""))
        if values.get("every") not in PLAN_EVERY:
            wrong.add("every", "choose how often the instalments fall due")
        wrong.raise_any()
        assert first is not None
        body["installments"] = schedule(amount, count, first, values["every"])
    wrong.raise_any()
    return await offers.create_offer(actor, account_id, form_as(body, OfferCreate))


async def write_message(actor: Principal, account_id: UUID, values: Values) -> MessageRead:
    """POST /accounts/{id}/messages: to the client's people, who read it in their portal."""
    thread = await messages.account_thread(actor, account_id)
    return await messages.write(actor, thread, MessageCreate(body=values["body"]))


async def withdraw_offer(actor: Principal, account_id: UUID, values: Values) -> OfferRead:
    """POST /offers/{id}/withdraw, for a pending offer of this account (its maker, or staff):
    one live offer per account, so another can be made after."""
    try:
        offer_id = UUID(values.get("offer_id", ""))
    except ValueError:
        raise InvalidInput.field("offer_id", "choose an offer of this account") from None
    if (await offers.get_offer(actor, offer_id)).account_id != account_id:
        raise NotFound("no such offer on this account")
    data = form_as({"reason": values.get("reason") or None}, OfferWithdraw)
    return await offers.withdraw_offer(actor, offer_id, data)


async def record_payment(actor: Principal, account_id: UUID, values: Values) -> PaymentRead:
    """POST /accounts/{id}/payments, with the key the form was rendered with: the same
    form sent twice records one payment."""
    wrong = WrongFields()
    _required(wrong, values, "amount", "method", "paid_to", "received_on")
    amount = _amount(wrong, values.get("amount", ""))
    received = _day(wrong, "received_on", values.get("received_on", ""))
    if received is not None and received > clock.agency_today():
        wrong.add("received_on", "must not be after today")
    wrong.raise_any()
    body = {
        "amount_cents": amount, "method": values["method"], "paid_to": values["paid_to"],
        "received_at": values["received_on"],
        "processor_reference": values.get("reference") or None,
        "notes": values.get("notes") or None, "offer_id": values.get("offer_id") or None,
    }  # fmt: skip
    data = form_as(body, PaymentCreate)
    result = await payments.post_payment(actor, account_id, values.get("key") or None, data)
    assert isinstance(result.payment, PaymentRead)
    return result.payment


def _received(wrong: WrongFields, text: str) -> str | None:
    """When the consumer told us: today is now; an earlier day (a letter opened late) is
    that day's start in the agency's zone, what the route's `received_at` takes."""
    day = _day(wrong, "received_on", text)
    if day is None or day == clock.agency_today():
        return None
    if day > clock.agency_today():
        wrong.add("received_on", "must not be after today")
        return None
    return clock.start_of_day(day, clock.agency_zone()).isoformat()


def _evidence(wrong: WrongFields, choice: str, values: Values) -> dict[str, Any]:
    if choice not in _EVIDENCE:
        return {}
    key, names = _EVIDENCE[choice]
    fields = [f"{key}.{name}" for name in names]
    _required(wrong, values, *fields)
    found: dict[str, Any] = {name: values.get(f"{key}.{name}") for name in names}
    if key == "bankruptcy" and found["chapter"]:
        found["chapter"] = _whole(wrong, "bankruptcy.chapter", found["chapter"], 1, 15)
    for optional in _OPTIONAL_EVIDENCE:
        if optional.startswith(key + ".") and values.get(optional):
            found[optional.partition(".")[2]] = values[optional]
    return {key: found}


async def take_status_action(actor: Principal, account_id: UUID, values: Values) -> None:
    """POST /accounts/{id}/{dispute|cease|status}, with its reason, channel and evidence."""
    wrong = WrongFields()
    choice = values.get("action", "")
    if choice not in STATUS_ACTIONS:
        wrong.add("action", "choose what the consumer (or the client) told us")
    _required(wrong, values, "reason", "channel")
    evidence = _evidence(wrong, choice, values)
    received = _received(wrong, values.get("received_on", ""))
    wrong.raise_any()
    action, target, lifts = STATUS_ACTIONS[choice]
    body = {
        "reason": values["reason"], "channel": values["channel"], "status": target,
        "lifts": lifts, "received_at": received,
    }  # fmt: skip
    data = form_as({**body, **evidence}, StatusActionRequest)
    await accounts.change_status(actor, account_id, StatusAction(action), data)


async def change_phone(actor: Principal, account_id: UUID, values: Values) -> None:
    """PATCH /accounts/{id}/phones/{phone_id}: a number's status, the employer's ban."""
    wrong = WrongFields()
    _required(wrong, values, "phone_id", "reason", "channel")
    received = _received(wrong, values.get("received_on", ""))
    ban = {"": None, "forbids": True, "allows": False}.get(values.get("employer", ""))
    if not values.get("status") and ban is None:
        wrong.add("status", "choose the number's status or the employer's word (or both)")
    try:
        phone_id = UUID(values.get("phone_id", ""))
    except ValueError:
        wrong.add("phone_id", "choose a number of the person's")
    wrong.raise_any()
    body = {
        "reason": values["reason"], "channel": values["channel"],
        "status": values.get("status") or None, "employer_forbids_calls": ban,
        "received_at": received,
    }  # fmt: skip
    await preferences.change_phone(actor, account_id, phone_id, form_as(body, PhoneUpdate))


def _as_written(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored inconvenient time (weekdays 0 = Monday) as the write route takes it."""
    days = [d.value for d in Weekday]
    written = {
        "days": [days[i] for i in stored["weekdays"]],
        "from": stored["start"],
        "to": stored["end"],
    }
    if stored.get("zone"):
        written["zone"] = stored["zone"]
    return written


async def add_inconvenient_time(actor: Principal, account_id: UUID, values: Values) -> None:
    """PUT /accounts/{id}/inconvenient-times with the times in force and one more (or
    none at all, with `clear`)."""
    wrong = WrongFields()
    _required(wrong, values, "channel")
    received = _received(wrong, values.get("received_on", ""))
    body: dict[str, Any] = {"channel": values.get("channel"), "times": [], "received_at": received}
    if not values.get("clear"):
        if not values.get("days"):
            wrong.add("days", "tick at least one day")
        _required(wrong, values, "from", "to")
        wrong.raise_any()
        account = await accounts.get_account(actor, account_id)
        new = {"days": values["days"], "from": values["from"], "to": values["to"]}
        if values.get("zone"):
            new["zone"] = values["zone"]
        body["times"] = [_as_written(t) for t in account.debtor.inconvenient_times] + [new]
    wrong.raise_any()
    data = form_as(body, InconvenientTimesUpdate)
    await preferences.set_inconvenient_times(actor, account_id, data)


async def refuse_medium(actor: Principal, account_id: UUID, values: Values) -> None:
    """POST /accounts/{id}/media-refusals."""
    wrong = WrongFields()
    _required(wrong, values, "medium", "channel")
    received = _received(wrong, values.get("received_on", ""))
    wrong.raise_any()
    body = {"medium": values["medium"], "channel": values["channel"], "received_at": received}
    await preferences.refuse_medium(actor, account_id, form_as(body, MediumRefusalCreate))


async def add_phone(actor: Principal, account_id: UUID, values: Values) -> None:
    """POST /accounts/{id}/phones: a number the consumer gave, of a kind, and whether a
    work number's employer forbids calls there."""
    wrong = WrongFields()
    _required(wrong, values, "number", "kind", "channel")
    received = _received(wrong, values.get("received_on", ""))
    wrong.raise_any()
    body = {
        "number": values["number"], "kind": values["kind"], "channel": values["channel"],
        "employer_forbids_calls": values.get("employer") == "forbids", "received_at": received,
    }  # fmt: skip
    await preferences.add_phone(actor, account_id, form_as(body, PhoneCreate))


async def change_address(actor: Principal, account_id: UUID, values: Values) -> None:
    """PUT /accounts/{id}/address: the consumer's new address (the old kept as history;
    its ZIP sets the zone the contact rules read)."""
    wrong = WrongFields()
    _required(wrong, values, "address_line1", "city", "zip", "channel")
    received = _received(wrong, values.get("received_on", ""))
    wrong.raise_any()
    body = {
        "address_line1": values["address_line1"], "city": values["city"], "zip": values["zip"],
        "channel": values["channel"], "address_line2": values.get("address_line2") or None,
        "state": values.get("state") or None, "received_at": received,
    }  # fmt: skip
    await preferences.change_address(actor, account_id, form_as(body, AddressChange))
