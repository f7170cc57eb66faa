"""What the workspace's templates need beyond the shared filters (money, day, moment,
label): its own static files, the rules' codes as sentences, the consumer's clock."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC_DIR = HERE / "static"
STATIC_PATH = "/workspace/static"

# The contact rules' codes (server/queues/rules/evaluator.py Rule) as a collector reads them.
_RULES = {
    "consumer_no_telephone": "The consumer asked not to be called at all",
    "phone_wrong_number": "This number is recorded as a wrong number",
    "phone_not_in_service": "This number is not in service",
    "phone_do_not_call": "The consumer asked not to be called on this number",
    "phone_employer_forbids": "The employer forbids calls at work",
    "outside_calling_hours": "Outside the consumer's calling hours (8 a.m. to 9 p.m. local)",
    "inconvenient_time": "A time the consumer said is inconvenient",
    "reg_f_7_in_7": "Seven calls in seven days already (Regulation F)",
    "reg_f_after_conversation": "A conversation in the last seven days (Regulation F)",
    "no_valid_phone": "No callable number on file",
}
_STATE_CAP = re.compile(r"^state_([a-z]{2})_(\d+)_in_(\d+)$")
_STATUS = re.compile(r"^status_([a-z_]+)$")


def rule_text(code: str) -> str:
    if code in _RULES:
        return _RULES[code]
    cap = _STATE_CAP.match(code)
    if cap:
        state, calls, days = cap.groups()
        return f"{state.upper()} allows {calls} calls in {days} days: reached"
    status = _STATUS.match(code)
    if status:
        return "The account's status stops calls: " + status.group(1).replace("_", " ")
    return code.replace("_", " ")


def verdict_text(reasons: list[str]) -> list[str]:
    return [rule_text(r) for r in reasons]


def consumer_time(value: datetime | None) -> str:
    """A local time with its zone's abbreviation (the consumer's clock, not the agency's)."""
    if value is None:
        return "not known (no time zone on file)"
    hour = value.strftime("%I").lstrip("0")
    return f"{hour}:{value:%M} {value:%p} {value.tzname()}, {value:%a %b} {value.day}"


@cache
def _digest(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


def asset(name: str) -> str:
    """A static file's URL with its content's hash, so it can be cached for good."""
    return f"{STATIC_PATH}/{name}?v={_digest(name)}"
