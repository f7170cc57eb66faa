"""Drill: kill -9 the worker while it sends an e-mail notice, once before the SMTP server
took the message and once after; start another, and show that every notice reached the
server, the first once and the second at most twice, under one Message-ID.

The drill runs its own SMTP server on loopback (aiosmtpd). A client's user wants
notices; a file loaded for the client queues one (file_loaded). The server holds the
next delivery at its DATA without keeping the message; a worker with SMTP_URL starts,
its start-up sweep triggers the sender, and when the message reaches the hold the drill
kills the worker, then lets go. Another worker sends the notice. Then the agency writes a
message to the client (a notice queued), the server holds the next delivery having kept
it, and the drill kills the worker there: the server has the message, the outbox does not
know. Another worker sends it again, with the same Message-ID. By SQL and the server's
mailbox: every notice sent, the first received once, the second twice at most, nothing
else twice.

    python -m scripts.drills.kill_worker_notices [--accounts 3]
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from typing import Any

import httpx
from arq.connections import ArqRedis
from redis.asyncio import ConnectionPool

from scripts import loopback_smtp
from scripts.drills import drillkit
from server.notices.jobs import SEND
from server.sample_files import new_business_csv

CLIENT_USER = "drill.client"
HOLD_TIMEOUT_S = 120


def _outbox(stack: drillkit.Stack) -> dict[str, int]:
    async def read() -> dict[str, int]:
        conn = await stack.connect()
        try:
            rows = await conn.fetch("SELECT status, count(*) AS n FROM notice_outbox GROUP BY 1")
            return {r["status"]: int(r["n"]) for r in rows}
        finally:
            await conn.close()

    return asyncio.run(read())


def _all_sent(stack: drillkit.Stack, notices: int) -> bool:
    counts = _outbox(stack)
    return counts.get("sent", 0) == notices and sum(counts.values()) == notices


def _trigger_sender(stack: drillkit.Stack, job_id: str) -> None:
    """A sender of the drill's own (the sweep's trigger of the minute may still be the
    killed worker's)."""

    async def enqueue() -> None:
        redis = ArqRedis(connection_pool=ConnectionPool.from_url(stack.env["REDIS_URL"]))
        try:
            await redis.enqueue_job(SEND, _job_id=job_id)
        finally:
            await redis.aclose()

    asyncio.run(enqueue())


def _setup(stack: drillkit.Stack, api: drillkit.Api, token: str, accounts: int) -> list[str]:
    """A client whose user wants notices, and a file of its loaded (by a worker that
    sends nothing): one notice queued. The accounts' ids."""
    client = stack.create_client(api, token, "Drill Notices Client")
    made = httpx.post(
        f"{api.base_url}/api/v1/users", headers=drillkit.bearer(token), timeout=30,
        json={"username": CLIENT_USER, "password": drillkit.PASSWORD, "role": "client",
              "client_id": client["client_id"]},
    )  # fmt: skip
    if made.status_code != 201:
        raise drillkit.DrillError(f"client user: {made.status_code} {made.text}")
    wants = httpx.put(
        f"{api.base_url}/api/v1/me/notices", timeout=30,
        headers=drillkit.bearer(drillkit.login(api.base_url, CLIENT_USER)),
        json={"email": "ops@drill-client.example"},
    )  # fmt: skip
    if wants.status_code != 200:
        raise drillkit.DrillError(f"notice settings: {wants.status_code} {wants.text}")
    loader = stack.worker(SMTP_URL="")
    uploaded = httpx.post(
        f"{api.base_url}/api/v1/placements",
        params={"client_id": client["client_id"], "file_name": "drill.csv"},
        content=new_business_csv(accounts, seed=5),
        headers={**drillkit.bearer(token), "Content-Type": "text/csv"}, timeout=120,
    )  # fmt: skip
    if uploaded.status_code != 202:
        raise drillkit.DrillError(f"upload: {uploaded.status_code} {uploaded.text}")
    drillkit.wait_until(lambda: _outbox(stack).get("queued") == 1, "the file_loaded notice", 300)
    loader.stop()
    listed = httpx.get(
        f"{api.base_url}/api/v1/accounts", params={"client_id": client["client_id"]},
        headers=drillkit.bearer(token), timeout=30,
    )  # fmt: skip
    return [a["account_id"] for a in listed.json()["items"]]


def _kill_at_hold(
    stack: drillkit.Stack, mailbox: loopback_smtp.Mailbox, smtp_url: str, *, keep: bool
) -> str:
    """A worker that sends; kill -9 it when its delivery reaches the server's hold; then
    let go. The held message's Message-ID."""
    hold = loopback_smtp.Hold(keep=keep)
    mailbox.hold = hold
    worker = stack.worker(SMTP_URL=smtp_url)
    if not hold.reached.wait(HOLD_TIMEOUT_S):
        raise drillkit.DrillError(f"no delivery reached the server:\n{worker.tail()}")
    worker.kill9()
    hold.released.set()
    return hold.message_id


def _recover(stack: drillkit.Stack, smtp_url: str, notices: int, job_id: str) -> None:
    worker = stack.worker(SMTP_URL=smtp_url)
    _trigger_sender(stack, job_id)
    drillkit.wait_until(lambda: _all_sent(stack, notices), "every notice sent", 300, 0.2)
    worker.stop()


def drill(stack: drillkit.Stack, accounts: int) -> drillkit.Report:
    report = drillkit.Report("kill -9 the worker before and after an e-mail notice's send")
    api = stack.api()
    token = stack.admin_token(api)
    account_ids = _setup(stack, api, token, accounts)
    report.figure("accounts loaded", len(account_ids))
    with loopback_smtp.running() as smtp:
        mailbox = smtp.mailbox
        before = _kill_at_hold(stack, mailbox, smtp.url, keep=False)
        report.check(mailbox.received() == [], "a message refused at the hold was kept")
        report.check(_outbox(stack) == {"queued": 1}, f"after the kill: {_outbox(stack)}")
        _recover(stack, smtp.url, 1, "drill-send-1")

        written = httpx.post(
            f"{api.base_url}/api/v1/accounts/{account_ids[0]}/messages", timeout=30,
            headers=drillkit.bearer(token), json={"body": "Please call us about this account"},
        )  # fmt: skip
        if written.status_code != 201:
            raise drillkit.DrillError(f"message: {written.status_code} {written.text}")
        after = _kill_at_hold(stack, mailbox, smtp.url, keep=True)
        report.check(_outbox(stack).get("queued") == 1, f"after the kill: {_outbox(stack)}")
        _recover(stack, smtp.url, 2, "drill-send-2")
        received = Counter(m.message_id for m in mailbox.received())

    report.figure("received (Message-ID: copies)", dict(received))
    report.check(received[before] == 1, f"killed before the send: {received[before]} copies")
    report.check(received[after] == 2, f"killed after the send: {received[after]} copies")
    others = {mid: n for mid, n in received.items() if mid not in (before, after)}
    report.check(others == {}, f"messages that were not the drill's notices: {others}")
    stored: Any = stack.sql("SELECT array_agg(message_id ORDER BY created_at) FROM notice_outbox")
    report.check(sorted(stored) == sorted({before, after}), f"outbox ids {stored}")
    report.figure("duplicates", sum(n - 1 for n in received.values()))
    report.check(not stack.unhandled_errors(), f"500s: {stack.unhandled_errors()}")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=3)
    args = parser.parse_args()
    database_url, redis_url = drillkit.servers_from_environment()
    with drillkit.stack(
        "notices", database_url=database_url, redis_url=redis_url, SMTP_URL=""
    ) as stack:
        report = drill(stack, args.accounts)
    report.exit()


if __name__ == "__main__":
    main()
