"""Reading a search for a phone number, typed the way people type them:
"(312) 939-7362", "312.939.7362", "3129397362", "+1 312 939 7362"."""

from __future__ import annotations

import re

import phonenumbers

from server.kit.errors import InvalidInput

# Digits with the punctuation of a phone number, and enough digits to be one: a US
# subscriber number is 7 digits, with its area code 10 (E.164 allows 15).
_PHONE_SHAPED = re.compile(r"\+?[\d\s().\-]+")
_MIN_DIGITS = 7


def searched_phone(query: str) -> str | None:
    """The E.164 number a search means, or None when it is no phone number (a name, an
    account number). Digits alone that make no valid number are an account number; a
    query written as a phone ("(312) 939-73", "+1 555") that is none is refused on `q`."""
    text = query.strip()
    digits = re.sub(r"\D", "", text)
    if not _PHONE_SHAPED.fullmatch(text) or len(digits) < _MIN_DIGITS:
        return None
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if text.isdigit():
        return None
    raise InvalidInput.field(
        "q", f"{text!r} is written as a phone number but is not one: give all 10 digits"
    )
