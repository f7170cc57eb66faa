"""Phone numbers: E.164 and the time zones a number may ring in."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import timezone as phone_timezone

from server.placements.rows import Phone


@lru_cache(maxsize=1 << 17)
def _nanp_prefix(npa_nxx: str) -> tuple[bool, tuple[str, ...]]:
    """Validity and zones of a NANP number depend on its first 6 national digits only.

    The US/Canada metadata and time-zone prefixes of `phonenumbers` never look further,
    so one lookup serves every number of an exchange.
    """
    number = phonenumbers.PhoneNumber(country_code=1, national_number=int(npa_nxx + "0000"))
    # Trying the US alone first spares the walk over the ~25 NANP regions.
    us = phonenumbers.is_valid_number_for_region(number, "US")
    if not us and not phonenumbers.is_valid_number(number):
        return False, ()
    return True, _zones(number)


# Numbers that say nothing about where the consumer is: `phonenumbers` gives them every
# zone of their country (a US toll-free number some 42, Guam to Newfoundland), which would
# leave a sliver of the day callable under 1006.6(b)(1)(i)'s every-zone reading. They add
# no zone: the address decides, and with none the contact rules take every contiguous-US
# zone (see queues.rules.zones_considered).
_PLACELESS_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.SHARED_COST,
        phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
        phonenumbers.PhoneNumberType.UAN,
    }
)
# NANP area codes that are not geographic (NANPA): personal communications services
# (500, 52x, 533, 544, 566, 577, 588), Canadian non-geographic (600), carrier services
# (700), toll-free (800, 822, 833, 844, 855, 866, 877, 888) and premium (900).
NON_GEOGRAPHIC_NPAS = frozenset(
    {"500", *(f"52{d}" for d in range(10)), "533", "544", "566", "577", "588", "600", "700",
     "800", "822", "833", "844", "855", "866", "877", "888", "900"}
)  # fmt: skip


def _zones(number: phonenumbers.PhoneNumber) -> tuple[str, ...]:
    if number.country_code == 1 and str(number.national_number)[:3] in NON_GEOGRAPHIC_NPAS:
        return ()
    if phonenumbers.number_type(number) in _PLACELESS_TYPES:
        return ()
    zones = phone_timezone.time_zones_for_number(number)
    return tuple(z for z in zones if z != phone_timezone.UNKNOWN_TIMEZONE)


def normalize_phone(raw: str, kind: str) -> Phone | None:
    """E.164 and zones of a number, or None when it is not a valid number."""
    plus = raw.startswith("+")
    digits = raw
    if not digits.isdigit():
        digits = (
            raw.replace(" ", "")
            .replace("-", "")
            .replace("(", "")
            .replace(")", "")
            .replace(".", "")
            .replace("+", "")
        )
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    elif plus:
        digits = ""  # another country's code: the slow path reads it
    if len(digits) == 10 and digits.isascii() and digits.isdigit():
        valid, zones = _nanp_prefix(digits[:6])
        return Phone("+1" + digits, kind, zones) if valid else None
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164, kind, _zones(number))
