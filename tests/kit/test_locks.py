"""Advisory-lock ids: one key space per database, so no two uses may share an id."""

from __future__ import annotations

from server.kit import locks


def test_every_lock_id_is_used_once() -> None:
    ids = [
        value for name, value in vars(locks).items() if name.isupper() and isinstance(value, int)
    ]
    ids.remove(locks.REMITTANCE_BATCH)  # a second key, not an id
    assert len(ids) == len(set(ids)) == len(locks.ALL_ONE_KEY) + len(locks.ALL_CLASSES)
