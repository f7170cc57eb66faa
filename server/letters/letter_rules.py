"""The rules with dates in them that the letters other than the notice follow. Pure.

- 15 U.S.C. 1692g(b): collection activities and communications during the validation
  period may not overshadow or be inconsistent with the consumer's right to dispute the
  debt or ask for the original creditor by the period's end. An offer that must be
  accepted by a day before that end would press the consumer to pay before they may
  dispute: inside the period, no deadline a letter prints is earlier than the period's
  end (12 CFR 1006.38(b) and its commentary say the same of the validation period).
- 12 CFR 1006.26(b): a debt collector must not sue or threaten to sue on a time-barred
  debt. A letter is read on its receipt, not on the day it is made: a debt whose statute
  of limitations runs out by the day the letter is assumed received (1006.34(b)(5)'s five
  business days after mailing) is time-barred for it, and a debt whose limitations date
  is unknown is treated the same (nothing in our letters needs to mention suit; leaving
  it out is never wrong). The call cues (server/queues/rules/cues.py) judge the same fact
  on the day of the call.
- Who may be written to at all: a consumer represented by an attorney is written to only
  through the attorney (15 U.S.C. 1692c(a)(2), 12 CFR 1006.6(b)(2)); a consumer in
  bankruptcy is protected by the automatic stay (11 U.S.C. 362(a)); a deceased consumer
  has no one at the address the letter would go to. An account paid off while one of
  these stood gets no letter from the batch (staff write to the attorney, the trustee or
  the estate).
"""

from __future__ import annotations

from datetime import date

from server.letters.end_date import assumed_receipt

# The statuses (the most severe block in force) under which no letter goes to the consumer.
NO_LETTER_WHILE = frozenset({"attorney_represented", "bankruptcy", "deceased"})


def inside_validation_period(period_ends_on: date | None, mailing_on: date) -> bool:
    """The consumer may dispute "by" the end date: a letter mailed on it is inside."""
    return period_ends_on is not None and mailing_on <= period_ends_on


def offer_deadline(due_on: date, period_ends_on: date | None, mailing_on: date) -> date:
    """The day a settlement offer printed on a letter mailed `mailing_on` must be accepted
    (paid) by: the offer's own due date, but inside the validation period never earlier
    than the period's end (1692g(b))."""
    if inside_validation_period(period_ends_on, mailing_on):
        assert period_ends_on is not None
        return max(due_on, period_ends_on)
    return due_on


def may_mention_suit(limitations_on: date | None, mailing_on: date) -> bool:
    """Whether a letter mailed `mailing_on` may say anything about a lawsuit: only when the
    statute of limitations is known to run past the letter's assumed receipt
    (1006.26(b))."""
    return limitations_on is not None and assumed_receipt(mailing_on) <= limitations_on
