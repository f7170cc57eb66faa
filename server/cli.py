"""`agency run | api | worker | migrate | create-user | seed-demo | remit`.

`agency run` is the zero-configuration start: with no DATABASE_URL / REDIS_URL it starts
the embedded PostgreSQL and Redis under the data directory, migrates, and runs the API
and the worker as separate processes (parsing a large file never stalls the API);
Ctrl-C stops all of it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from server.kit.settings import Settings, SettingsError, get_settings

_STOP_GRACE_S = 15.0


def _settings() -> Settings:
    get_settings.cache_clear()
    return get_settings()


@contextmanager
def services(*, need_redis: bool = True) -> Iterator[Settings]:
    """The database and Redis this command uses: the configured ones, or the embedded
    ones started (or joined) under the data directory and stopped again on exit."""
    from server import embedded
    from server.dispatch.scoring import configured_weights
    from server.kit.keyring import ensure_development_keys
    from server.kit.logging import configure_logging

    settings = _settings()
    # Checked by the domain that reads them, but here too: every command stops on a bad
    # setting before it starts anything, with the one line `main` prints.
    configured_weights(settings)
    configure_logging(settings.log_format, settings.log_level)
    ensure_development_keys(settings)
    started_postgres = None
    started_redis = None
    try:
        if settings.embedded_database:
            started_postgres = embedded.start_postgres(settings.data_dir)
            os.environ["DATABASE_URL"] = started_postgres.url
        if settings.embedded_redis and need_redis:
            started_redis = embedded.start_redis(settings.data_dir)
            os.environ["REDIS_URL"] = started_redis.url
        yield _settings()
    finally:
        if started_redis is not None:
            started_redis.stop()
        if started_postgres is not None:
            started_postgres.stop()


def _child(command: list[str], **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own entry point
        [sys.executable, "-m", "server.cli", *command], env={**os.environ, **env}
    )


def _run_migrations() -> str:
    """`agency migrate` in a process of its own (it connects as the owner). Returns its one
    line when something ran, else ""; on failure everything it said is shown."""
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "migrate"],
        env=os.environ.copy(),
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(result.returncode)
    return result.stdout.strip()


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + _STOP_GRACE_S
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    where = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, where, parts.path, "", ""))


def _where_data_lives(configured: Settings) -> str:
    if configured.embedded_database:
        redis = "and Redis " if configured.embedded_redis else ""
        return f"{configured.data_dir}  (embedded PostgreSQL {redis}kept between runs)"
    return _without_password(configured.database_url or "")


async def _has_clients() -> bool:
    from server.auth.principal import SYSTEM
    from server.clients import service as clients
    from server.kit import db
    from server.kit.pagination import page_request

    await db.start_pool(1, 1)
    try:
        return bool((await clients.list_clients(SYSTEM, page_request(1, None))).items)
    finally:
        await db.close_pool()


def base_url(settings: Settings) -> str:
    # A wildcard address is not one a browser can open.
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host  # noqa: S104
    return f"http://{host}:{settings.port}"


def _banner(
    settings: Settings, data: str, *, has_data: bool, ready: bool, migrated: str = ""
) -> str:
    """What a person needs from `agency run`: printed as it starts and again when ready."""
    base = base_url(settings)
    lines = [
        f"{'Ready' if ready else 'Starting'}: {settings.agency_name} agency server",
        f"  front page     {base}/",
        f"  client portal  {base}/portal/",
        f"  workspace      {base}/workspace/",
        f"  API docs       {base}/schema   (JSON API under {base}/api/v1)",
        f"  data           {data}",
        "  stop           Ctrl-C",
    ]
    if migrated:
        lines.append(f"  {migrated}")
    if not has_data:
        lines.append("  no data yet: run `agency seed-demo` (in another terminal) for demo data")
    return "\n".join(lines)


def _answers(settings: Settings) -> bool:
    """The API is up: its port takes connections and /ready says so."""
    import httpx

    base = base_url(settings)
    try:
        # Polling the port costs no log line; /ready is asked once it takes connections.
        with socket.create_connection((urlsplit(base).hostname, settings.port), timeout=0.5):
            pass
        return httpx.get(f"{base}/ready", timeout=2).status_code == 200
    except (OSError, httpx.HTTPError):
        return False


def cmd_run(args: argparse.Namespace) -> int:
    stopping = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    data = _where_data_lives(_settings())
    with services() as settings:
        migrated = _run_migrations()
        has_data = asyncio.run(_has_clients())
        starting = _banner(settings, data, has_data=has_data, ready=False, migrated=migrated)
        print(starting, flush=True)
        children = [
            _child(["api", "--workers", str(args.workers)]),
            _child(["worker"]),
        ]
        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        try:
            ready = False
            while not stopping and all(child.poll() is None for child in children):
                if not ready and _answers(settings):
                    ready = True
                    print(_banner(settings, data, has_data=has_data, ready=True), flush=True)
                time.sleep(0.2)
        finally:
            _stop(children)
        failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, -signal.SIGINT)]
    if failed and not stopping:
        print("agency run: a process stopped unexpectedly; everything is stopped", flush=True)
        return 1
    print("Stopped: everything `agency run` started has ended; the data is kept.", flush=True)
    return 0


def cmd_api(args: argparse.Namespace) -> int:
    import uvicorn

    with services() as settings:
        uvicorn.run(
            "server.app:create_app",
            factory=True,
            host=args.host or settings.host,
            port=args.port or settings.port,
            workers=args.workers,
            log_config=None,
            access_log=False,
            proxy_headers=True,
            loop="uvloop",
            http="httptools",
        )
    return 0


def cmd_worker(_: argparse.Namespace) -> int:
    with services():
        from server.worker import run

        run()
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    os.environ["AGENCY_DB_ROLE"] = "owner"
    with services(need_redis=False) as settings:
        from server.kit.logging import configure_logging
        from server.migrate import migrate

        configure_logging(settings.log_format, settings.log_level)
        applied = asyncio.run(migrate())
        if applied:
            print(f"migrations: applied {applied}; the schema is current", flush=True)
    return 0


def _with_database(action: Callable[[Settings], Any], *, migrate_first: bool = False) -> int:
    with services() as settings:
        if migrate_first and (migrated := _run_migrations()):
            print(migrated, flush=True)
        from server.kit import db
        from server.kit.logging import configure_logging
        from server.kit.redis import close_redis, open_redis

        configure_logging(settings.log_format, "WARNING")

        async def main() -> None:
            await db.start_pool(1, 4)
            open_redis(settings.redis_url or "")
            try:
                await action(settings)
            finally:
                await close_redis()
                await db.close_pool()

        asyncio.run(main())
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from server.cli_actions import create_user

    return _with_database(lambda settings: create_user(settings, args))


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from server.cli_actions import seed_demo

    # Often the first command on a fresh machine: the schema is brought up first (a no-op
    # when it is current), rather than failing on a database nobody migrated.
    return _with_database(lambda settings: seed_demo(settings, args), migrate_first=True)


def cmd_remit(args: argparse.Namespace) -> int:
    from server.cli_actions import remit

    return _with_database(lambda settings: remit(settings, args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agency", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="API and worker, embedded services by default")
    run.add_argument("--workers", type=int, default=1, help="API processes")
    run.set_defaults(handler=cmd_run)

    api = commands.add_parser("api", help="the HTTP API and portal (uvicorn)")
    api.add_argument("--host")
    api.add_argument("--port", type=int)
    api.add_argument("--workers", type=int, default=1)
    api.set_defaults(handler=cmd_api)

    commands.add_parser("worker", help="the arq worker").set_defaults(handler=cmd_worker)
    commands.add_parser("migrate", help="apply migrations as the owner").set_defaults(
        handler=cmd_migrate
    )

    create_user = commands.add_parser("create-user", help="add a user")
    create_user.add_argument("username")
    create_user.add_argument(
        "--role", required=True, choices=["admin", "supervisor", "collector", "client"]
    )
    create_user.add_argument("--password", help="prompted for when omitted")
    create_user.add_argument("--client-id")
    create_user.set_defaults(handler=cmd_create_user)

    seed = commands.add_parser("seed-demo", help="demo users and data, logins printed")
    seed.add_argument("--accounts", type=int, default=3000, help="accounts per demo client")
    seed.set_defaults(handler=cmd_seed_demo)

    remit = commands.add_parser("remit", help="issue the remittance statements now due")
    remit.add_argument(
        "--as-of",
        help="a date (the agency's 00:00 of it) or a time with its offset; now by default",
    )
    remit.set_defaults(handler=cmd_remit)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except SettingsError as error:
        print(f"agency: configuration error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
