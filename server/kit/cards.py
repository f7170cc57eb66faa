"""Card numbers (PANs) in what callers send: refused, never stored, never logged.

A processor reference must never be a card number (DESIGN.md, Security), and a card
number typed into a notes field is as bad. What counts: 13 to 19 digits passing the
Luhn check (ISO/IEC 7812), written together or in groups separated by single spaces or
dashes ("4111 1111 1111 1111", "4111-1111-1111-1111"), wherever they sit in a string
("ref:4111111111111111"). Within a longer run of groups, every stretch of whole groups
of 13–19 digits is checked, so a card number after an order number ("12345 4111 1111
1111 1111") is still found. An unbroken run of more than 19 digits is not a card number.

Identifiers are not card numbers: the dash-joined digit groups of a UUID (the ids every
body names: `offer_id`, `account_ids`) pass the test above for about one UUID in two
thousand, so UUID-shaped text is set aside before the search. A card number written in
the 8-4-4-4-12 layout of a UUID is the one form this does not find.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

MIN_DIGITS = 13
MAX_DIGITS = 19

# Digit groups joined by single spaces or dashes.
_DIGIT_RUN = re.compile(r"\d+(?:[ -]\d+)*")
_SEPARATOR = re.compile(r"[ -]")
_UUID = re.compile(
    r"(?<![0-9a-f-])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f-])",
    re.IGNORECASE,
)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _candidates(groups: list[str]) -> Iterator[str]:
    for start in range(len(groups)):
        digits = ""
        for group in groups[start:]:
            digits += group
            if len(digits) > MAX_DIGITS:
                break
            if len(digits) >= MIN_DIGITS:
                yield digits


def contains_card_number(text: str) -> bool:
    for run in _DIGIT_RUN.finditer(_UUID.sub(" ", text)):
        groups = _SEPARATOR.split(run.group())
        if sum(len(g) for g in groups) < MIN_DIGITS:
            continue
        if any(luhn_valid(digits) for digits in _candidates(groups)):
            return True
    return False


def card_number_fields(value: Any, path: str = "") -> list[str]:
    """The paths (`notes`, `items[2].memo`) of every string in a decoded JSON value that
    holds a card number; object keys are checked as well as values. Numbers are not
    checked: the amounts callers send are bounded below 13 digits."""
    found: list[str] = []
    if isinstance(value, str):
        if contains_card_number(value):
            found.append(path or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            # A key holding a card number is named by a placeholder: the path is echoed.
            name = "[card number]" if contains_card_number(str(key)) else str(key)
            child = f"{path}.{name}" if path else name
            if name != key:
                found.append(child)
            found.extend(card_number_fields(item, child))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(card_number_fields(item, f"{path}[{index}]"))
    return found
