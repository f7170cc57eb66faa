"""axe-core (from npm: tests/e2e/package.json, installed into tests/e2e/node_modules by
`npm ci`, which .ci/run does before the suite and `axe_source` does when it is missing)
run inside a page: no violation of impact serious or critical may be on it.

The script is evaluated through the browser's devtools protocol, which the page's
Content-Security-Policy does not govern, so the CSP stays as strict as in production."""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@cache
def axe_source() -> str:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            reason = "no axe-core and no npm to install it (apt-get install npm)"
            if os.environ.get("AGENCY_REQUIRE_BROWSER") == "1":
                pytest.fail(reason)
            pytest.skip(reason)
        # The lock file's version, nothing newer: the same axe on every machine.
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True, timeout=300
        )
    return AXE.read_text(encoding="utf-8")


async def violations(page: Any) -> list[str]:
    """The page's serious and critical violations, each with the elements it names."""
    if not await page.evaluate("typeof window.axe === 'object'"):
        await page.evaluate(axe_source() + "\n;undefined")
    found = await page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v =>"
        " ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))"
    )
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {', '.join(v['nodes'])}"
        for v in found
        if v["impact"] in BLOCKING
    ]


async def assert_accessible(page: Any, what: str) -> None:
    found = await violations(page)
    assert not found, f"{what}:\n" + "\n".join(found)
