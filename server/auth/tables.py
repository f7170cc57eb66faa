from piccolo.columns import UUID, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class User(Table, tablename="app_user"):
    id = UUID(primary_key=True)
    username = Varchar(length=64, unique=True)
    password_hash = Text()
    role = Varchar(length=16)
    # A client user is bound to exactly one client; staff have none.
    client_id = UUID(null=True, default=None, index=True)
    # Collectors: how many people their work queue holds.
    capacity = Integer(null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class CollectorPortfolio(Table, tablename="collector_portfolio"):
    """The clients a collector may work (unique per user and client, see the migration)."""

    id = UUID(primary_key=True)
    user_id = UUID(index=True)
    client_id = UUID(index=True)


class RefreshToken(Table, tablename="refresh_token"):
    """Stored hashed. Rotated on every use; a token used twice revokes its family."""

    id = UUID(primary_key=True)
    family_id = UUID(index=True)
    user_id = UUID(index=True)
    token_hash = Varchar(length=64, unique=True)
    issued_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class ApiToken(Table, tablename="api_token"):
    """A client's key for automated uploads; stored hashed, shown once."""

    id = UUID(primary_key=True)
    client_id = UUID(index=True)
    name = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=16)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)


class PortalSession(Table, tablename="portal_session"):
    """A client user's signed-in browser: the cookie holds a secret, stored here hashed,
    so signing out (or an administrator deactivating the user) ends it at once. Idle past
    the portal's TTL (last_seen_at) it is over."""

    id = UUID(primary_key=True)
    user_id = UUID(index=True)
    token_hash = Varchar(length=64, unique=True)
    # The session's CSRF token: every form and upload must carry it.
    csrf_token = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
