"""The supervisors' money figures: payments received per collector or client over a
period, and the offers waiting for a supervisor."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg

from server.auth.principal import Principal
from server.kit.pagination import visible_param
from server.settlements.repositories import activity as repository
from server.settlements.schemas import OfferStatus


async def payments_received(
    actor: Principal, group: str, first: date, last: date
) -> dict[UUID, dict[str, int]]:
    """{collector or client id: {payments, collected_cents}} for the period."""
    rows = await repository.payments_received(
        group, first, last, visible_param(actor.visible_clients())
    )
    return {
        row["key"]: {
            "payments": int(row["payments"]),
            "collected_cents": int(row["cents"]),
        }
        for row in rows
    }


async def offers_awaiting_supervisor(actor: Principal) -> list[asyncpg.Record]:
    return await repository.offers_awaiting(
        str(OfferStatus.PENDING_SUPERVISOR), visible_param(actor.visible_clients())
    )
