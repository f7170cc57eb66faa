from server.kit.migration_sql import sql_migration

ID = "2026-12-07T16:02:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "Offers' reasons from the notes the workspace kept them in"

# Until offers had a reason, the workspace kept a collector's reason as an account note
# "Offer reason: …" written by the offer's maker in the offer's own transaction (so at
# the offer's created_at, which is the transaction's time). The notes stay (append-only).
# On a new database the accounts app migrates after this one and there is nothing to copy.

forwards = sql_migration(
    ID,
    "settlements",
    DESCRIPTION,
    """
    DO $$ BEGIN
        IF to_regclass('account_note') IS NOT NULL THEN
            UPDATE offer o SET reason = substr(n.text, length('Offer reason: ') + 1)
            FROM account_note n
            WHERE o.reason IS NULL AND n.account_id = o.account_id
              AND n.author_id = o.created_by AND n.text LIKE 'Offer reason: %'
              AND n.created_at = o.created_at;
        END IF;
    END $$;
    """,
)
