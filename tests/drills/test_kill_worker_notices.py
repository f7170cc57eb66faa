"""The notices kill drill in CI, small: a real `agency worker` killed while it sends an
e-mail notice to a real SMTP server on loopback, before and after the server took it."""

from __future__ import annotations

import pytest

from scripts.drills import drillkit, kill_worker_notices
from tests import servers as test_servers

pytestmark = pytest.mark.timeout(300)


def test_a_notice_killed_mid_send_is_sent_once_or_twice_after_the_send(
    services: test_servers.TestServers,
) -> None:
    with drillkit.stack(
        "notices", database_url=services.admin_url, redis_url=None, SMTP_URL=""
    ) as stack:
        report = kill_worker_notices.drill(stack, accounts=3)
    print(report.render())
    assert report.passed, report.render()
