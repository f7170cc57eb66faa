"""`agency run` as a newcomer meets it: on a terminal, with nothing configured but a data
directory and a port. What it prints before the first request fits one screen, names every
door and where the data lives, and Ctrl-C leaves nothing running."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.servers import ROOT, _free_port

SCREEN_LINES = 25
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# A newcomer's shell: none of the test run's own database, Redis or logging settings.
_PASSED_ON = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "XDG_RUNTIME_DIR")


class Terminal:
    """A process on a pseudo-terminal, as in a person's shell, and what it has printed."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
            start_new_session=True,
        )  # fmt: skip
        os.close(slave)
        self.output = ""

    def read_until(self, pattern: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.text()):
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {pattern!r} in time; it printed:\n{self.text()}"
            if select.select([self.master], [], [], min(remaining, 0.5))[0]:
                try:
                    self.output += os.read(self.master, 65536).decode(errors="replace")
                except OSError:  # the process closed the terminal
                    assert self.process.poll() is None, f"it exited:\n{self.text()}"
        return self.text()

    def text(self) -> str:
        return _ANSI.sub("", self.output).replace("\r\n", "\n")


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Under /tmp, where the embedded PostgreSQL's own user can reach it when run as root.
    path = Path(tempfile.mkdtemp(prefix="agency-run-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _runs_postgres_on(data_dir: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if "postgres" in cmdline and str(data_dir) in cmdline:
            found.append(process)
    return found


def test_agency_run_prints_its_doors_on_one_screen_and_ctrl_c_stops_everything(
    data_dir: Path,
) -> None:
    port = _free_port()
    env = {name: os.environ[name] for name in _PASSED_ON if name in os.environ}
    env.update(AGENCY_DATA_DIR=str(data_dir), AGENCY_PORT=str(port), TERM="xterm")
    run = Terminal([sys.executable, "-m", "server.cli", "run"], env)
    try:
        screen = run.read_until(r"Ready: .*\n(?:.*\n)*?  stop ", timeout=120)
        # A moment for any start-up line that would still come before the first request.
        time.sleep(1.5)
        screen = run.read_until(r"\n  stop .*\n(?:.*\n)*$", timeout=5)
        lines = screen.rstrip("\n").split("\n")
        assert len(lines) <= SCREEN_LINES, screen
        base = f"http://127.0.0.1:{port}"
        for banner in ("Starting", "Ready"):
            block = screen[screen.index(f"{banner}: ") :]
            for line in (
                f"front page     {base}/",
                f"client portal  {base}/portal/",
                f"workspace      {base}/workspace/",
                f"API docs       {base}/schema",
                f"data           {data_dir.resolve()}",
                "stop           Ctrl-C",
                "no data yet: run `agency seed-demo`",
            ):
                assert line in block, (banner, line, screen)
        # The schema was made on this first run: one line of the first banner says so, in
        # place of Piccolo's tables.
        assert sum("migrations: applied" in line for line in lines) == 1, screen
        assert "migrations: applied" in screen[: screen.index("Ready: ")]
        assert "already complete" not in screen
        assert "{" not in screen, "JSON log lines on a terminal:\n" + screen
        children = psutil.Process(run.process.pid).children(recursive=True)
        assert len(children) >= 3  # the API, the worker, Redis
        assert _runs_postgres_on(data_dir)
        run.process.send_signal(signal.SIGINT)
        run.read_until(r"Stopped: ", timeout=60)
        assert run.process.wait(timeout=30) == 0
    finally:
        if run.process.poll() is None:
            run.process.kill()
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"left running: {alive}"
    deadline = time.monotonic() + 10
    while _runs_postgres_on(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _runs_postgres_on(data_dir), "the embedded PostgreSQL was left running"
