"""CI's check that every file of the server and the pages is one a reader can hold in
their head: under 500 lines (STYLE.md 12). A module that grows past it becomes a package
with a module per use case. Migrations are history, not code one reads whole: exempt.

    python3 -m scripts.check_sizes        exit 1 and one line per file over the limit
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLACES = ("server", "client_portal", "front_page", "workspace")
MOST_LINES = 500


def oversized(root: Path = ROOT) -> list[tuple[Path, int]]:
    found = []
    for place in PLACES:
        for path in sorted((root / place).rglob("*.py")):
            if "piccolo_migrations" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            if lines > MOST_LINES:
                found.append((path.relative_to(root), lines))
    return sorted(found)


def main() -> int:
    found = oversized()
    for path, lines in found:
        print(f"{path}: {lines} lines")
    if found:
        print(
            f"{len(found)} files over {MOST_LINES} lines: split them by use case",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
