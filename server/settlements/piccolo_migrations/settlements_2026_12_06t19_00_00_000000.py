from server.kit.migration_sql import sql_migration

ID = "2026-12-06T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Statements listed newest period first: the client's index follows the order"

# One remittance run issues a client's overdue periods in one transaction, so they share
# `created_at`: the list orders by the period instead (then id, the tie-breaker), and a
# client's page is read off this index as it was off the one it replaces.
forwards = sql_migration(
    ID,
    "settlements",
    DESCRIPTION,
    """
    DROP INDEX statement_client_newest;
    CREATE INDEX statement_client_period ON statement (client_id, period_end DESC, id DESC);
    """,
    """
    DROP INDEX statement_client_period;
    CREATE INDEX statement_client_newest ON statement (client_id, created_at DESC, id DESC);
    """,
)
