"""The dealer's stated inconvenient times in SQL (dispatch_inconvenient) are the rules'
(`rules.facts.InconvenientTime.holds`): for any stated times, zone and instant."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.queues.local_time import zone
from server.queues.rules.facts import InconvenientTime

ZONES = ("America/New_York", "America/Los_Angeles", "Pacific/Honolulu", "America/Puerto_Rico")
clocks = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
wishes = st.lists(
    st.tuples(st.frozensets(st.integers(0, 6), max_size=3), clocks, clocks), max_size=3
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    stated=wishes,
    where=st.sampled_from(ZONES),
    at=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
)
async def test_stated_times_in_sql_are_the_rules(
    owner_db: asyncpg.Connection,
    stated: list[tuple[frozenset[int], time, time]],
    where: str,
    at: datetime,
) -> None:
    rules = [InconvenientTime(weekdays=d, start=s, end=e) for d, s, e in stated]
    expected = any(w.holds(at.astimezone(zone(where))) for w in rules)
    kept = [
        {"weekdays": sorted(d), "start": s.strftime("%H:%M"), "end": e.strftime("%H:%M")}
        for d, s, e in stated
    ]
    in_sql = await owner_db.fetchval(
        "SELECT dispatch_inconvenient($1::jsonb, $2, $3)", json.dumps(kept), where, at
    )
    assert in_sql == expected, (kept, where, at)
