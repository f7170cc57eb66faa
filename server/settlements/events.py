"""What settlements tells the domains above it, inside the transaction that made it so:
an offer accepted, an account paid or settled in full. Letters listens (each is a letter
due); the composition root registers the listeners (server/wiring.py), so settlements
never imports a higher domain and nothing is wired by an import's side effect."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID


class SettlementEventKind(StrEnum):
    OFFER_ACCEPTED = "offer_accepted"
    PAID_IN_FULL = "paid_in_full"
    SETTLED_IN_FULL = "settled_in_full"


@dataclass(frozen=True)
class SettlementEvent:
    kind: SettlementEventKind
    account_id: UUID
    client_id: UUID
    # The agency-local day it happened (a payment's received date).
    occurred_on: date
    offer_id: UUID | None = None
    payment_id: UUID | None = None


Listener = Callable[[SettlementEvent], Awaitable[None]]
_listeners: dict[str, Listener] = {}


def register_listener(name: str, listener: Listener) -> None:
    """Called at start-up; registering a name again replaces it (wire() may run twice)."""
    _listeners[name] = listener


async def notify(event: SettlementEvent) -> None:
    """Inside the caller's transaction: a listener's writes commit or roll back with the
    event that caused them."""
    for listener in _listeners.values():
        await listener(event)
