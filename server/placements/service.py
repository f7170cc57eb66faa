"""Clients, placements, debtors and accounts: the use cases."""

from __future__ import annotations

from uuid import UUID

from server.auth.principal import Principal
from server.errors import NotFound
from server.placements import repository


async def missing_clients(client_ids: list[UUID]) -> list[UUID]:
    existing = await repository.existing_client_ids(client_ids)
    return [client_id for client_id in client_ids if client_id not in existing]


async def require_client(actor: Principal, client_id: UUID) -> None:
    """NotFound unless the client exists and the caller may see it."""
    if not actor.may_see_client(client_id) or await missing_clients([client_id]):
        raise NotFound("no such client")
