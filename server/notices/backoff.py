"""When a notice that could not be sent is tried again, and when the outbox gives up.

A failed attempt waits 1 minute, then twice as long after each further failure, at most
an hour; after 8 attempts (about 2 hours 8 minutes of trying) the notice is failed and
shown so to admins. Shorter than RFC 5321 4.5.4.1's "give up after 4–5 days" for relays:
these are notices of what the portal already shows, and one a day late tells nobody
anything the portal does not."""

from __future__ import annotations

from datetime import timedelta

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> timedelta | None:
    """The wait after the `attempts`-th failed attempt; None: no more attempts."""
    if attempts >= MAX_ATTEMPTS:
        return None
    wait: timedelta = FIRST_RETRY * 2 ** (attempts - 1)
    return min(wait, LONGEST_WAIT)
