"""CI's check that the server reads the clock in one place: no SQL in `server/` or
`client_portal/` reads PostgreSQL's clock (`now()`, `current_date`, `current_timestamp`,
`localtimestamp`) unless its line says why with `-- clock-ok: <why>` (a row's own write
time, say). Python's reads are ruff's banned-api rule (TID251); this is the SQL half.

    python3 -m scripts.check_clock        exit 1 and one line per offence
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLACES = ("server", "client_portal", "front_page", "workspace")
THE_CLOCK = Path("server") / "kit" / "clock.py"  # the one reader, by design
# `now()` not preceded by a name or a dot: SQL's, not `clock.now()`.
CLOCK_READ = re.compile(
    r"(?<![\w.])now\s*\(\s*\)|\bcurrent_date\b|\bcurrent_timestamp\b|\blocaltimestamp\b",
    re.IGNORECASE,
)
EXCUSED = re.compile(r"--\s*clock-ok:\s*\S")


def offences(root: Path = ROOT) -> list[str]:
    found = []
    for place in PLACES:
        for path in sorted((root / place).rglob("*.py")):
            if "piccolo_migrations" in path.parts or path.relative_to(root) == THE_CLOCK:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if line.lstrip().startswith("#"):
                    continue  # Python's comments only speak of the clock
                if CLOCK_READ.search(line) and not EXCUSED.search(line):
                    where = path.relative_to(root)
                    found.append(f"{where}:{number}: {line.strip()}")
    return found


def main() -> int:
    found = offences()
    for line in found:
        print(line)
    if found:
        print(
            f"{len(found)} SQL clock reads: pass clock.now() as a parameter, or end the line "
            "with `-- clock-ok: <why>`",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
