from server.kit.migration_sql import sql_migration

ID = "2026-12-06T23:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Placements that failed to load: the status and its reason"

# A loader that fails the same way twice marks its placement `failed` with a reason for
# the client (placements/failures.py); the sweep no longer retries it every minute. The
# same bytes sent again make a new placement: like a rejected one, a failed placement
# stays beside it and is not counted as the same bytes.
forwards = sql_migration(
    ID,
    "placements",
    DESCRIPTION,
    """
    ALTER TABLE placement ADD COLUMN failure_reason text,
        ADD COLUMN last_failure varchar(200),
        DROP CONSTRAINT placement_status,
        ADD CONSTRAINT placement_status CHECK (status IN
            ('received', 'validating', 'loaded', 'awaiting_confirmation', 'rejected',
             'failed'));
    DROP INDEX placement_same_bytes;
    CREATE UNIQUE INDEX placement_same_bytes ON placement (client_id, kind, sha256)
        WHERE status NOT IN ('rejected', 'failed');
    """,
    """
    DROP INDEX placement_same_bytes;
    UPDATE placement SET status = 'rejected', rejected_reason = failure_reason
        WHERE status = 'failed';
    CREATE UNIQUE INDEX placement_same_bytes ON placement (client_id, kind, sha256)
        WHERE status <> 'rejected';
    ALTER TABLE placement DROP CONSTRAINT placement_status,
        ADD CONSTRAINT placement_status CHECK (status IN
            ('received', 'validating', 'loaded', 'awaiting_confirmation', 'rejected')),
        DROP COLUMN failure_reason, DROP COLUMN last_failure;
    """,
)
