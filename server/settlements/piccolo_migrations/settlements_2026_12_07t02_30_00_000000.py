from server.kit.migration_sql import sql_migration

ID = "2026-12-07T02:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Statement payouts: how and when a statement's remittance was paid out"

# One payout per statement (the unique statement_id): a second is a conflict, never a
# second payment. Append-only like the statement it pays: the application role may only
# INSERT and SELECT it (server/migrate.py); the trigger is the second guard.
forwards = sql_migration(
    ID,
    "settlements",
    DESCRIPTION,
    """
    CREATE TABLE statement_payout (
        id uuid PRIMARY KEY,
        statement_id uuid NOT NULL UNIQUE REFERENCES statement (id),
        client_id uuid NOT NULL REFERENCES client (id),
        method varchar(8) NOT NULL CHECK (method IN ('ach', 'check', 'wire')),
        reference varchar(128) NOT NULL CHECK (length(reference) > 0),
        paid_on date NOT NULL,
        amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX statement_payout_client ON statement_payout (client_id);
    CREATE TRIGGER statement_payout_append_only BEFORE UPDATE OR DELETE ON statement_payout
        FOR EACH ROW EXECUTE FUNCTION settlements_refuse_change();
    """,
    """
    DROP TABLE statement_payout;
    """,
)
