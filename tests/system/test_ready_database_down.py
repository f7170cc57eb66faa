"""`/ready` with PostgreSQL really down: a PostgreSQL and an API process of this test's
own, the database stopped under the running API and started again.

The API must say 503 on /ready while the database is away, keep answering /health,
refuse database-backed calls cleanly (503, never a hang or a 500), and come back to 200
by itself once the database is back, with no restart."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from server import embedded
from tests import servers as test_servers

PASSWORD = "correct horse battery staple"
USERNAME = "admin.ready"
WAIT_S = 30.0
# A request while the database is down must come back fast: the readiness probe gives up
# after 1 s; a few seconds allows a slow connect attempt, not a hang.
CLIENT_TIMEOUT = httpx.Timeout(8.0)

pytestmark = pytest.mark.timeout(150)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(
    check: Callable[[], bool],
    what: str,
    timeout_s: float = WAIT_S,
    process: subprocess.Popen[bytes] | None = None,
) -> float:
    """Seconds it took until `check()` held."""
    started = time.monotonic()
    while not check():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the API exited ({process.returncode}) waiting for {what}")
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"{what}: not within {timeout_s} s")
        time.sleep(0.2)
    return time.monotonic() - started


def _status(client: httpx.Client, path: str) -> int | None:
    try:
        return client.get(path).status_code
    except httpx.TransportError:
        return None


@pytest.fixture
def own_directory() -> Iterator[Path]:
    """Where the embedded PostgreSQL's own system user (it runs as one when we are root)
    can reach its data: every directory on the way must be searchable."""
    directory = Path(tempfile.mkdtemp(prefix="agency-ready-", dir="/tmp"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, *command],
        env=env,
        cwd=test_servers.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _error_code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


def test_ready_follows_the_database_down_and_back(
    services: test_servers.TestServers, own_directory: Path
) -> None:
    postgres = embedded.start_postgres(own_directory)
    api: subprocess.Popen[bytes] | None = None
    api_log = (own_directory / "api.log").open("wb")
    try:
        port = _free_port()
        env = {
            **os.environ,
            "AGENCY_ENV": "test",
            "AGENCY_DATA_DIR": str(own_directory),
            "DATABASE_URL": postgres.url,
            "REDIS_URL": services.redis_url,
            "PASSWORD_TIME_COST": "1",
            "PASSWORD_MEMORY_KIB": "64",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "warning",
            "DB_POOL_MIN": "1",
            "DB_POOL_MAX": "4",
        }
        env.pop("JWT_KEYS_DIR", None)
        _run(["-m", "server.cli", "migrate"], env)
        _run(
            [
                "-m",
                "server.cli",
                "create-user",
                USERNAME,
                "--role",
                "admin",
                "--password",
                PASSWORD,
            ],
            env,
        )
        api = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "api", "--port", str(port)],
            env=env,
            cwd=test_servers.ROOT,
            stdout=api_log,
            stderr=subprocess.STDOUT,
        )
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=CLIENT_TIMEOUT) as client:
            _wait_for(lambda: _status(client, "/ready") == 200, "/ready 200 at start", process=api)
            assert client.get("/ready").json() == {
                "status": "ready",
                "database": "ok",
                "redis": "ok",
            }
            login = client.post(
                "/api/v1/auth/login", json={"username": USERNAME, "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
            assert client.get("/api/v1/me", headers=bearer).status_code == 200

            postgres.stop()

            down = client.get("/ready")
            assert down.status_code == 503, down.text
            assert down.json() == {"status": "unavailable", "database": "down", "redis": "ok"}
            assert client.get("/health").status_code == 200
            # A signed-in call needs the database to find its user: 503 with the error
            # body and a Retry-After, not a 500 and not a hang.
            me = client.get("/api/v1/me", headers=bearer)
            assert me.status_code == 503, me.text
            assert _error_code(me) == "service_unavailable"
            assert me.headers["retry-after"]
            # A client API token is looked up in the database too.
            token = client.get("/api/v1/me", headers={"Authorization": "Bearer agk_x"})
            assert token.status_code == 503, token.text
            signin = client.post(
                "/api/v1/auth/login", json={"username": USERNAME, "password": PASSWORD}
            )
            assert signin.status_code == 503, signin.text
            assert _error_code(signin) == "service_unavailable"
            # Without credentials the answer needs no database at all.
            assert client.get("/api/v1/me").status_code == 401
            assert client.get("/ready").status_code == 503

            # Started again from another process, as `agency` would (the package keeps a
            # per-process handle to the server it started, which a stop does not clear).
            _run(
                [
                    "-c",
                    "import sys; from pathlib import Path; from server.embedded import "
                    "start_postgres; start_postgres(Path(sys.argv[1]))",
                    str(own_directory),
                ],
                env,
            )
            _wait_for(lambda: _status(client, "/ready") == 200, "/ready 200 again", process=api)
            assert client.get("/ready").json()["database"] == "ok"
            assert client.get("/api/v1/me", headers=bearer).status_code == 200
            assert api.poll() is None
    except BaseException:
        api_log.flush()
        sys.stderr.write((own_directory / "api.log").read_text(errors="replace")[-4000:])
        raise
    finally:
        if api is not None:
            _stop(api)
        api_log.close()
        postgres.stop()
