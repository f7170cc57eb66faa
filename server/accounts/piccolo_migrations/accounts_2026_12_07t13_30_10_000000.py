from server.kit.migration_sql import sql_migration

ID = "2026-12-07T13:30:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "Debts disputed before disputes were recorded are marked disputed"

# Every dispute block ever added (in force or since verified) marks its debt disputed from
# when it was received: a verified debt was still disputed (15 U.S.C. 1692e(8)).
forwards = sql_migration(
    ID,
    "accounts",
    DESCRIPTION,
    """
    UPDATE account a SET disputed_since = b.first_received
    FROM (SELECT account_id, min(received_at) AS first_received FROM account_block
          WHERE kind = 'disputed' GROUP BY account_id) b
    WHERE a.id = b.account_id AND a.disputed_since IS NULL;
    """,
    """
    UPDATE account SET disputed_since = NULL;
    """,
)
