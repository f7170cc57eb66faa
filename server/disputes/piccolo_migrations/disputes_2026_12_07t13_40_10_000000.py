from server.kit.migration_sql import sql_migration

ID = "2026-12-07T13:40:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "A duplicate names the dispute it repeats, with its reason, who and when"

forwards = sql_migration(
    ID,
    "disputes",
    DESCRIPTION,
    """
    ALTER TABLE dispute
        ADD CONSTRAINT dispute_duplicate_of FOREIGN KEY (duplicate_of) REFERENCES dispute (id),
        ADD CONSTRAINT dispute_duplicate_whole CHECK (
            (duplicate_of IS NULL AND duplicate_reason IS NULL AND duplicate_marked_by IS NULL
             AND duplicate_marked_at IS NULL)
            OR (duplicate_of IS NOT NULL AND duplicate_of <> id AND duplicate_reason IS NOT NULL
                AND duplicate_marked_by IS NOT NULL AND duplicate_marked_at IS NOT NULL
                AND channel IN ('written', 'electronic')));
    """,
    """
    ALTER TABLE dispute DROP CONSTRAINT dispute_duplicate_whole,
        DROP CONSTRAINT dispute_duplicate_of;
    """,
)
