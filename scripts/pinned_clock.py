"""Run the test suite with the whole machine's clock started at a chosen instant.

    python3 -m scripts.pinned_clock 2026-11-30T23:30 America/New_York [pytest arguments]

The instant is a local time in the zone given (or UTC when it carries an offset or ends in
Z; `now` runs on the real clock). Debian's `faketime` (its timestamp form) starts the clock
of pytest and of everything it starts — the embedded PostgreSQL and Redis, `agency api`
and `agency worker` processes — at that instant, and the clock runs forward from there,
never frozen (a frozen clock would hang leases, timeouts and sleeps).

The run uses the embedded servers whatever DATABASE_URL / REDIS_URL say: a server this
command did not start would keep the real time. Before any test, the suite's pinned-clock
check (tests/conftest.py) asserts that Python's clock, PostgreSQL's `now()`, an `agency
api` and an `agency worker` all read within 60 s of the instant; a preload lost on the way
to one of them stops the run there.
"""

from __future__ import annotations

import os
import shutil
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DEFAULT_PYTEST_ARGS = ["-m", "clock"]


def pinned_instant(text: str, zone: str) -> datetime | None:
    """The UTC instant `text` names in `zone`; None for `now`. A local time repeated by a
    DST change is read as its first occurrence (fold 0)."""
    if text == "now":
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)


def command(instant: datetime | None, pytest_args: list[str]) -> tuple[list[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    pytest = [sys.executable, "-m", "pytest", *pytest_args]
    if instant is None:
        env.pop("AGENCY_PINNED_AT", None)
        return pytest, env
    faketime = shutil.which("faketime")
    if faketime is None:
        raise SystemExit("faketime is not installed: apt-get install faketime")
    env["AGENCY_PINNED_AT"] = instant.isoformat()
    # faketime reads its timestamp with date(1) in the local zone: give it UTC both ways.
    env["TZ"] = "UTC"
    return [faketime, f"{instant:%Y-%m-%d %H:%M:%S}", *pytest], env


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    instant = pinned_instant(argv[0], argv[1])
    pytest_args = argv[2:] or DEFAULT_PYTEST_ARGS
    args, env = command(instant, pytest_args)
    at = "the real clock" if instant is None else f"{argv[0]} {argv[1]} ({instant:%FT%TZ})"
    print(f"== tests at {at}: pytest {' '.join(pytest_args)} ==", flush=True)
    os.execvpe(args[0], args, env)
    return 0  # pragma: no cover - exec does not return


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
