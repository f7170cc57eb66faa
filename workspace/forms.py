"""The account screen's forms as plain data: the choices each offers, dollars typed as
people type them, and a refusal in words next to the field it is about. No I/O here."""

from __future__ import annotations

import re
from typing import Any

from server.accounts.schemas import Medium, PhoneKind, PhoneStatus, Weekday
from server.accounts.statuses import Channel
from server.clients.schemas import PaymentMethod
from server.kit.errors import Conflict, DomainError, InvalidInput, NotPermitted
from server.settlements.schemas import PaidTo

# A status action as the form names it: the API's action, the status the generic `status`
# action names, and the block `active` lifts (server/accounts/statuses.py ACTION_ROLES,
# STATUS_TARGETS, LIFTED_BY_STATUS).
STATUS_ACTIONS: dict[str, tuple[str, str | None, str | None]] = {
    "dispute": ("dispute", None, None),
    "cease": ("cease", None, None),
    "bankruptcy": ("status", "bankruptcy", None),
    "attorney_represented": ("status", "attorney_represented", None),
    "deceased": ("status", "deceased", None),
    "closed": ("status", "closed", None),
    "verification": ("verification", None, None),
    "consent": ("consent", None, None),
    "lift_bankruptcy": ("status", "active", "bankruptcy"),
    "lift_attorney": ("status", "active", "attorney_represented"),
}
# Lifting a block is a supervisor's or an admin's (statuses.LIFT_ROLES): a collector's
# form does not offer these, and the service refuses them to a collector anyway.
LIFTS = ("verification", "consent", "lift_bankruptcy", "lift_attorney")
STATUS_LABELS = {
    "dispute": "Dispute",
    "cease": "Cease (written: no communication; oral: no calls)",
    "bankruptcy": "Bankruptcy",
    "attorney_represented": "Attorney represented",
    "deceased": "Deceased",
    "closed": "Close the account",
    # A dispute on record lifts when its verification letter is mailed; this lifts only
    # the block a client's maintenance file reported, which no dispute record holds.
    "verification": "Dispute a client's file reported: verified (lifts it)",
    "consent": "Written consent to contact (lifts a written cease)",
    "lift_bankruptcy": "Bankruptcy dismissed (lifts it)",
    "lift_attorney": "Attorney withdrew (lifts it)",
}

# What the instalments of a plan fall due by: a month, or a number of days.
PLAN_EVERY = {"month": 0, "two_weeks": 14, "week": 7}

CHOICES: dict[str, list[str]] = {
    "status_action": [a for a in STATUS_ACTIONS if a not in LIFTS],
    "status_lift": list(LIFTS),
    "channel": [c.value for c in Channel],
    "method": [m.value for m in PaymentMethod],
    "paid_to": [p.value for p in PaidTo],
    "phone_status": [s.value for s in PhoneStatus],
    "phone_kind": [k.value for k in PhoneKind],
    "medium": [m.value for m in Medium],
    "weekday": [d.value for d in Weekday],
    "plan_every": list(PLAN_EVERY),
}

# What the screen says after a form that leaves no result of its own went through.
DONE_NOTICES = {
    "status": "The status action is recorded.",
    "phone": "The number's status is recorded.",
    "times": "The inconvenient times are recorded.",
    "medium": "The refusal is recorded.",
    "new_phone": "The number is added; its verdict is above.",
    "address": "The new address is recorded; it now sets the consumer's zone.",
    "withdrawn": "The offer is withdrawn: another may be made.",
    "message": "The message is sent: the client's people read it in their portal.",
}

# A domain field as the form that sent it names it: the API speaks in cents and lists,
# the forms in dollars and a schedule's first day.
_RENAMES = {
    "offer": {"amount_cents": "amount", "installments": "count"},
    "payment": {
        "amount_cents": "amount",
        "received_at": "received_on",
        "processor_reference": "reference",
    },
    "status": {"status": "action", "received_at": "received_on"},
    "times": {"times": "days", "received_at": "received_on"},
    "phone": {"received_at": "received_on"},
    "medium": {"received_at": "received_on"},
    "new_phone": {"received_at": "received_on", "employer_forbids_calls": "employer"},
    "address": {"received_at": "received_on"},
}
# How settlements refuses a card number in any field (services/idempotency.py).
CARD_NUMBER = "card number"
_INDEXED = re.compile(r"^(\w+)\[\d+\]\.?")

_DOLLARS = re.compile(r"^\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$")


def dollars_to_cents(text: str) -> int | None:
    """ "1,234.5", "$800" or "25.00" as cents; None when it is no amount of dollars."""
    found = _DOLLARS.match(text.strip())
    if found is None:
        return None
    whole, part = found.groups()
    return int(whole.replace(",", "")) * 100 + int((part or "0").ljust(2, "0"))


def form_field(form: str, field: str) -> str:
    """The form's name for a field a service named (`times[0].from` → `from`)."""
    renames = _RENAMES.get(form, {})
    if field in renames:
        return renames[field]
    indexed = _INDEXED.match(field)
    if indexed:
        rest = field[indexed.end() :]
        if form == "offer":
            return "first_due" if rest == "due_date" else "count"
        return rest or renames.get(indexed.group(1), indexed.group(1))
    return field


def field_errors(form: str, invalid: InvalidInput) -> dict[str, str]:
    found: dict[str, str] = {}
    for detail in invalid.details:
        found.setdefault(form_field(form, detail.field), detail.reason)
    return found or {"form": invalid.message}


def refusal_sentence(error: DomainError) -> str:
    """A refusal that is about no one field (a live offer already, a finished account,
    a role that may not), as the screen says it."""
    if isinstance(error, NotPermitted):
        return f"Not permitted: {error.message}."
    if isinstance(error, Conflict):
        return f"Not done: {error.message}."
    return error.message


class FormValues(dict[str, Any]):
    """What a refused form had typed; a field it did not send reads as empty."""

    def __missing__(self, key: str) -> str:
        return ""


def form_values(values: dict[str, Any]) -> FormValues:
    return FormValues(values)
