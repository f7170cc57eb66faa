"""Sign-in, token rotation, users and collectors, client API tokens, and turning a
bearer credential into a Principal."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

import asyncpg
import msgspec

from server.audit import service as audit
from server.auth import passwords, rate_limit, repository, tokens
from server.auth.client_lookup import client_lookup
from server.auth.errors import (
    InvalidCredentials,
    InvalidRefreshToken,
    PortalForClients,
    UsernameTaken,
    WorkspaceForStaff,
)
from server.auth.principal import Principal, Role
from server.auth.schemas import (
    ApiTokenCreated,
    ApiTokenRead,
    CollectorUpdate,
    MeRead,
    TokenPair,
    UserCreate,
    UserRead,
)
from server.kit import clock, db
from server.kit.errors import FieldError, InvalidInput, NotFound, TooManyRequests, Unauthenticated
from server.kit.mapping import read_as
from server.kit.settings import get_settings

DEFAULT_COLLECTOR_CAPACITY = 50


def _user_read(row: asyncpg.Record) -> UserRead:
    return read_as(UserRead, row, user_id=row["id"])


def _principal(row: asyncpg.Record) -> Principal:
    return read_as(Principal, row, kind="user", portfolio=frozenset(row["client_ids"]))


async def _issue_pair(user: asyncpg.Record, family_id: UUID) -> TokenPair:
    # `fid`: the refresh family, so revoking it stops its access tokens at once.
    claims: dict[str, object] = {
        "sub": str(user["id"]),
        "role": user["role"],
        "fid": str(family_id),
    }
    if user["client_id"] is not None:
        claims["client_id"] = str(user["client_id"])
    access, lifetime = tokens.issue_access_token(claims)
    refresh = tokens.new_secret(tokens.REFRESH_PREFIX)
    await repository.insert_refresh_token(
        family_id=family_id,
        user_id=user["id"],
        token_hash=tokens.secret_hash(refresh),
        expires_at=clock.now() + timedelta(seconds=get_settings().refresh_token_ttl_s),
    )
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=lifetime)


def _attempt_keys(username: str, address: str) -> tuple[str, str]:
    return f"login:user:{username.lower()}", f"login:ip:{address}"


async def _begin_attempt(username: str, address: str) -> None:
    """Failed sign-ins are limited per username, against one account guessed from many
    addresses, and per address, against one address trying many usernames. The answer is
    the same whether the username exists or not."""
    settings = get_settings()
    window = settings.login_window_s
    by_user, by_address = _attempt_keys(username, address)
    verdict = await rate_limit.begin(by_user, settings.login_failures_per_username, window)
    if verdict.allowed:
        verdict = await rate_limit.begin(by_address, settings.login_failures_per_address, window)
        if not verdict.allowed:
            # Refused for the address's failures, not this user's.
            await rate_limit.succeeded(by_user, forget=False)
    if not verdict.allowed:
        raise TooManyRequests(
            "too many sign-in attempts; try again later", retry_after_s=verdict.retry_after_s
        )


async def authenticate_password(username: str, password: str, address: str) -> asyncpg.Record:
    await _begin_attempt(username, address)
    user = await repository.user_by_username(username)
    if user is None:
        await passwords.burn_time_like_a_verification(password)
        raise InvalidCredentials("wrong username or password")
    if not await passwords.verify_password(user["password_hash"], password) or not user["active"]:
        raise InvalidCredentials("wrong username or password")
    # Only failures count: a success clears the username's and is no failure of the address.
    by_user, by_address = _attempt_keys(username, address)
    await rate_limit.succeeded(by_user, forget=True)
    await rate_limit.succeeded(by_address, forget=False)
    return user


async def login(username: str, password: str, address: str) -> TokenPair:
    user = await authenticate_password(username, password, address)
    async with db.transaction():
        pair = await _issue_pair(user, family_id=uuid4())
        await audit.record(
            _principal(user), "auth.login", "user", user["id"], client_id=user["client_id"]
        )
    return pair


async def refresh(refresh_token: str) -> TokenPair:
    """Rotate: the presented token is spent and a new one of the same family issued. A
    spent token presented again means it was copied: the whole family is revoked, so
    whoever holds either copy must sign in again."""
    token_hash = tokens.secret_hash(refresh_token)
    reused_family: UUID | None = None
    async with db.transaction():
        found = await repository.refresh_token_for_update(token_hash)
        if found is None or found["revoked_at"] is not None:
            raise InvalidRefreshToken("refresh token is not valid")
        if found["used_at"] is not None:
            await repository.revoke_refresh_family(found["family_id"])
            reused_family = found["family_id"]
        elif found["expires_at"] <= clock.now():
            raise InvalidRefreshToken("refresh token has expired")
        else:
            user = await repository.user_by_id(found["user_id"])
            if user is None or not user["active"]:
                raise InvalidRefreshToken("refresh token is not valid")
            await repository.mark_refresh_token_used(found["id"])
            return await _issue_pair(user, family_id=found["family_id"])
    # Outside the transaction so the revocation commits before we refuse.
    assert reused_family is not None
    raise InvalidRefreshToken(f"refresh token reused; sessions of family {reused_family} revoked")


async def principal_for_bearer(credential: str) -> Principal:
    if credential.startswith(tokens.API_TOKEN_PREFIX):
        row = await repository.active_api_token_by_hash(tokens.secret_hash(credential), clock.now())
        if row is None:
            raise Unauthenticated("API token is not valid")
        return read_as(
            Principal, row, kind="api_token", role=Role.CLIENT, username=f"token:{row['prefix']}"
        )
    try:
        claims = tokens.verify_access_token(credential)
        user_id = UUID(str(claims["sub"]))
        family_id = UUID(str(claims["fid"])) if "fid" in claims else None
    except (tokens.InvalidToken, ValueError) as error:
        raise Unauthenticated("access token is not valid") from error
    # The token's user and whether its refresh family was revoked for reuse, in the one
    # query every request makes: a stolen session is refused on its next request, not
    # when the token expires, at no round trip of its own.
    user = await repository.user_for_access(user_id, family_id)
    if user["family_revoked"]:
        raise Unauthenticated("access token is not valid: its session was revoked")
    return _active_principal(user)


async def principal_for_user(user_id: UUID) -> Principal:
    return _active_principal(await repository.user_by_id(user_id))


def _active_principal(user: asyncpg.Record | None) -> Principal:
    if user is None or not user["active"]:
        raise Unauthenticated("access token is not valid")
    return _principal(user)


async def collectors() -> list[UserRead]:
    """Every collector, active or not, by username: for the supervisors' views."""
    return [_user_read(row) for row in await repository.collectors()]


async def user_id_of(username: str) -> UUID:
    user = await repository.user_by_username(username)
    if user is None:
        raise NotFound("no such user")
    return UUID(str(user["id"]))


def me(principal: Principal) -> MeRead:
    return MeRead(
        id=principal.id,
        kind=principal.kind,
        username=principal.username,
        role=principal.role,
        client_id=principal.client_id,
        client_ids=sorted(principal.portfolio),
    )


async def _check_clients(field: str, client_ids: list[UUID]) -> None:
    missing = await client_lookup().missing_clients(client_ids)
    if missing:
        raise InvalidInput(
            f"{field}: no such client",
            details=[FieldError(field, f"no such client: {client_id}") for client_id in missing],
        )


def _binding_errors(data: UserCreate) -> list[FieldError]:
    errors: list[FieldError] = []
    if data.role == Role.CLIENT and data.client_id is None:
        errors.append(FieldError("client_id", "required for a client user"))
    if data.role != Role.CLIENT and data.client_id is not None:
        errors.append(FieldError("client_id", "only client users belong to a client"))
    if data.role != Role.COLLECTOR and data.client_ids:
        errors.append(FieldError("client_ids", "only collectors have a portfolio"))
    if data.role != Role.COLLECTOR and data.capacity is not None:
        errors.append(FieldError("capacity", "only collectors have a queue capacity"))
    return errors


async def create_user(actor: Principal, data: UserCreate) -> UserRead:
    errors = _binding_errors(data)
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.reason}" for e in errors), details=errors)
    if data.client_id is not None:
        await _check_clients("client_id", [data.client_id])
    if data.client_ids:
        await _check_clients("client_ids", data.client_ids)
    password_hash = await passwords.hash_password(data.password)
    async with db.transaction():
        if await repository.username_taken(data.username):
            raise UsernameTaken(f"username {data.username!r} is taken")
        capacity = data.capacity
        if data.role == Role.COLLECTOR and capacity is None:
            capacity = DEFAULT_COLLECTOR_CAPACITY
        try:
            user_id = await repository.insert_user(
                username=data.username,
                password_hash=password_hash,
                role=data.role,
                client_id=data.client_id,
                capacity=capacity,
            )
        except asyncpg.UniqueViolationError:
            raise UsernameTaken(f"username {data.username!r} is taken") from None
        if data.client_ids:
            await repository.replace_portfolio(user_id, sorted(set(data.client_ids)))
        created = await repository.user_by_id(user_id)
        assert created is not None
        view = _user_read(created)
        await audit.record(
            actor, "user.create", "user", user_id, client_id=data.client_id,
            after={"username": data.username, "role": data.role, "client_ids": view.client_ids,
                   "capacity": capacity},
        )  # fmt: skip
    return view


async def create_user_unchecked(
    *, username: str, password: str, role: str, client_id: str | None
) -> UserRead:
    """For the CLI, which acts as the system."""
    from server.auth.principal import SYSTEM

    return await create_user(
        SYSTEM,
        UserCreate(
            username=username,
            password=password,
            role=Role(role),
            client_id=UUID(client_id) if client_id else None,
        ),
    )


async def update_collector(actor: Principal, user_id: UUID, data: CollectorUpdate) -> UserRead:
    if isinstance(data.client_ids, list):
        await _check_clients("client_ids", data.client_ids)
    async with db.transaction():
        before = await repository.user_by_id(user_id, for_update=True)
        if before is None or before["role"] != Role.COLLECTOR:
            raise NotFound("no such collector")
        await repository.update_collector(
            user_id,
            capacity=None if data.capacity is msgspec.UNSET else data.capacity,
            active=None if data.active is msgspec.UNSET else data.active,
        )
        if isinstance(data.client_ids, list):
            await repository.replace_portfolio(user_id, sorted(set(data.client_ids)))
        after = await repository.user_by_id(user_id)
        if after is None:
            raise NotFound("no such collector")
        await audit.record(
            actor, "collector.update", "user", user_id,
            before=_audit_view(before), after=_audit_view(after),
        )  # fmt: skip
        return _user_read(after)


def _audit_view(row: asyncpg.Record) -> dict[str, object]:
    return {
        "capacity": row["capacity"],
        "active": row["active"],
        "client_ids": [str(c) for c in row["client_ids"]],
    }


async def create_api_token(actor: Principal, client_id: UUID, name: str) -> ApiTokenCreated:
    await client_lookup().require_client(actor, client_id)
    secret = tokens.new_secret(tokens.API_TOKEN_PREFIX)
    prefix = secret[:12]
    async with db.transaction():
        row = await repository.insert_api_token(
            client_id=client_id,
            name=name,
            token_hash=tokens.secret_hash(secret),
            prefix=prefix,
            created_by=actor.id,
        )
        await audit.record(
            actor, "api_token.create", "api_token", row["id"], client_id=client_id,
            after={"name": name, "prefix": prefix},
        )  # fmt: skip
    return read_as(ApiTokenCreated, row, token_id=row["id"], token=secret)


def _token_read(row: asyncpg.Record) -> ApiTokenRead:
    return read_as(ApiTokenRead, row, token_id=row["id"])


async def list_api_tokens(actor: Principal, client_id: UUID) -> list[ApiTokenRead]:
    await client_lookup().require_client(actor, client_id)
    return [_token_read(row) for row in await repository.api_tokens_of_client(client_id)]


async def live_api_token_of_secret(
    actor: Principal, client_id: UUID, secret: str
) -> ApiTokenCreated | None:
    """A secret handed back to the page that shows it once (the workspace's redirect after
    the form): the token it opens, if that is a live token of this client."""
    await client_lookup().require_client(actor, client_id)
    row = await repository.live_api_token_of_secret(client_id, tokens.secret_hash(secret))
    return None if row is None else read_as(ApiTokenCreated, row, token_id=row["id"], token=secret)


async def revoke_api_token(actor: Principal, client_id: UUID, token_id: UUID) -> None:
    await client_lookup().require_client(actor, client_id)
    async with db.transaction():
        row = await repository.api_token(client_id, token_id)
        if row is None:
            raise NotFound("no such token")
        await repository.revoke_api_token(token_id)
        await audit.record(actor, "api_token.revoke", "api_token", token_id, client_id=client_id)


async def purge_expired_refresh_tokens() -> int:
    # Kept a while past expiry so a late reuse is still recognised as reuse.
    return await repository.delete_expired_refresh_tokens(clock.now() - timedelta(days=30))


# --- portal sessions ------------------------------------------------------------------------

PORTAL_SESSION_PREFIX = "ps_"
# However active, a portal session ends after this long: a copied cookie is not good forever.
PORTAL_SESSION_LIFETIME_S = 12 * 3600
# The workspace's sessions (agency staff) live in the same table under their own prefix.
WORKSPACE_SESSION_PREFIX = "ws_"
WORKSPACE_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR})


@dataclass(frozen=True, slots=True)
class PortalSession:
    secret: str
    csrf_token: str
    principal: Principal


async def _open_browser_session(
    username: str, password: str, address: str, *, staff: bool
) -> PortalSession:
    """A signed-in browser: the same credentials and rate limit as the API's sign-in.
    The portal takes client users only, the workspace staff only."""
    user = await authenticate_password(username, password, address)
    principal = _principal(user)
    if staff and principal.role not in WORKSPACE_ROLES:
        raise WorkspaceForStaff("the workspace is for the agency's staff")
    if not staff and principal.role != Role.CLIENT:
        raise PortalForClients("the client portal is for client users")
    prefix = WORKSPACE_SESSION_PREFIX if staff else PORTAL_SESSION_PREFIX
    secret = tokens.new_secret(prefix)
    csrf_token = secrets.token_urlsafe(32)
    action = "auth.workspace_sign_in" if staff else "auth.portal_sign_in"
    async with db.transaction():
        await repository.insert_portal_session(user["id"], tokens.secret_hash(secret), csrf_token)
        await audit.record(principal, action, "user", user["id"], client_id=user["client_id"])
    return PortalSession(secret, csrf_token, principal)


async def open_portal_session(username: str, password: str, address: str) -> PortalSession:
    """Sign a client user in to the portal. Agency staff have their own app and are refused."""
    return await _open_browser_session(username, password, address, staff=False)


async def open_workspace_session(username: str, password: str, address: str) -> PortalSession:
    """Sign an admin, supervisor or collector in to the workspace; client users are refused."""
    return await _open_browser_session(username, password, address, staff=True)


async def _browser_session(
    secret: str, prefix: str, idle_s: int, lifetime_s: int, roles: frozenset[Role]
) -> PortalSession | None:
    if not secret.startswith(prefix):
        return None
    row = await repository.live_portal_session(
        tokens.secret_hash(secret), idle_s, lifetime_s, clock.now()
    )
    if row is None:
        return None
    user = await repository.user_by_id(row["user_id"])
    if user is None or not user["active"] or user["role"] not in roles:
        return None
    return PortalSession(secret, row["csrf_token"], _principal(user))


async def portal_session(secret: str) -> PortalSession | None:
    """The signed-in session the cookie names, or None when it is unknown, idle past the
    portal's TTL, older than its lifetime, or its user is no longer an active client user."""
    return await _browser_session(
        secret, PORTAL_SESSION_PREFIX, get_settings().portal_session_ttl_s,
        PORTAL_SESSION_LIFETIME_S, frozenset({Role.CLIENT}),
    )  # fmt: skip


async def workspace_session(secret: str) -> PortalSession | None:
    """The workspace's session the cookie names, or None when it is unknown, idle past
    WORKSPACE_IDLE_S, older than WORKSPACE_ABSOLUTE_S, or its user is no longer active staff."""
    settings = get_settings()
    return await _browser_session(
        secret, WORKSPACE_SESSION_PREFIX, settings.workspace_idle_s,
        settings.workspace_absolute_s, WORKSPACE_ROLES,
    )  # fmt: skip


async def close_portal_session(session: PortalSession) -> None:
    principal = session.principal
    staff = session.secret.startswith(WORKSPACE_SESSION_PREFIX)
    async with db.transaction():
        await repository.delete_portal_session(tokens.secret_hash(session.secret))
        await audit.record(
            principal, "auth.workspace_sign_out" if staff else "auth.portal_sign_out", "user",
            principal.id, client_id=principal.client_id,
        )  # fmt: skip


async def purge_idle_portal_sessions() -> int:
    """Both kinds share the table: a row goes once past the longer of their limits (each
    kind's own limits are checked whenever its cookie is read)."""
    settings = get_settings()
    return await repository.delete_idle_portal_sessions(
        max(settings.portal_session_ttl_s, settings.workspace_idle_s),
        max(PORTAL_SESSION_LIFETIME_S, settings.workspace_absolute_s),
        clock.now(),
    )
