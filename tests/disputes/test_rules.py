"""The timeliness and blocking rule of disputes, at its edges (server/disputes/rules.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.disputes.rules import (
    Channel,
    Timeliness,
    blocks_collection,
    received_on,
    timeliness,
)

SENT = date(2026, 11, 2)
ENDS = date(2026, 12, 9)
NEW_YORK = ZoneInfo("America/New_York")


def judged(received_at: datetime, **dates: date | None) -> Timeliness:
    notice = {"notice_sent_on": SENT, "period_ends_on": ENDS, "notice_returned_on": None}
    notice.update(dates)
    return timeliness(received_at, **notice)


def test_the_day_is_american_samoas_the_last_us_place_to_end_it() -> None:
    # UTC-11: the day ends at 11:00 UTC the next day.
    assert received_on(datetime(2026, 12, 10, 10, 59, 59, tzinfo=UTC)) == date(2026, 12, 9)
    assert received_on(datetime(2026, 12, 10, 11, 0, tzinfo=UTC)) == date(2026, 12, 10)


def test_received_by_the_end_date_anywhere_in_the_us_is_timely() -> None:
    # 23:30 in New York on the end date is 04:30 UTC the next day: still timely.
    assert judged(datetime(2026, 12, 9, 23, 30, tzinfo=NEW_YORK)) == Timeliness.IN_PERIOD
    last_instant = datetime(2026, 12, 10, 10, 59, 59, tzinfo=UTC)
    assert judged(last_instant) == Timeliness.IN_PERIOD
    assert judged(last_instant + timedelta(seconds=1)) == Timeliness.LATE


def test_before_the_notice_is_mailed_or_on_its_mailing_day_is_timely() -> None:
    late = datetime(2027, 6, 1, 12, tzinfo=UTC)
    assert judged(late, notice_sent_on=None, period_ends_on=None) == Timeliness.BEFORE_NOTICE
    mailing_day = datetime(2026, 11, 2, 23, tzinfo=UTC)  # 12:00 in Samoa on the 2nd
    assert judged(mailing_day) == Timeliness.BEFORE_NOTICE
    assert judged(mailing_day + timedelta(hours=12)) == Timeliness.IN_PERIOD


def test_after_a_returned_notice_any_dispute_is_timely() -> None:
    late = datetime(2027, 6, 1, 12, tzinfo=UTC)
    assert judged(late, period_ends_on=None, notice_returned_on=date(2026, 11, 20)) == (
        Timeliness.AFTER_RETURN
    )


def test_a_notice_mailed_with_no_end_date_known_is_never_called_late() -> None:
    assert judged(datetime(2027, 6, 1, 12, tzinfo=UTC), period_ends_on=None) == (
        Timeliness.IN_PERIOD
    )


@pytest.mark.parametrize(
    ("channel", "timely", "accepts", "blocks"),
    [
        (Channel.WRITTEN, Timeliness.IN_PERIOD, False, True),
        (Channel.WRITTEN, Timeliness.BEFORE_NOTICE, False, True),
        (Channel.WRITTEN, Timeliness.AFTER_RETURN, False, True),
        (Channel.WRITTEN, Timeliness.LATE, True, False),
        (Channel.ORAL, Timeliness.IN_PERIOD, True, False),
        (Channel.ELECTRONIC, Timeliness.IN_PERIOD, True, True),
        # Electronic is writing only through a medium the agency accepts disputes by.
        (Channel.ELECTRONIC, Timeliness.IN_PERIOD, False, False),
        (Channel.ELECTRONIC, Timeliness.LATE, True, False),
    ],
)
def test_only_a_timely_dispute_in_writing_blocks(
    channel: Channel, timely: Timeliness, accepts: bool, blocks: bool
) -> None:
    assert blocks_collection(channel, timely, accepts_electronic=accepts) is blocks


def test_a_duplicate_repeats_an_answered_dispute_received_before_it() -> None:
    from server.disputes.rules import duplicate_refusal

    at = datetime(2026, 12, 1, 12, tzinfo=UTC)
    before = at - timedelta(microseconds=1)
    assert (
        duplicate_refusal(received_at=at, earlier_received_at=before, earlier_answered=True) is None
    )
    assert duplicate_refusal(received_at=at, earlier_received_at=at, earlier_answered=True) == (
        "must be a dispute received before this one"
    )
    assert duplicate_refusal(
        received_at=at, earlier_received_at=before, earlier_answered=False
    ) == ("must be a dispute already answered (its verification mailed)")
