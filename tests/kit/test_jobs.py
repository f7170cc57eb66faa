"""`server.kit.jobs`: the domains' declarations combine into one, each name once."""

from __future__ import annotations

from typing import Any

import pytest

from server.kit.jobs import Cron, DomainJobs, JobSpec, Sweeper, combine


async def _job(ctx: dict[str, Any]) -> None:
    return None


async def _sweeper() -> int:
    return 0


def test_declarations_combine_in_order_and_a_name_is_declared_once() -> None:
    first = DomainJobs(jobs=(JobSpec("a.one", _job),), sweepers=(Sweeper("a.lost", _sweeper),))
    second = DomainJobs(
        jobs=(JobSpec("b.two", _job, timeout_s=60, max_tries=1),),
        crons=(Cron("b.two.cron", _job, timeout_s=60, minute=5),),
    )
    combined = combine((first, second))
    assert [spec.name for spec in combined.jobs] == ["a.one", "b.two"]
    assert [sweeper.name for sweeper in combined.sweepers] == ["a.lost"]
    assert [cron.name for cron in combined.crons] == ["b.two.cron"]
    with pytest.raises(ValueError, match=r"job a\.one declared twice"):
        combine((first, DomainJobs(jobs=(JobSpec("a.one", _job),))))
