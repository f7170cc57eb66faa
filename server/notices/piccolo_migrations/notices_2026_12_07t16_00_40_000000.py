from server.kit.migration_sql import sql_migration

ID = "2026-12-07T16:00:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "Notices' users and clients, their values, and the sender's index"

forwards = sql_migration(
    ID,
    "notices",
    DESCRIPTION,
    """
    ALTER TABLE notice_preference
        ADD CONSTRAINT notice_preference_user FOREIGN KEY (user_id) REFERENCES app_user (id),
        ADD CONSTRAINT notice_preference_client FOREIGN KEY (client_id) REFERENCES client (id);
    ALTER TABLE notice_outbox
        ADD CONSTRAINT notice_outbox_user FOREIGN KEY (user_id) REFERENCES app_user (id),
        ADD CONSTRAINT notice_outbox_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT notice_outbox_status CHECK (status IN ('queued', 'sent', 'failed')),
        ADD CONSTRAINT notice_outbox_sent CHECK ((status = 'sent') = (sent_at IS NOT NULL));
    CREATE INDEX notice_outbox_due ON notice_outbox (next_attempt_at, id)
        WHERE status = 'queued';
    CREATE INDEX notice_outbox_newest ON notice_outbox (created_at DESC, id DESC);
    """,
    """
    DROP INDEX notice_outbox_newest;
    DROP INDEX notice_outbox_due;
    ALTER TABLE notice_outbox DROP CONSTRAINT notice_outbox_sent,
        DROP CONSTRAINT notice_outbox_status, DROP CONSTRAINT notice_outbox_client,
        DROP CONSTRAINT notice_outbox_user;
    ALTER TABLE notice_preference DROP CONSTRAINT notice_preference_client,
        DROP CONSTRAINT notice_preference_user;
    """,
)
