from server.kit.migration_sql import sql_migration

ID = "2026-12-07T13:30:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "A dispute's account and client; its values; the aging report's index"

# No foreign key on recorded_by: a call the system records (a dialer's log) is recorded by
# the system principal, which is no app_user row (as account_status_change.actor_id).

forwards = sql_migration(
    ID,
    "disputes",
    DESCRIPTION,
    """
    ALTER TABLE dispute
        ADD CONSTRAINT dispute_account FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT dispute_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT dispute_kind CHECK (kind IN ('dispute', 'original_creditor_request')),
        ADD CONSTRAINT dispute_channel CHECK (channel IN ('oral', 'written', 'electronic')),
        ADD CONSTRAINT dispute_scope CHECK (
            (scope = 'whole' AND disputed_cents IS NULL)
            OR (scope = 'partial' AND disputed_cents > 0)),
        ADD CONSTRAINT dispute_timeliness CHECK (
            timeliness IN ('before_notice', 'after_return', 'in_period', 'late')),
        ADD CONSTRAINT dispute_source CHECK (source IN ('dispute', 'status_action', 'call'));
    CREATE INDEX dispute_by_account ON dispute (account_id, created_at DESC, id DESC);
    CREATE INDEX dispute_open ON dispute (received_at, id) WHERE answered_at IS NULL;
    """,
    """
    DROP INDEX dispute_open;
    DROP INDEX dispute_by_account;
    ALTER TABLE dispute DROP CONSTRAINT dispute_source, DROP CONSTRAINT dispute_timeliness,
        DROP CONSTRAINT dispute_scope, DROP CONSTRAINT dispute_channel,
        DROP CONSTRAINT dispute_kind,
        DROP CONSTRAINT dispute_client, DROP CONSTRAINT dispute_account;
    """,
)
