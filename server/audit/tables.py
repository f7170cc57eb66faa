from piccolo.columns import JSONB, UUID, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AuditEvent(Table, tablename="audit_event"):
    """Append-only: the application role may only INSERT and SELECT it, and a trigger
    refuses UPDATE and DELETE for everyone else (see the migration)."""

    id = UUID(primary_key=True)
    occurred_at = Timestamptz(default=TimestamptzNow(), index=True)
    actor_id = UUID(null=True, default=None)
    actor_kind = Varchar(length=16)
    role = Varchar(length=16, null=True, default=None)
    client_id = UUID(null=True, default=None, index=True)
    entity = Varchar(length=64)
    entity_id = Varchar(length=64, null=True, default=None)
    action = Varchar(length=64)
    before = JSONB(null=True, default=None)
    after = JSONB(null=True, default=None)
    request_id = Varchar(length=128, null=True, default=None)
