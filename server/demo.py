"""`agency seed-demo`: demo users of every role, so a newcomer sees a living system.

Each feature extends what is seeded here. Idempotent: a second run finds what the first
made and prints the same logins.
"""

from __future__ import annotations

import contextlib

from server.auth import service as auth_service
from server.auth.errors import UsernameTaken
from server.settings import Settings

DEMO_PASSWORD = "demo-password-2026"
DEMO_STAFF = (("admin", "demo.admin"), ("supervisor", "demo.supervisor"))
DEMO_COLLECTORS = ("demo.collector1", "demo.collector2", "demo.collector3")


async def _ensure_user(role: str, username: str, client_id: str | None = None) -> None:
    with contextlib.suppress(UsernameTaken):
        await auth_service.create_user_unchecked(
            username=username, password=DEMO_PASSWORD, role=role, client_id=client_id
        )


async def seed(settings: Settings, accounts_per_client: int) -> list[tuple[str, str, str]]:
    logins: list[tuple[str, str, str]] = []
    for role, username in DEMO_STAFF:
        await _ensure_user(role, username)
        logins.append((role, username, DEMO_PASSWORD))
    for username in DEMO_COLLECTORS:
        await _ensure_user("collector", username)
        logins.append(("collector", username, DEMO_PASSWORD))
    return logins
