"""The kill -9 drills in CI, small: a real `agency worker` killed during an ingest, during
a remittance run and during a letter batch (and the API during a return import), a new
one started, and the SQL checks of the drill scripts."""

from __future__ import annotations

import pytest

from scripts.drills import (
    drillkit,
    kill_worker_ingest,
    kill_worker_letters,
    kill_worker_remittance,
)
from tests import servers as test_servers

pytestmark = pytest.mark.timeout(180)


def test_ingest_resumes_after_kill_without_losing_or_doubling(
    services: test_servers.TestServers,
) -> None:
    # A fresh database on the run's PostgreSQL, and a Redis of the drill's own: its worker
    # must not take jobs meant for another test's.
    with drillkit.stack("ingest", database_url=services.admin_url, redis_url=None) as stack:
        report = kill_worker_ingest.drill(stack, rows=7_000, batch_rows=1_000, kills=1)
    print(report.render())
    assert report.passed, report.render()


def test_remittance_rerun_after_kill_issues_each_statement_once(
    services: test_servers.TestServers,
) -> None:
    with drillkit.stack("remittance", database_url=services.admin_url, redis_url=None) as stack:
        report = kill_worker_remittance.drill(stack, movements=20_000, clients=60)
    print(report.render())
    assert report.passed, report.render()


def test_a_letter_batch_and_a_return_import_survive_a_kill_whole_and_once(
    services: test_servers.TestServers,
) -> None:
    with drillkit.stack("letters", database_url=services.admin_url, redis_url=None) as stack:
        report = kill_worker_letters.drill(stack, accounts=60)
    print(report.render())
    assert report.passed, report.render()
