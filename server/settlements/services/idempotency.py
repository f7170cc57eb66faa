"""Idempotency keys: a request's key checked and claimed, the first answer replayed for
the same key and body, old keys purged. And the refusal of card numbers in a request,
its key included."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec

from server.auth.principal import Principal, Role
from server.kit import cards, clock
from server.kit.errors import FieldError, InvalidInput
from server.settlements.errors import IdempotencyKeyReused
from server.settlements.repositories import idempotency as repository
from server.settlements.schemas import PaymentRead

# Kept at least this long (DESIGN.md, API contract); older keys are purged.
IDEMPOTENCY_RETENTION = timedelta(days=30)
IDEMPOTENCY_HEADER = "Idempotency-Key"
_PURGE_BATCH = 5_000


@dataclass(frozen=True, slots=True)
class IdempotentResult:
    """A response as first given, replayed for the same key and body."""

    status_code: int
    payment: PaymentRead
    replayed: bool


def refuse_card_numbers(values: Any, key: str | None = None) -> None:
    """DESIGN.md, Security: a card number is never stored, logged or echoed. `values` is a
    request body, decoded (JSON) or as its struct; `key` its Idempotency-Key."""
    fields = cards.card_number_fields(msgspec.to_builtins(values))
    if key and cards.contains_card_number(key):
        fields.insert(0, IDEMPOTENCY_HEADER)
    if fields:
        reason = "must not contain a card number"
        raise InvalidInput(
            "; ".join(f"{field}: {reason}" for field in fields),
            code="card_number_refused",
            details=[FieldError(field, reason) for field in fields],
        )


def check_key(key: str | None) -> str:
    if key is None:
        raise InvalidInput.field(IDEMPOTENCY_HEADER, "is required", code="missing_header")
    key = key.strip()
    if not key or not key.isascii() or not key.isprintable():
        raise InvalidInput.field(IDEMPOTENCY_HEADER, "must be 1–255 printable ASCII characters")
    return key


def scope_of(actor: Principal) -> str:
    """Keys are the caller's client's, or the agency's for the agency's own people."""
    return f"client:{actor.client_id}" if actor.role == Role.CLIENT else "agency"


def request_hash(operation: str, subject: UUID, data: msgspec.Struct) -> str:
    canonical = msgspec.json.encode([operation, str(subject), data], order="sorted")
    return hashlib.sha256(canonical).hexdigest()


async def replay(scope: str, key: str, hashed: str) -> IdempotentResult:
    """The first answer to the key, if `hashed` is its request's `request_hash`."""
    stored = await repository.idempotency_key(scope, key)
    # The key's holder committed (we waited for it on the unique index) with its answer.
    assert stored is not None
    assert stored["response_body"] is not None
    if stored["request_hash"] != hashed:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was used with a different request; use a new key"
        )
    first = msgspec.json.decode(stored["response_body"], type=PaymentRead)
    return IdempotentResult(stored["status_code"], first, replayed=True)


async def purge_idempotency_keys() -> int:
    """Forget keys older than the retention, in batches; returns how many."""
    total = 0
    while True:
        purged = await repository.purge_idempotency_keys(
            clock.now() - IDEMPOTENCY_RETENTION, _PURGE_BATCH
        )
        total += purged
        if purged < _PURGE_BATCH:
            return total
