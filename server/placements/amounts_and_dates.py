"""Amounts (dollars or cents) and dates as a client's files write them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Final

from server.placements.rows import AMOUNT_PRECISION, AMOUNT_TOO_LARGE, INVALID_AMOUNT, Problem

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
    return _parse_dollars_slowly(text)


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
            return INVALID_AMOUNT
        whole = plain
    cents = 0
    if dot:
        if not frac.isdecimal():
            return INVALID_AMOUNT
        if len(frac) > 2:
            return AMOUNT_PRECISION
        cents = int(frac) * (10 if len(frac) == 1 else 1)
        whole = whole or "0"
    if not whole.isdecimal():
        return INVALID_AMOUNT
    if len(whole) > _MAX_INTEGER_DIGITS:
        return AMOUNT_TOO_LARGE
    return sign * (int(whole) * 100 + cents)


def parse_cents(text: str) -> int | Problem:
    digits = text[1:] if text.startswith("-") else text
    if not digits.isdecimal():
        return INVALID_AMOUNT
    if len(digits) > _MAX_INTEGER_DIGITS + 2:
        return AMOUNT_TOO_LARGE
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
    error = Problem("invalid_date", "not a date in the format " + " or ".join(formats))

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
        return error

    return parse
