"""The numbers of a verification request: when the client's answer is due, which reminder
a day brings, and what a document's bytes say it is. Pure.

**Due** `VERIFICATION_DUE_BD` business days (default 15) after the agency day the request
is opened, counted as the agency counts every business day (server.kit.business_days:
weekdays that are not legal public holidays of 5 U.S.C. 6103(a), observed days included,
the calendar of 12 CFR 1006.34(b)(5)); counting starts the day after, so a request opened
on a Saturday is due as one opened on the Friday before. The law gives the agency no
deadline to verify (1692g(b) stops collection until it does), so the number is the
agency's service level with its clients, a setting.

**Reminders** (the agency's practice, not a rule of law): the client is told on the day
the request opens (`verification_requested`), from 5 *business* days before the due date
(`verification_due_soon`, once; the due date counts business days, so the reminder does
too, and it then always falls on a working day of the client), on the due date itself
(`verification_due_soon` again: due today is still not late) and every day after it
(`verification_overdue`). At most one reminder a day per request. A day the job missed
is not made up but the 5-day reminder is: it goes on the first run inside its window.

**Documents** are what they begin with, never what their name or declared type says:
PDF (`%PDF-`, ISO 32000-1 7.5.2), PNG (its 8-byte signature, RFC 2083 3.1), JPEG (SOI
then a marker, `FF D8 FF`), TIFF (`II*\\0` or `MM\\0*`, TIFF 6.0 section 2). At most 20 MB
(20 × 2^20 bytes) each.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from server.kit.business_days import add_business_days, subtract_business_days

DUE_SOON_BUSINESS_DAYS = 5
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# The bytes a type is recognised by need no more than this many.
SNIFF_BYTES = 8


class Reminder(StrEnum):
    REQUESTED = "verification_requested"
    DUE_SOON = "verification_due_soon"
    OVERDUE = "verification_overdue"


class DocumentKind(StrEnum):
    ITEMIZED_STATEMENT = "itemized_statement"
    CONTRACT = "contract"
    SIGNED_APPLICATION = "signed_application"
    OTHER = "other"


_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"II*\x00", "image/tiff", "tif"),
    (b"MM\x00*", "image/tiff", "tif"),
)
ACCEPTED_TYPES = frozenset(media for _, media, _ in _SIGNATURES)


def due_on(opened_on: date, business_days: int) -> date:
    return add_business_days(opened_on, business_days)


def remind_from(due: date) -> date:
    """The first day the due-soon reminder may go."""
    return subtract_business_days(due, DUE_SOON_BUSINESS_DAYS)


def reminder_for(today: date, due: date, *, due_soon_sent: bool) -> Reminder | None:
    """The reminder an open request due `due` brings on `today`, or None."""
    if today > due:
        return Reminder.OVERDUE
    if today == due:
        return Reminder.DUE_SOON
    if today >= remind_from(due) and not due_soon_sent:
        return Reminder.DUE_SOON
    return None


def sniff(first_bytes: bytes) -> tuple[str, str] | None:
    """(media type, file extension) the bytes begin as, or None: not a type we keep."""
    for signature, media, extension in _SIGNATURES:
        if first_bytes.startswith(signature):
            return media, extension
    return None
