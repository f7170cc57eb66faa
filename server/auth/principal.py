"""Who is calling, and what they may see.

Agency staff (admin, supervisor) see every client; a collector sees the clients of its
portfolio; a client user or API token sees its own client only. Anything outside that is
reported as not found (404), never as forbidden, so ids cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    COLLECTOR = "collector"
    CLIENT = "client"


STAFF = frozenset({Role.ADMIN, Role.SUPERVISOR})


@dataclass(frozen=True, slots=True)
class Principal:
    id: UUID
    kind: str  # "user" | "api_token" | "system"
    role: Role
    username: str
    client_id: UUID | None = None
    portfolio: frozenset[UUID] = frozenset()

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    def may_see_client(self, client_id: UUID) -> bool:
        if self.role in STAFF:
            return True
        if self.role == Role.COLLECTOR:
            return client_id in self.portfolio
        return client_id == self.client_id

    def visible_clients(self) -> frozenset[UUID] | None:
        """The clients this caller may see; None means all of them."""
        if self.role in STAFF:
            return None
        if self.role == Role.COLLECTOR:
            return self.portfolio
        assert self.client_id is not None
        return frozenset({self.client_id})


SYSTEM = Principal(id=UUID(int=0), kind="system", role=Role.ADMIN, username="system")
