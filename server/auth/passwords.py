"""Password hashing with Argon2id; its cost comes from settings (lowered only in tests).

Hashing is deliberately slow, so it runs in a thread: a sign-in must not stall the
event loop that serves everyone else."""

from __future__ import annotations

from functools import lru_cache

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.kit.settings import get_settings


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(
        time_cost=settings.password_time_cost, memory_cost=settings.password_memory_kib
    )


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher().hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher().verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(verify)


# Verified against when the username is unknown, so that a sign-in for a user who does
# not exist takes as long as one with a wrong password.
_DUMMY_HASH: list[str] = []


async def burn_time_like_a_verification(password: str) -> None:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(await hash_password("not a real password at all"))
    await verify_password(_DUMMY_HASH[0], password)
