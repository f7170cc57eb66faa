from server.kit.migration_sql import sql_migration

ID = "2026-12-06T22:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "No validation notice is dated that was never mailed"

# Until now the loader wrote `validation_notice_sent_on` = the day the file was loaded,
# and the period's end from it, for every new account: the server asserted that a notice
# had gone out when none had (nothing in it mails letters yet). Every date stored so far
# came from the loader, so every one is cleared: unknown is null. Irreversible on purpose:
# restoring the dates would restore the fiction.
forwards = sql_migration(
    ID,
    "accounts",
    DESCRIPTION,
    """
    UPDATE account SET validation_notice_sent_on = NULL, validation_period_ends_on = NULL
    WHERE validation_notice_sent_on IS NOT NULL OR validation_period_ends_on IS NOT NULL;
    """,
)
