"""Whether a dispute was timely, and what it does: block collection or mark the debt
disputed. Pure: the service passes what the account and the settings say.

**Timely** (15 U.S.C. 1692g(b); 12 CFR 1006.38(c) and (d)(2), the validation period of
1006.34(b)(5)) when received
- before the validation notice is mailed (no notice yet, or received on the day it was
  mailed: the consumer cannot be late for a period that has not begun);
- after the notice came back undeliverable (the period never began; a returned notice
  leaves the account with no end date, and any dispute then is treated as timely);
- by the end date printed on the notice (the end date itself is inside the period).
An unknown end date with a notice mailed is treated as timely: a dispute is never called
late without a date to be late against.

**Which calendar day** a received instant falls on: its date in American Samoa (UTC-11),
the last place in the United States to finish a day. A dispute the agency receives at
23:30 in New York on the end date, 04:30 UTC the next day, is still on the end date
there. This is the conservative choice: of every US reading of the instant, it is the
earliest date, so it calls a dispute timely whenever any US reading would (the same zone
`accounts.validation_period` uses to call a period ended).

**What blocks** (1692g(b); 1006.38(c), (d)(2)(i)): a timely dispute or original-creditor
request *in writing* stops collection until the verification (or the name and address) is
mailed. Electronic counts as writing only through a medium the agency accepts disputes by
(1006.38 commentary: "in writing" includes electronic communication the debt collector
accepts); whether it does is the one setting `AGENCY_DISPUTE_ADDRESS`, the address the
validation notice prints. A *partial* dispute stops collection of the whole account: the
law stops collection of "the disputed portion", but a collector cannot collect a part of
one balance without touching the rest, so the conservative choice is to stop all of it.
Any other dispute (oral, or late) blocks nothing and marks the debt disputed (1692e(8)).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from server.accounts.statuses import Channel as Channel
from server.accounts.validation_period import LATEST_US_ZONE
from server.kit import clock


class Kind(StrEnum):
    DISPUTE = "dispute"
    # 1692g(a)(5), 1006.38(c): the name and address of the original creditor.
    ORIGINAL_CREDITOR_REQUEST = "original_creditor_request"


class Scope(StrEnum):
    WHOLE = "whole"
    PARTIAL = "partial"


class Timeliness(StrEnum):
    BEFORE_NOTICE = "before_notice"
    AFTER_RETURN = "after_return"
    IN_PERIOD = "in_period"
    LATE = "late"


def received_on(received_at: datetime) -> date:
    """The calendar day a dispute received at `received_at` is judged on."""
    return clock.local_date(received_at, LATEST_US_ZONE)


def timeliness(
    received_at: datetime,
    *,
    notice_sent_on: date | None,
    period_ends_on: date | None,
    notice_returned_on: date | None,
) -> Timeliness:
    day = received_on(received_at)
    if notice_returned_on is not None:
        return Timeliness.AFTER_RETURN
    if notice_sent_on is None or day <= notice_sent_on:
        return Timeliness.BEFORE_NOTICE
    if period_ends_on is None or day <= period_ends_on:
        return Timeliness.IN_PERIOD
    return Timeliness.LATE


def in_writing(channel: Channel, *, accepts_electronic: bool) -> bool:
    return channel == Channel.WRITTEN or (channel == Channel.ELECTRONIC and accepts_electronic)


def blocks_collection(channel: Channel, timely: Timeliness, *, accepts_electronic: bool) -> bool:
    """Whether the dispute (or original-creditor request: the same rule) stops collection;
    whole or partial alike (see the docstring)."""
    return timely != Timeliness.LATE and in_writing(channel, accepts_electronic=accepts_electronic)


def duplicate_refusal(
    *,
    received_at: datetime,
    earlier_received_at: datetime,
    earlier_answered: bool,
) -> str | None:
    """Why the earlier dispute cannot be the one a written dispute repeats, or None.
    12 CFR 1006.38(d)(2)(ii): a duplicative dispute is substantially the same as one the
    consumer submitted before and for which the agency already mailed verification
    ((d)(2)(i)); that it brings no new information is the supervisor's reason."""
    if earlier_received_at >= received_at:
        return "must be a dispute received before this one"
    if not earlier_answered:
        return "must be a dispute already answered (its verification mailed)"
    return None
