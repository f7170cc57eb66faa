"""The outbox's retry rule: 1 minute, doubling, at most an hour, 8 attempts."""

from __future__ import annotations

from datetime import timedelta

from server.notices.backoff import MAX_ATTEMPTS, retry_delay


def test_the_wait_doubles_from_a_minute_up_to_an_hour_then_gives_up() -> None:
    waits = [retry_delay(n) for n in range(1, MAX_ATTEMPTS + 1)]
    assert waits == [
        timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4),
        timedelta(minutes=8), timedelta(minutes=16), timedelta(minutes=32),
        timedelta(hours=1), None,
    ]  # fmt: skip
    assert MAX_ATTEMPTS == 8
    assert retry_delay(MAX_ATTEMPTS + 5) is None
