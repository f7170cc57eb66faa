from server.kit.migration_sql import sql_migration

ID = "2026-11-25T22:55:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Client constraints"

forwards = sql_migration(
    ID,
    "placements",
    DESCRIPTION,
    """
    ALTER TABLE client
        ADD CONSTRAINT client_status CHECK (status IN ('active', 'inactive')),
        ADD CONSTRAINT client_remittance_cycle
            CHECK (remittance_cycle IN ('daily', 'weekly', 'monthly')),
        ADD CONSTRAINT client_remittance_method CHECK (remittance_method IN ('net', 'gross'));
    """,
    """
    ALTER TABLE client
        DROP CONSTRAINT client_status,
        DROP CONSTRAINT client_remittance_cycle,
        DROP CONSTRAINT client_remittance_method;
    """,
)
