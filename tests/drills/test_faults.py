"""The PostgreSQL-restart and Redis-stop drills in CI, small: real `agency api` and
`agency worker` processes under collectors' load while the server goes away and comes
back, then the drill's SQL checks.

Each stops a server of its own. When the suite runs on the machine's own PostgreSQL or
Redis (DATABASE_URL / REDIS_URL), the drill would have to stop that shared server: it is
skipped, and `python -m scripts.drills.restart_postgres` / `stop_redis` run it on servers
of their own."""

from __future__ import annotations

import pytest

from scripts.drills import drillkit, restart_postgres, stop_redis
from tests import servers as test_servers

pytestmark = pytest.mark.timeout(240)

SMALL = {"collectors": 6, "accounts": 1000, "before_s": 2.0, "down_s": 4.0, "after_s": 4.0}


def test_api_answers_503_while_postgres_restarts_and_recovers_by_itself(
    services: test_servers.TestServers,
) -> None:
    if services.given_database:
        pytest.skip("the suite runs on the machine's own PostgreSQL, which no test may stop")
    with drillkit.stack("pgrestart", database_url=None, redis_url=None) as stack:
        report = restart_postgres.drill(stack, **SMALL)
    print(report.render())
    assert report.passed, report.render()


def test_api_keeps_serving_while_redis_is_down_and_lost_work_runs_after(
    services: test_servers.TestServers,
) -> None:
    if services.given_redis:
        pytest.skip("the suite runs on the machine's own Redis, which no test may stop")
    with drillkit.stack("redis", database_url=services.admin_url, redis_url=None) as stack:
        report = stop_redis.drill(stack, **SMALL)
    print(report.render())
    assert report.passed, report.render()
