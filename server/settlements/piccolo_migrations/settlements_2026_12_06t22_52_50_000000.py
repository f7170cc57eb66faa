from server.kit.migration_sql import sql_migration

ID = "2026-12-06T22:52:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "Live offers of accounts recalled or closed withdrawn"

# A recall or close now withdraws the account's live offers as it happens; offers left
# live on accounts recalled or closed before are withdrawn here, with the same reasons, so
# no payment can fulfil one and write off the rest. Payments are append-only: those
# recorded before keep a null flag (their account_status_after says recalled or closed).
forwards = sql_migration(
    ID,
    "settlements",
    DESCRIPTION,
    """
    ALTER TABLE payment ADD CONSTRAINT payment_left_collection
        CHECK (left_collection IS NULL OR left_collection IN ('recalled', 'closed'));

    UPDATE offer o SET status = 'withdrawn',
        closed_reason = CASE a.status WHEN 'recalled' THEN 'account_recalled'
                                      ELSE 'account_closed' END,
        closed_at = now(), updated_at = now() -- clock-ok: the migration's write time
    FROM account a
    WHERE a.id = o.account_id AND a.status IN ('recalled', 'closed')
      AND o.status IN ('pending_supervisor', 'pending_client', 'accepted');
    """,
    """
    ALTER TABLE payment DROP CONSTRAINT payment_left_collection;
    """,
)
