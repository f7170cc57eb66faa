"""An admin's use cases over users of every role: the list, and signing a user out for
good (or back in). A collector's capacity and portfolio are `service.update_collector`."""

from __future__ import annotations

from uuid import UUID

from server.audit import service as audit
from server.auth import repository
from server.auth.errors import OwnUserDeactivation
from server.auth.principal import Principal, Role
from server.auth.schemas import UserRead, UserUpdate
from server.kit import db
from server.kit.errors import NotFound
from server.kit.mapping import read_as
from server.kit.pagination import Page, PageRequest, make_page


async def list_users(actor: Principal, page: PageRequest, role: Role | None) -> Page[UserRead]:
    """Users, newest first (then id); only `role`'s when given."""
    rows = await repository.list_users(role, page.after, page.fetch_limit)
    reads = [read_as(UserRead, row, user_id=row["id"]) for row in rows]
    return make_page(reads, page, key=lambda u: (u.created_at, u.user_id))


async def update_user(actor: Principal, user_id: UUID, data: UserUpdate) -> UserRead:
    """Deactivate a user (no sign-in, token or session of theirs works after) or activate
    them again; never oneself, which would leave an agency with no admin to undo it."""
    if user_id == actor.id and not data.active:
        raise OwnUserDeactivation("you may not deactivate yourself: another admin may")
    async with db.transaction():
        before = await repository.user_by_id(user_id, for_update=True)
        if before is None:
            raise NotFound("no such user")
        await repository.set_active(user_id, data.active)
        after = await repository.user_by_id(user_id)
        assert after is not None
        await audit.record(
            actor, "user.update", "user", user_id, client_id=after["client_id"],
            before={"active": before["active"]}, after={"active": after["active"]},
        )  # fmt: skip
    return read_as(UserRead, after, user_id=after["id"])
