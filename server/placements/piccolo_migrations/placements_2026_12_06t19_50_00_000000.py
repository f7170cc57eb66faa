from server.kit.migration_sql import sql_migration

ID = "2026-12-06T19:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Placements held for the client's confirmation; totals placed"

# A file whose balances are implausible for the client (a $250 debt sent as 25000 and
# read as dollars) is held in `awaiting_confirmation` until the client confirms or
# cancels it. `max_plausible_balance_cents` is the ceiling for a client's first file,
# when there is no history to compare with. A cancelled placement is `rejected` and keeps
# its (recalled) accounts for the record, so the same bytes may make a new placement:
# the same bytes are one placement only among those not rejected.
forwards = sql_migration(
    ID,
    "placements",
    DESCRIPTION,
    """
    ALTER TABLE client
        ADD COLUMN max_plausible_balance_cents bigint NOT NULL DEFAULT 10000000,
        ADD CONSTRAINT client_max_plausible_balance_positive
            CHECK (max_plausible_balance_cents > 0);
    ALTER TABLE placement ADD COLUMN balance_placed_cents bigint NOT NULL DEFAULT 0,
        ADD COLUMN held_reason text,
        ALTER COLUMN status TYPE varchar(24),
        DROP CONSTRAINT placement_status,
        ADD CONSTRAINT placement_status CHECK (status IN
            ('received', 'validating', 'loaded', 'awaiting_confirmation', 'rejected'));
    DROP INDEX placement_same_bytes;
    CREATE UNIQUE INDEX placement_same_bytes ON placement (client_id, kind, sha256)
        WHERE status <> 'rejected';
    CREATE INDEX placement_held ON placement (status) WHERE status = 'awaiting_confirmation';
    """,
    """
    DROP INDEX placement_held;
    DROP INDEX placement_same_bytes;
    CREATE UNIQUE INDEX placement_same_bytes ON placement (client_id, kind, sha256);
    ALTER TABLE placement DROP COLUMN balance_placed_cents, DROP COLUMN held_reason;
    UPDATE placement SET status = 'loaded' WHERE status = 'awaiting_confirmation';
    ALTER TABLE placement DROP CONSTRAINT placement_status,
        ADD CONSTRAINT placement_status
            CHECK (status IN ('received', 'validating', 'loaded', 'rejected')),
        ALTER COLUMN status TYPE varchar(16);
    ALTER TABLE client DROP CONSTRAINT client_max_plausible_balance_positive,
        DROP COLUMN max_plausible_balance_cents;
    """,
)
