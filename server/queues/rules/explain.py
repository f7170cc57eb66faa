"""A contact-rule verdict in words a collector reads before dialing: which rule, why, the
consumer's local time in every zone the rules hold in, and when the number may next be
called. Pure: the check's service hands it the verdict and the zones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from server.queues.rules.hours import CALLING_HOURS_END, CALLING_HOURS_START

_HOURS = f"{CALLING_HOURS_START:%H:%M}–{CALLING_HOURS_END:%H:%M}"
_STATE_CAP = re.compile(r"state_([a-z]{2})_(\d+)_in_(\d+)")
_SENTENCES = {
    "status_disputed": "the account is blocked by a timely written dispute: it is not called"
    " until verification is mailed (15 U.S.C. 1692g(b); 12 CFR 1006.38(d)(2)).",
    "no_valid_phone": "No number on file may be called.",
    "consumer_no_telephone": "The consumer asked not to be called: no number of theirs may"
    " be called.",
    "phone_wrong_number": "This number reached someone other than the consumer.",
    "phone_not_in_service": "This number is not in service.",
    "phone_do_not_call": "The consumer asked that this number not be called.",
    "phone_employer_forbids": "The consumer's employer forbids calls to this work number"
    " (15 U.S.C. 1692c(a)(3)).",
    # 15 U.S.C. 1692c(a)(1), 12 CFR 1006.6(b)(1)(i): 08:00–21:00 local, in every zone.
    "outside_calling_hours": f"calls are allowed {_HOURS} in the consumer's local time,"
    " in every zone they may be in (12 CFR 1006.6(b)(1)(i)).",
    "inconvenient_time": "the consumer said this time is inconvenient for them"
    " (12 CFR 1006.6(b)(1)).",
    "reg_f_7_in_7": "7 calls were already placed about this debt within 7 consecutive days"
    " (12 CFR 1006.14(b)(2)(i)(A)).",
    "reg_f_after_conversation": "the consumer was spoken with about this debt within the"
    " past 7 days (12 CFR 1006.14(b)(2)(i)(B)).",
}
# Rules whose sentence follows the consumer's local time ("It is 22:07 in Chicago; …").
_TIMED = {"outside_calling_hours", "inconvenient_time"}


def place_of(zone: str) -> str:
    """ "America/New_York" as "New York": the name a collector knows the zone by."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def local_times(at: datetime, zones: Sequence[str]) -> str:
    """ "22:07 in Chicago and 23:07 in New York"."""
    parts = [f"{at.astimezone(ZoneInfo(z)):%H:%M} in {place_of(z)}" for z in zones]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def rule_sentence(rule: str) -> str:
    if rule in _SENTENCES:
        sentence = _SENTENCES[rule]
        return sentence[0].upper() + sentence[1:]
    if rule.startswith("status_"):
        return f"The account is {rule.removeprefix('status_').replace('_', ' ')}: it is not called."
    capped = _STATE_CAP.fullmatch(rule)
    if capped:
        state, calls, days = capped.groups()
        return (
            f"{state.upper()} law allows at most {calls} calls in {days} days, and that many"
            " were placed."
        )
    return f"The rule {rule} forbids the call."


def explain(
    rule: str | None, at: datetime, zones: Sequence[str], next_callable_at: datetime | None
) -> str:
    """The whole verdict as one message: allowed, or the first rule that forbids the call
    and the next moment it may be placed (or that only a change of status, number or the
    consumer's wishes would allow it)."""
    now_there = f"It is {local_times(at, zones)}"
    if rule is None:
        return f"{now_there}: the call is allowed."
    message = f"{now_there}; {_SENTENCES[rule]}" if rule in _TIMED else rule_sentence(rule)
    if next_callable_at is None:
        return f"{message} No time will allow it until that changes."
    day = next_callable_at.astimezone(ZoneInfo(zones[0]))
    return (
        f"{message} Next callable {day:%a %b} {day.day} at {local_times(next_callable_at, zones)}."
    )
