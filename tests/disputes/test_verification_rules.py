"""The numbers of a verification request: its due date in business days, the reminders'
days, and a document's type by its first bytes."""

from __future__ import annotations

from datetime import date

import pytest

from server.disputes.verification_rules import (
    MAX_DOCUMENT_BYTES,
    Reminder,
    due_on,
    remind_from,
    reminder_for,
    sniff,
)
from server.kit.business_days import subtract_business_days

# Friday 2026-11-20: 15 business days on, Thanksgiving (Thursday 2026-11-26) not counted,
# is Monday 2026-12-14; 14 would be Friday 2026-12-11, 16 Tuesday 2026-12-15.
FRIDAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("opened", "days", "due"),
    [
        (FRIDAY, 15, date(2026, 12, 14)),
        (FRIDAY, 14, date(2026, 12, 11)),
        (FRIDAY, 16, date(2026, 12, 15)),
        # Opened on a Saturday or a Sunday: counted from the Monday, as from the Friday.
        (date(2026, 11, 21), 15, date(2026, 12, 14)),
        (date(2026, 11, 22), 15, date(2026, 12, 14)),
        # Across Christmas (Friday 2026-12-25) and New Year's Day (Friday 2027-01-01).
        (date(2026, 12, 18), 15, date(2027, 1, 12)),
        # Opened on a holiday (Christmas): the next business day counts as the first.
        (date(2026, 12, 25), 1, date(2026, 12, 28)),
    ],
)
def test_a_request_is_due_in_business_days(opened: date, days: int, due: date) -> None:
    assert due_on(opened, days) == due


def test_the_due_soon_reminder_starts_five_business_days_before_due() -> None:
    # Monday 2026-12-14 less 5 business days: Monday 2026-12-07 (not Wednesday 12-09).
    assert remind_from(date(2026, 12, 14)) == date(2026, 12, 7)
    # Across Thanksgiving: Wednesday 2026-12-02 less 5 is Tuesday 2026-11-24.
    assert remind_from(date(2026, 12, 2)) == date(2026, 11, 24)
    assert subtract_business_days(date(2026, 12, 14), 0) == date(2026, 12, 14)
    with pytest.raises(ValueError, match="negative"):
        subtract_business_days(date(2026, 12, 14), -1)


@pytest.mark.parametrize(
    ("today", "sent", "expected"),
    [
        (date(2026, 12, 4), False, None),  # 6 business days before: too early
        (date(2026, 12, 6), False, None),  # Sunday before the window
        (date(2026, 12, 7), False, Reminder.DUE_SOON),  # the window opens
        (date(2026, 12, 8), True, None),  # once in the window
        (date(2026, 12, 10), False, Reminder.DUE_SOON),  # a missed day is made up
        (date(2026, 12, 11), True, None),
        (date(2026, 12, 14), True, Reminder.DUE_SOON),  # the due date itself
        (date(2026, 12, 15), True, Reminder.OVERDUE),  # the day after, and every day on
        (date(2026, 12, 19), True, Reminder.OVERDUE),
    ],
)
def test_the_reminder_a_day_brings(today: date, sent: bool, expected: Reminder | None) -> None:
    assert reminder_for(today, date(2026, 12, 14), due_soon_sent=sent) == expected


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        (b"%PDF-1.7\n", ("application/pdf", "pdf")),
        (b"\x89PNG\r\n\x1a\n\x00", ("image/png", "png")),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", ("image/jpeg", "jpg")),
        (b"II*\x00\x08\x00", ("image/tiff", "tif")),
        (b"MM\x00*\x00\x00", ("image/tiff", "tif")),
        (b"%PDF", None),  # the signature is %PDF- : four bytes are not a PDF
        (b"\x89PNG\r\n\x1a", None),  # seven of the eight
        (b"GIF89a", None),
        (b"PK\x03\x04", None),  # a zip (or a .docx)
        (b"<html>%PDF-", None),  # a PDF's mark later in the file does not count
        (b"", None),
    ],
)
def test_a_document_is_what_its_first_bytes_say(
    first: bytes, expected: tuple[str, str] | None
) -> None:
    assert sniff(first) == expected


def test_the_largest_document_is_twenty_megabytes() -> None:
    assert MAX_DOCUMENT_BYTES == 20 * 1024 * 1024


def test_a_document_may_be_at_most_20_mib() -> None:
    """The issue's limit, 20 MB per file, read as 20 MiB: the upload test sends one byte
    over this constant, so the constant itself is pinned here."""
    assert MAX_DOCUMENT_BYTES == 20_971_520
