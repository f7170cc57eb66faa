from server.kit.migration_sql import sql_migration

ID = "2026-11-25T22:55:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "User constraints and references to clients"

forwards = sql_migration(
    ID,
    "auth",
    DESCRIPTION,
    """
    ALTER TABLE app_user
        ADD CONSTRAINT app_user_role
            CHECK (role IN ('admin', 'supervisor', 'collector', 'client')),
        -- A client user belongs to exactly one client; staff belong to none.
        ADD CONSTRAINT app_user_client_binding
            CHECK ((role = 'client') = (client_id IS NOT NULL)),
        ADD CONSTRAINT app_user_capacity CHECK (capacity IS NULL OR capacity BETWEEN 0 AND 10000),
        ADD CONSTRAINT app_user_client FOREIGN KEY (client_id) REFERENCES client (id);
    ALTER TABLE collector_portfolio
        ADD CONSTRAINT collector_portfolio_once UNIQUE (user_id, client_id),
        ADD CONSTRAINT collector_portfolio_user
            FOREIGN KEY (user_id) REFERENCES app_user (id) ON DELETE CASCADE,
        ADD CONSTRAINT collector_portfolio_client FOREIGN KEY (client_id) REFERENCES client (id);
    ALTER TABLE refresh_token
        ADD CONSTRAINT refresh_token_user
            FOREIGN KEY (user_id) REFERENCES app_user (id) ON DELETE CASCADE;
    ALTER TABLE api_token
        ADD CONSTRAINT api_token_client FOREIGN KEY (client_id) REFERENCES client (id);
    """,
    """
    ALTER TABLE app_user DROP CONSTRAINT app_user_role, DROP CONSTRAINT app_user_client_binding,
        DROP CONSTRAINT app_user_capacity, DROP CONSTRAINT app_user_client;
    ALTER TABLE collector_portfolio DROP CONSTRAINT collector_portfolio_once,
        DROP CONSTRAINT collector_portfolio_user, DROP CONSTRAINT collector_portfolio_client;
    ALTER TABLE refresh_token DROP CONSTRAINT refresh_token_user;
    ALTER TABLE api_token DROP CONSTRAINT api_token_client;
    """,
)
