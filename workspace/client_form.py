"""The admin's client form as plain data: what each field is called, a client's settings
laid out as the form shows them, and the form read back into the body the clients API
takes (ClientCreate / ClientUpdate). Only what a form must do itself is checked here: a
number typed as text, and the schema's bounds in the form's units (percent, dollars),
read from the schema's own types; every rule about the settings (the primary tier, the
authority bands, the column maps) is the clients service's, which names each fault by
its path, and `field_of` puts it next to its field. No I/O."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any, get_args

from server.accounts.preferences import WrongFields
from server.clients.authority import AuthorityInvalid, parse_authority
from server.clients.schemas import (
    GraceDays,
    HoldDays,
    ItemizationDate,
    PaymentMethod,
    PlausibleCents,
    RateBps,
    RemittanceCycle,
    RemittanceMethod,
    Tier,
)
from server.kit.errors import FieldError, InvalidInput
from workspace.forms import dollars_to_cents

Values = dict[str, Any]

TIERS = [t.value for t in Tier]
METHODS = [m.value for m in PaymentMethod]
LEVELS = ("collector", "supervisor")
# Each authority limit as the form names it, and whether it is typed in dollars.
LIMITS = {
    "min_percent": ("Settles at least (%)", False),
    "max_installments": ("Instalments at most", False),
    "max_months": ("Months at most", False),
    "min_installment": ("Instalment at least ($)", True),
}
# How people write the payment methods.
METHOD_LABELS = {"ach": "ACH", "card": "Card", "check": "Check", "cash": "Cash", "other": "Other"}
CHOICES = {
    "remittance_cycle": [c.value for c in RemittanceCycle],
    "remittance_method": [m.value for m in RemittanceMethod],
    "itemization_date": [d.value for d in ItemizationDate],
    "status": ["active", "inactive"],
}
# Every field of the form, in order.
FIELDS = (
    ["name", "status", "remittance_cycle", "remittance_method", "grace_days",
     "itemization_date", "max_plausible_balance", "column_map"]
    + [f"fee.{t}" for t in TIERS]
    + [f"clearing.{m}" for m in METHODS]
    + [f"authority.{level}.{limit}" for level in LEVELS for limit in LIMITS]
)  # fmt: skip


def _bounds(kind: Any) -> tuple[int, int]:
    meta = get_args(kind)[1]
    return int(meta.ge), int(meta.le)


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _percent(bps: int) -> str:
    return f"{Decimal(bps) / 100:f}".rstrip("0").rstrip(".") if bps % 100 else str(bps // 100)


def values_of(client: Any) -> Values:
    """A client's settings (ClientRead) as the form's fields show them."""
    values: Values = {
        "name": client.name, "status": client.status.value,
        "remittance_cycle": client.remittance_cycle.value,
        "remittance_method": client.remittance_method.value,
        "grace_days": str(client.grace_days),
        "itemization_date": client.itemization_date.value if client.itemization_date else "",
        "max_plausible_balance": _money(client.max_plausible_balance_cents),
        "column_map": json.dumps(client.column_map, indent=2) if client.column_map else "",
    }  # fmt: skip
    for tier in TIERS:
        bps = client.fee_rates_bps.get(tier)
        values[f"fee.{tier}"] = "" if bps is None else _percent(bps)
    for method in METHODS:
        values[f"clearing.{method}"] = str(client.clearing_days.get(method, ""))
    for level in LEVELS:
        limits = client.authority.get(level, {})
        for limit, (_, in_dollars) in LIMITS.items():
            raw = limits.get(f"{limit}_cents" if in_dollars else limit)
            shown = "" if raw is None else _money(raw) if in_dollars else str(raw)
            values[f"authority.{level}.{limit}"] = shown
    return values


def blank_values() -> Values:
    """A new client's form: the common settings filled in, to be changed."""
    values: Values = {name: "" for name in FIELDS}
    values.update(
        {"status": "active", "remittance_cycle": "monthly", "remittance_method": "net",
         "grace_days": "5", "max_plausible_balance": "100000.00",
         "clearing.ach": "5", "clearing.check": "10", "clearing.card": "1", "clearing.cash": "0",
         "clearing.other": "5",
         "authority.collector.min_percent": "80", "authority.collector.max_installments": "6",
         "authority.collector.max_months": "6", "authority.collector.min_installment": "25.00",
         "authority.supervisor.min_percent": "65", "authority.supervisor.max_installments": "12",
         "authority.supervisor.max_months": "12", "authority.supervisor.min_installment": "25.00"}
    )  # fmt: skip
    return values


def _whole(wrong: WrongFields, name: str, text: str, bounds: tuple[int, int]) -> int | None:
    low, high = bounds
    try:
        number = int(text)
    except ValueError:
        wrong.add(name, "must be a whole number")
        return None
    if not low <= number <= high:
        wrong.add(name, f"must be between {low} and {high}")
        return None
    return number


def _rate(wrong: WrongFields, name: str, text: str) -> int | None:
    low, high = _bounds(RateBps)
    try:
        bps = Decimal(text) * 100
    except InvalidOperation:
        bps = Decimal("NaN")
    if not bps.is_finite() or bps != bps.to_integral_value() or not low <= bps <= high:
        wrong.add(name, f"must be a percent from {low // 100} to {high // 100}, such as 27.5")
        return None
    return int(bps)


def _limit(text: str, in_dollars: bool) -> Any:
    """An authority limit as typed: a number when it is one, else the text itself, which
    the authority's own check refuses in words."""
    if in_dollars:
        cents = dollars_to_cents(text)
        return text if cents is None else cents
    try:
        return int(text)
    except ValueError:
        return text


def _authority(values: Values) -> dict[str, Any]:
    return {
        level: {
            f"{limit}_cents" if in_dollars else limit: _limit(
                values.get(f"authority.{level}.{limit}", ""), in_dollars
            )
            for limit, (_, in_dollars) in LIMITS.items()
        }
        for level in LEVELS
    }


def _choice(wrong: WrongFields, values: Values, name: str) -> str:
    chosen = values.get(name, "")
    if chosen not in CHOICES[name]:
        wrong.add(name, "choose one of " + ", ".join(CHOICES[name]))
    return str(chosen)


def body_of(values: Values, *, editing: bool) -> dict[str, Any]:
    """The form as the API's body; what the form itself can tell is wrong, all at once,
    with what the authority's own check says of its limits (server/clients/authority)."""
    wrong = WrongFields()
    if not values.get("name"):
        wrong.add("name", "is required")
    body: dict[str, Any] = {"name": values.get("name", "")}
    if editing:
        body["status"] = _choice(wrong, values, "status")
    body["remittance_cycle"] = _choice(wrong, values, "remittance_cycle")
    body["remittance_method"] = _choice(wrong, values, "remittance_method")
    rates = {}
    for tier in TIERS:
        text = values.get(f"fee.{tier}", "")
        if text:
            rates[tier] = _rate(wrong, f"fee.{tier}", text)
    body["fee_rates_bps"] = rates
    body["clearing_days"] = {
        m: _whole(wrong, f"clearing.{m}", values.get(f"clearing.{m}", ""), _bounds(HoldDays))
        for m in METHODS
    }
    body["grace_days"] = _whole(
        wrong, "grace_days", values.get("grace_days", ""), _bounds(GraceDays)
    )
    chosen_date = values.get("itemization_date", "")
    if chosen_date and chosen_date not in CHOICES["itemization_date"]:
        wrong.add("itemization_date", "choose one of " + ", ".join(CHOICES["itemization_date"]))
    body["itemization_date"] = chosen_date or None
    low, high = _bounds(PlausibleCents)
    largest = dollars_to_cents(values.get("max_plausible_balance", ""))
    if largest is None or not low <= largest <= high:
        wrong.add("max_plausible_balance", f"must be dollars from {_money(low)} to {_money(high)}")
    body["max_plausible_balance_cents"] = largest
    body["authority"] = _authority(values)
    body["column_map"] = _column_map(wrong, values.get("column_map", ""))
    if wrong.found:
        try:
            parse_authority(body["authority"])
        except AuthorityInvalid as invalid:
            wrong.found.extend(invalid.errors)
    wrong.raise_any()
    return body


def _column_map(wrong: WrongFields, text: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        found = json.loads(text)
    except json.JSONDecodeError as error:
        wrong.add("column_map", f"is not JSON: {error.msg} (line {error.lineno})")
        return {}
    if not isinstance(found, dict):
        wrong.add("column_map", "must be a JSON object of file kinds")
        return {}
    return found


def field_of(path: str) -> str:
    """The form's field for a path the clients service named."""
    if path.startswith("column_map"):
        return "column_map"
    if path.startswith("fee_rates_bps."):
        return "fee." + path.removeprefix("fee_rates_bps.")
    if path.startswith("clearing_days."):
        return "clearing." + path.removeprefix("clearing_days.")
    if path.startswith("authority.") and path.endswith("_cents"):
        return path.removesuffix("_cents")
    if path == "max_plausible_balance_cents":
        return "max_plausible_balance"
    return path


def errors_of(invalid: InvalidInput) -> dict[str, str]:
    """Each fault next to its field; several on one field (a column map's) all said,
    each with the path it is about."""
    found: dict[str, list[str]] = {}
    for detail in invalid.details or [FieldError("form", invalid.message)]:
        name = field_of(detail.field)
        said = detail.reason
        if name == "column_map" and detail.field != "column_map":
            said = f"{detail.field.removeprefix('column_map.')}: {detail.reason}"
        found.setdefault(name, []).append(said)
    return {name: "; ".join(reasons) for name, reasons in found.items()}
