"""The evidence each block on collection is recorded with, checked field by field.

Pure: the service passes the request and today's date and stores what this returns. A
block is only as good as what it rests on: a bankruptcy names its case (chapter, case
number, court, filing date) so that the stay can be checked against the court's docket;
an attorney is named with how to reach them, because every communication about the debt
now goes to them (15 U.S.C. 1692c(a)(2)); a death has its date and, once known, who acts
for the estate (12 CFR 1006.2(e)); a written cease is lifted only by the consumer's
written consent (1692c(c)), named by its reference and date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import phonenumbers

from server.accounts.schemas import StatusActionRequest
from server.accounts.statuses import AccountStatus, Block, Channel, StatusAction
from server.kit.errors import InvalidInput

# The chapters an individual's case is filed under (11 U.S.C. chapters 7, 11, 12, 13);
# 9 (municipalities) and 15 (cross-border) are never a consumer's.
CHAPTERS = frozenset({7, 11, 12, 13})
# Older than any consumer's record the agency keeps.
EARLIEST = date(1900, 1, 1)

# The evidence field each block takes when it is added (by the status action naming it).
EVIDENCE_FIELD = {
    Block.BANKRUPTCY: "bankruptcy",
    Block.ATTORNEY_REPRESENTED: "attorney",
    Block.DECEASED: "deceased",
}
EVIDENCE_FIELDS = ("bankruptcy", "attorney", "deceased", "consent")


def _text(field: str, value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidInput.field(field, "must not be blank")
    return cleaned


def _day(field: str, value: date, today: date) -> str:
    if value > today:
        raise InvalidInput.field(field, "must not be in the future")
    if value < EARLIEST:
        raise InvalidInput.field(field, f"must not be before {EARLIEST.isoformat()}")
    return value.isoformat()


def _phone(field: str, value: str) -> str:
    try:
        parsed = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise InvalidInput.field(field, "must be a valid telephone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _expected_field(action: StatusAction, target: AccountStatus | None) -> str | None:
    if action == StatusAction.CONSENT:
        return "consent"
    if action == StatusAction.STATUS and target is not None and target.value in set(Block):
        return EVIDENCE_FIELD.get(Block(target.value))
    return None


def evidence_of(
    action: StatusAction, data: StatusActionRequest, today: date
) -> dict[str, Any] | None:
    """The evidence `data` carries for `action`, checked and normalized; InvalidInput
    naming the field for evidence missing, malformed or given to an action that does not
    take it."""
    expected = _expected_field(action, data.status)
    for field in EVIDENCE_FIELDS:
        if field != expected and getattr(data, field) is not None:
            raise InvalidInput.field(field, f"is not taken by this action ({action})")
    if data.lifts is not None and not (
        action == StatusAction.STATUS and data.status == AccountStatus.ACTIVE
    ):
        raise InvalidInput.field("lifts", "is taken only by the status action active")
    if action == StatusAction.CONSENT and data.channel == Channel.ORAL:
        raise InvalidInput.field("channel", "consent to be contacted again must be in writing")
    if expected is None:
        return None
    if data.bankruptcy is not None:
        b = data.bankruptcy
        if b.chapter not in CHAPTERS:
            chapters = ", ".join(str(c) for c in sorted(CHAPTERS))
            raise InvalidInput.field("bankruptcy.chapter", f"must be one of {chapters}")
        return {
            "chapter": b.chapter,
            "case_number": _text("bankruptcy.case_number", b.case_number),
            "court": _text("bankruptcy.court", b.court),
            "filing_date": _day("bankruptcy.filing_date", b.filing_date, today),
        }
    if data.attorney is not None:
        a = data.attorney
        return {
            "name": _text("attorney.name", a.name),
            "firm": _text("attorney.firm", a.firm),
            "address": _text("attorney.address", a.address),
            "phone": _phone("attorney.phone", a.phone),
        }
    if data.deceased is not None:
        d = data.deceased
        representative = d.estate_representative
        return {
            "date_of_death": _day("deceased.date_of_death", d.date_of_death, today),
            "estate_representative": (
                None
                if representative is None
                else _text("deceased.estate_representative", representative)
            ),
        }
    if data.consent is not None:
        c = data.consent
        return {
            "document_reference": _text("consent.document_reference", c.document_reference),
            "document_date": _day("consent.document_date", c.document_date, today),
        }
    what = {
        "bankruptcy": "chapter, case_number, court and filing_date",
        "attorney": "name, firm, address and phone",
        "deceased": "date_of_death (and estate_representative once known)",
        "consent": "document_reference and document_date of the consumer's written consent",
    }[expected]
    raise InvalidInput.field(expected, f"is required: {what}")
