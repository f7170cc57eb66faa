"""Amounts (dollars or cents) and dates as a client's files write them."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Final

from server.clients.column_guide import people_formats
from server.placements.rows import Problem

# Reasons in words (the codes are the contract). An amount, a ZIP or a date of the debt
# is quoted: it is the client's own figure, and no one can be found by it. A date of
# birth, an SSN, a phone number or an e-mail address never is (see `normalize`).


def _invalid_amount(text: str) -> Problem:
    return Problem("invalid_amount", f"“{text}” is not an amount in dollars, such as 1,234.56")


def _amount_precision(text: str) -> Problem:
    return Problem("invalid_amount", f"“{text}” has more than two decimal places")


def _amount_too_large(text: str) -> Problem:
    return Problem("invalid_amount", f"“{text}” is too large to be an amount")


# Values --------------------------------------------------------------------------------

_MAX_INTEGER_DIGITS: Final = 13


def parse_dollars(text: str) -> int | Problem:
    """Cents from "1,234.56", "$1234.56", "1234", "-5", "(5.00)"; sign kept."""
    # The shapes of nearly every cell first.
    if text.isdecimal() and len(text) <= _MAX_INTEGER_DIGITS:
        return int(text) * 100
    grouped, _, frac = text.partition(".")
    whole = grouped.replace(",", "") if "," in grouped else grouped
    if (
        len(frac) == 2
        and frac.isdecimal()
        and whole.isdecimal()
        and len(whole) <= _MAX_INTEGER_DIGITS
        # Grouping must be by thousands: "1,234,567", not "12,34".
        and (whole is grouped or f"{int(whole):,}" == grouped)
    ):
        return int(whole) * 100 + int(frac)
    found = _parse_dollars_slowly(text)
    if isinstance(found, Problem):
        return {"precision": _amount_precision, "large": _amount_too_large}.get(
            found.reason, _invalid_amount
        )(text)
    return found


_BAD, _PRECISION, _LARGE = Problem("", "bad"), Problem("", "precision"), Problem("", "large")


def _parse_dollars_slowly(text: str) -> int | Problem:
    sign = 1
    if text.startswith("(") and text.endswith(")"):
        sign, text = -1, text[1:-1]
    if text.startswith("-"):
        sign, text = -sign, text[1:]
    if text.startswith("$"):
        text = text[1:]
    if text.startswith("-"):
        sign, text = -sign, text[1:]
    whole, dot, frac = text.partition(".")
    if "," in whole:
        plain = whole.replace(",", "")
        if not plain.isdecimal() or f"{int(plain):,}" != whole:
            return _BAD
        whole = plain
    cents = 0
    if dot:
        if not frac.isdecimal():
            return _BAD
        if len(frac) > 2:
            return _PRECISION
        cents = int(frac) * (10 if len(frac) == 1 else 1)
        whole = whole or "0"
    if not whole.isdecimal():
        return _BAD
    if len(whole) > _MAX_INTEGER_DIGITS:
        return _LARGE
    return sign * (int(whole) * 100 + cents)


def parse_cents(text: str) -> int | Problem:
    digits = text[1:] if text.startswith("-") else text
    if not digits.isdecimal():
        return Problem(
            "invalid_amount", f"“{text}” is not an amount in whole cents, such as 123456"
        )
    if len(digits) > _MAX_INTEGER_DIGITS + 2:
        return _amount_too_large(text)
    return int(text)


# A fast reader returns the date, None when strptime would refuse the text too, or
# _UNSURE when only strptime can tell.
_UNSURE: Final = date.min


def _iso(text: str) -> date | None:
    if "-" not in text:
        return None
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        y, m, d = text[:4], text[5:7], text[8:]
        if (y + m + d).isdigit() and text.isascii():
            try:
                return date(int(y), int(m), int(d))
            except ValueError:
                return None
    return _UNSURE


def _us(text: str) -> date | None:
    if "/" not in text:
        return None
    m, _, rest = text.partition("/")
    d, _, y = rest.partition("/")
    if len(y) == 4 and 0 < len(m) <= 2 and 0 < len(d) <= 2 and (m + d + y).isdigit():
        try:
            return date(int(y), int(m), int(d)) if text.isascii() else _UNSURE
        except ValueError:
            return None
    return _UNSURE


_FAST_FORMATS: Final[dict[str, Callable[[str], date | None]]] = {"%Y-%m-%d": _iso, "%m/%d/%Y": _us}


def date_parser(formats: tuple[str, ...]) -> Callable[[str], date | Problem]:
    """Parses with a column map's formats, in order.

    The two common formats are read by slicing; strptime is the fallback and the
    authority when slicing does not match.
    """
    steps = [(fmt, _FAST_FORMATS.get(fmt)) for fmt in formats]

    def parse(text: str) -> date | Problem:
        for fmt, fast in steps:
            if fast is not None:
                day = fast(text)
                if day is None:
                    continue
                if day is not _UNSURE:
                    return day
            try:
                # A calendar date, not a moment: no time zone applies.
                return datetime.strptime(text, fmt).date()  # noqa: DTZ007
            except ValueError:
                continue
        return Problem("invalid_date", not_a_date(text, formats))

    return parse


_PARTS = {"%Y": r"(?P<y>\d{4})", "%m": r"(?P<m>\d{1,2})", "%d": r"(?P<d>\d{1,2})"}


def not_a_date(text: str, formats: tuple[str, ...]) -> str:
    """Why `text` is no date in any of `formats`, in words: "Feb 30, 2026 is not a date
    (February 2026 has 28 days)", "month 13 does not exist", or the formats expected."""
    for fmt in formats:
        pattern = re.escape(fmt)
        for code, part in _PARTS.items():
            pattern = pattern.replace(re.escape(code), part)
        found = re.fullmatch(pattern, text)
        if found is None or "%" in re.sub(r"\(\?P<[ymd]>[^)]*\)", "", pattern):
            continue
        year, month, day = int(found["y"]), int(found["m"]), int(found["d"])
        if not 1 <= month <= 12:
            return f"“{text}” is not a date: there is no month {month}"
        days = calendar.monthrange(year, month)[1]
        if not 1 <= day <= days:
            name = calendar.month_name[month]
            return (f"{name[:3]} {day}, {year} is not a date ({name} {year} has {days} days)"
                    if day > 0 else f"“{text}” is not a date: there is no day 0")  # fmt: skip
    return f"“{text}” is not a date written {people_formats(formats)}"
