from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from server.auth.principal import Role

Username = Annotated[str, msgspec.Meta(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")]
# Long enough to resist guessing; no composition rules (NIST SP 800-63B 5.1.1.2).
Password = Annotated[str, msgspec.Meta(min_length=12, max_length=256)]
Capacity = Annotated[int, msgspec.Meta(ge=0, le=10_000)]


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class RefreshRequest(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class TokenPair(msgspec.Struct):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    password: Password
    role: Role
    client_id: UUID | None = None
    client_ids: list[UUID] | None = None
    capacity: Capacity | None = None


class CollectorUpdate(msgspec.Struct, forbid_unknown_fields=True):
    capacity: Capacity | msgspec.UnsetType = msgspec.UNSET
    client_ids: list[UUID] | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class UserUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """A user of any role signed in no more (false), or again (true)."""

    active: bool


class UserRead(msgspec.Struct):
    user_id: UUID
    username: str
    role: Role
    active: bool
    created_at: datetime
    client_id: UUID | None = None
    client_ids: list[UUID] = []
    capacity: int | None = None


class MeRead(msgspec.Struct):
    id: UUID
    kind: str
    username: str
    role: Role
    client_id: UUID | None = None
    client_ids: list[UUID] = []


class ApiTokenCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class ApiTokenRead(msgspec.Struct):
    token_id: UUID
    client_id: UUID
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class ApiTokenCreated(msgspec.Struct):
    """The secret is shown once, here; only its hash is kept."""

    token_id: UUID
    client_id: UUID
    name: str
    prefix: str
    created_at: datetime
    token: str
