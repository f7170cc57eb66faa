"""Regulation F's call frequency: 7 calls in 7 days per debt, the 7 days after a
conversation, and the direct prior consent that takes a call out of both.

Days are calendar days at the consumer's location (12 CFR 1006.14(b)), read as the
`DateSpan` of local dates an instant has in the zones the rules consider.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.queues.local_time import DateSpan, local_date
from server.queues.rules.facts import PHONE_KINDS, CallRecord

# 12 CFR 1006.14(b)(2)(i)(B): the date of the conversation is day 1 of the seven.
CONVERSATION_QUIET_DAYS = 7
# 12 CFR 1006.14(b)(3)(i): direct prior consent excludes calls placed within a period of
# no more than seven consecutive days after it was given.
CONSENT_DAYS = 7


@dataclass(frozen=True, slots=True)
class FrequencyCap:
    """At most `max_calls` placed calls per debt in any `days` consecutive local days.

    Only calls to numbers of `phone_kinds` count and are capped; a number we do not know
    counts for every cap. `consent_exempt`: calls under direct prior consent do not count
    (true of Regulation F, 1006.14(b)(3)(i), and of Massachusetts, 209 CMR 18.16(1)); a
    state whose law has no such exception sets it False. "Per debt" counts the accounts
    serviced together as one (`AccountState.debt`).
    """

    max_calls: int
    days: int
    phone_kinds: frozenset[str] = PHONE_KINDS
    consent_exempt: bool = True

    def covers(self, kind: str | None) -> bool:
        """Whether calls to a number of this kind count and are capped (None: unknown)."""
        return kind is None or kind in self.phone_kinds

    def code(self, prefix: str) -> str:
        return f"{prefix}_{self.max_calls}_in_{self.days}"


# 12 CFR 1006.14(b)(2)(i)(A): a call is presumed to violate the rule when placed more than
# seven times within seven consecutive days, per debt; calls under direct prior consent
# are not counted (1006.14(b)(3)(i)).
REG_F_CAP = FrequencyCap(max_calls=7, days=7)


def most_in_any_window(days: int, span: DateSpan, counted: Sequence[DateSpan]) -> int:
    """The most calls counted in any window of `days` consecutive dates that holds a date
    of `span`; a call (its dates in `counted`) is in a window when any of its dates is."""
    most = 0
    first = span.first - timedelta(days=days - 1)
    while first <= span.last:
        last = first + timedelta(days=days - 1)
        most = max(most, sum(1 for s in counted if s.first <= last and s.last >= first))
        first += timedelta(days=1)
    return most


def after_conversation(span: DateSpan, conversations: Iterable[DateSpan]) -> bool:
    # The block's first day is the earliest date of the conversation, its seventh is
    # six days after the latest (1006.14(b)(2)(i)(B), read in every zone considered).
    return any(
        span.first <= conversation.last + timedelta(days=CONVERSATION_QUIET_DAYS - 1)
        for conversation in conversations
    )


@dataclass(frozen=True, slots=True)
class ConsentWindow:
    """A direct prior consent as the rules read it (1006.14(b)(3)(i)): given on a call for
    a day, it takes the calls placed on that local day out of the counts, within
    `CONSENT_DAYS` of when it was given, until revoked or spent by the next conversation."""

    given_at: datetime
    asked_for: datetime
    revoked_at: datetime | None
    # The first conversation after it was given: the consumer has been reached, and what
    # they want now is said on that call.
    spent_at: datetime | None

    @property
    def ends_at(self) -> datetime:
        return self.given_at + timedelta(days=CONSENT_DAYS)

    def covers(self, at: datetime, zones: Sequence[str]) -> bool:
        return (
            self.given_at <= at < self.ends_at
            and (self.revoked_at is None or at < self.revoked_at)
            and (self.spent_at is None or at <= self.spent_at)
            # 1006.14(b)(3): the consent covers the day asked for, so the call must be on
            # that date in every zone the rule considers for it.
            and all(local_date(at, z) == local_date(self.asked_for, z) for z in zones)
        )


def consent_windows(
    calls: Iterable[CallRecord], conversations: Sequence[CallRecord]
) -> list[ConsentWindow]:
    """The consents given on `calls`, in the order given."""
    windows = []
    for call in calls:
        consent = call.consent
        if consent is None:
            continue
        spent = [c.started_at for c in conversations if c.started_at > consent.given_at]
        windows.append(
            ConsentWindow(
                given_at=consent.given_at,
                asked_for=consent.asked_for,
                revoked_at=consent.revoked_at,
                spent_at=min(spent, default=None),
            )
        )
    return windows
