from server.kit.migration_sql import sql_migration

ID = "2026-11-25T22:55:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Audit log is append-only"

# The application role is granted only INSERT and SELECT on this table (see
# server/migrate.py); this trigger is the second guard, for every other role but a
# superuser who disables it on purpose.
forwards = sql_migration(
    ID,
    "audit",
    DESCRIPTION,
    """
    CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$;
    CREATE TRIGGER audit_event_append_only
        BEFORE UPDATE OR DELETE ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
    CREATE INDEX audit_event_entity ON audit_event (entity, entity_id, occurred_at);
    """,
    """
    DROP TRIGGER audit_event_append_only ON audit_event;
    DROP FUNCTION audit_event_refuse_change();
    DROP INDEX audit_event_entity;
    """,
)
