"""What a domain tells a client's users by e-mail (a statement issued, a file loaded),
without importing the notices domain, which sits above them all: the composition root
(server/wiring.py) gives this the notices service's notifier at start-up.

A notice carries a count and a link, never consumer data. It is queued in the caller's
transaction, so it is sent only if what it announces committed. Before wiring (a unit
test of a lower domain) nothing is told."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

# (client_id, kind, count, link): kind is one of the notices domain's NoticeKind values.
ClientNotifier = Callable[[UUID, str, int, str], Awaitable[None]]
_notifier: list[ClientNotifier] = []


def use_client_notifier(notifier: ClientNotifier) -> None:
    """Called at start-up; calling it again replaces the notifier (wire() may run twice)."""
    _notifier[:] = [notifier]


def notifier_wired() -> bool:
    """Whether anything will be told (false only before wiring: a lower domain's test)."""
    return bool(_notifier)


async def tell_client(client_id: UUID, kind: str, count: int, link: str) -> None:
    for notifier in _notifier:
        await notifier(client_id, kind, count, link)
