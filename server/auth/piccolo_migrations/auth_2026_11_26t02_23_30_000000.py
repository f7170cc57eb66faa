from server.kit.migration_sql import sql_migration

ID = "2026-11-26T02:23:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Portal sessions end with their user"

forwards = sql_migration(
    ID,
    "auth",
    DESCRIPTION,
    """
    ALTER TABLE portal_session
        ADD CONSTRAINT portal_session_user
            FOREIGN KEY (user_id) REFERENCES app_user (id) ON DELETE CASCADE;
    CREATE INDEX portal_session_last_seen ON portal_session (last_seen_at);
    """,
    """
    DROP INDEX portal_session_last_seen;
    ALTER TABLE portal_session DROP CONSTRAINT portal_session_user;
    """,
)
