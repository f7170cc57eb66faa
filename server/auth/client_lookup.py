"""What auth needs to know of clients: which exist, and whether a caller may see one.

Clients sit above auth (a client's users and tokens are auth's), so auth declares the two
questions it asks and the composition root (`server.wiring`) answers them with the
clients service at start-up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from server.auth.principal import Principal


@dataclass(frozen=True)
class ClientLookup:
    # The ids among these that name no client.
    missing_clients: Callable[[list[UUID]], Awaitable[list[UUID]]]
    # NotFound unless the client exists and the caller may see it.
    require_client: Callable[[Principal, UUID], Awaitable[None]]


_lookup: ClientLookup | None = None


def use_client_lookup(lookup: ClientLookup) -> None:
    global _lookup
    _lookup = lookup


def client_lookup() -> ClientLookup:
    if _lookup is None:
        raise RuntimeError(
            "auth has no client lookup: the process must call server.wiring.wire() at start-up"
        )
    return _lookup
