"""Shared plumbing for the benchmarks: a database to measure on, migrated by the real
`agency migrate`, and the environment that points our code at it.

With DATABASE_URL set the benchmark uses that server (a fresh database on it); without,
the embedded PostgreSQL under ./.data/bench.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA = ROOT / ".data" / "bench"


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


# Whether `prepare` started the embedded PostgreSQL (then its CPU time is measured too).
_on_embedded = False


def prepare(database: str) -> dict[str, str]:
    """A fresh, migrated database; returns the environment for processes that use it."""
    global _on_embedded
    admin_url = os.environ.get("DATABASE_URL")
    if not admin_url:
        from server import embedded

        admin_url = embedded.start_postgres(BENCH_DATA).admin_url()
        _on_embedded = True

    async def recreate() -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{database}"')
        finally:
            await conn.close()

    asyncio.run(recreate())
    env = {
        **os.environ,
        "DATABASE_URL": with_database(admin_url, database),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:1/0"),
        "AGENCY_ENV": "test",
        "AGENCY_DATA_DIR": str(BENCH_DATA),
        "LOG_LEVEL": "warning",
        "LOG_FORMAT": "json",
        "DB_POOL_MIN": "1",
        "DB_POOL_MAX": "8",
    }
    BENCH_DATA.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "server.cli", "migrate"], env=env, cwd=ROOT, check=True,
        capture_output=True,
    )  # fmt: skip
    return env


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
            memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return f"{platform.machine()}, {cpus} cores{memory}, Python {platform.python_version()}"


def load() -> str:
    """The load averages (1, 5, 15 minutes), to quote beside a figure."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def median(values: list[float]) -> float:
    return statistics.median(values)


def http_arguments(doc: str | None, *, rate: int, clients: int) -> argparse.Namespace:
    """The HTTP benchmarks' command line: the data seeded, the steady rate, the closed
    loop's callers, how long each phase runs, and how many API processes serve."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--collectors", type=int, default=200)
    parser.add_argument("--rate", type=int, default=rate)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=clients)
    parser.add_argument("--workers", type=int, default=2)
    return parser.parse_args()


def prepare_api(database: str) -> dict[str, str]:
    """`prepare`, with this process pointed at the database and the signing keys made, so
    it can mint the access tokens the load sends."""
    env = prepare(database)
    os.environ.update(env)
    from server.kit.keyring import ensure_development_keys
    from server.kit.settings import get_settings

    ensure_development_keys(get_settings())
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Served:
    """A running `agency api`: where it answers, and the processes whose CPU time a phase
    is charged with (the API's, and the embedded PostgreSQL's when it is ours)."""

    base: str
    api_pid: int
    postgres_pid: int | None

    @contextmanager
    def cpu(self) -> Iterator[CpuUse]:
        use = CpuUse()
        api, postgres = _tree_ticks(self.api_pid), _tree_ticks(self.postgres_pid)
        try:
            yield use
        finally:
            use.api_s = (_tree_ticks(self.api_pid) - api) / _TICKS_PER_S
            if self.postgres_pid is not None:
                use.postgres_s = (_tree_ticks(self.postgres_pid) - postgres) / _TICKS_PER_S


@dataclass
class CpuUse:
    """CPU seconds the API processes and PostgreSQL spent during a phase: what a request
    costs the machine, whatever else runs on it (the load average says how much did)."""

    api_s: float = 0.0
    postgres_s: float | None = None

    def per_request(self, requests: float) -> str:
        api = f"API {self.api_s / requests * 1000:.2f} ms"
        if self.postgres_s is None:
            return f"{api} of CPU a request"
        return f"{api} + PostgreSQL {self.postgres_s / requests * 1000:.2f} ms of CPU a request"


_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def _tree_ticks(pid: int | None) -> int:
    """User and system CPU ticks of a process and its children (uvicorn's workers, the
    postmaster's backends and background workers), from /proc."""
    if pid is None:
        return 0
    stats: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return sum(ticks for p, (parent, ticks) in stats.items() if p == pid or parent == pid)


def _embedded_postgres_pid() -> int | None:
    """The embedded PostgreSQL's postmaster, when the benchmark runs on it."""
    try:
        return int((BENCH_DATA / "pg" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


@contextmanager
def api(env: dict[str, str], workers: int) -> Iterator[Served]:
    """`agency api` with `workers` processes on a free port, serving until the block ends,
    once it answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "api", "--port", str(port),
         "--workers", str(workers)],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        _wait_ready(base, server)
        yield Served(base, server.pid, _embedded_postgres_pid() if _on_embedded else None)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit("agency api exited")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("agency api did not start")


# wrk drives the closed loops when the machine has it (`apt-get install wrk`): it needs a
# fraction of the CPU a Python client needs, and the server shares the machine's cores
# with its load. Each request is a GET of (path, bearer token), in turn.
_WRK_GETS = """
paths = {%s}
tokens = {%s}
counter = 0
request = function()
  counter = counter + 1
  local i = counter %% #paths + 1
  return wrk.format("GET", paths[i], {["Authorization"] = "Bearer " .. tokens[i]})
end
"""


def closed_loop_rate(
    served: Served, requests: list[tuple[str, str]], clients: int, seconds: float
) -> dict[str, Any]:
    """GETs of these (path, token) by `clients` concurrent callers for `seconds`, every
    answer 200: requests/s, the load average at the end, and the CPU a request cost."""
    with served.cpu() as cost:
        if shutil.which("wrk"):
            rate = _wrk_rate(served.base, requests, clients, seconds)
        else:
            rate = asyncio.run(_aiohttp_rate(served.base, requests, clients, seconds))
    return {
        "requests_per_s": rate, "load": load(), "cpu": cost.per_request(rate * seconds),
    }  # fmt: skip


def _wrk_rate(base: str, requests: list[tuple[str, str]], clients: int, seconds: float) -> float:
    with tempfile.TemporaryDirectory() as work:
        script = Path(work, "gets.lua")
        paths = ",".join(f'"{p}"' for p, _ in requests)
        tokens = ",".join(f'"{t}"' for _, t in requests)
        script.write_text(_WRK_GETS % (paths, tokens))
        run = subprocess.run(
            ["wrk", "-t1", f"-c{clients}", f"-d{round(seconds)}s", "-s", str(script), base],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", run.stdout)
    if failed:
        raise SystemExit(f"wrk: {failed.group(1)} answers were not 200")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", run.stdout)
    assert rate is not None, run.stdout
    return float(rate.group(1))


async def get(http: aiohttp.ClientSession, base: str, request: tuple[str, str]) -> float:
    """One GET, its latency in seconds; anything but 200 stops the benchmark."""
    path, token = request
    started = time.perf_counter()
    async with http.get(base + path, headers={"Authorization": f"Bearer {token}"}) as response:
        body = await response.read()
        if response.status != 200:
            raise SystemExit(f"{path}: {response.status} {body[:300]!r}")
    return time.perf_counter() - started


def session(clients: int) -> aiohttp.ClientSession:
    # aiohttp rather than httpx here: with hundreds of connections httpx's own pool costs
    # more CPU than the server's work, on the same two cores.
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=clients),
        timeout=aiohttp.ClientTimeout(total=30),
    )


async def _aiohttp_rate(
    base: str, requests: list[tuple[str, str]], clients: int, seconds: float
) -> float:
    done = 0
    async with session(clients) as http:
        stop = time.perf_counter() + seconds

        async def caller(n: int) -> None:
            nonlocal done
            i = n
            while time.perf_counter() < stop:
                await get(http, base, requests[i % len(requests)])
                done += 1
                i += clients

        started = time.perf_counter()
        await asyncio.gather(*(caller(n) for n in range(clients)))
        return done / (time.perf_counter() - started)
