from server.kit.migration_sql import sql_migration

ID = "2026-12-07T12:30:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "Learned addresses: keys, append-only, and in what the contact rules read"

# No address was learned before this table: 0 rows. The contact rules' view gains each
# person's newest learned address beside every client's: its zone and state bind the
# person's calls at once (the client profiles' zones still hold, as any address on file
# does, until a file of theirs changes them).
forwards = sql_migration(
    ID,
    "accounts",
    DESCRIPTION,
    """
    ALTER TABLE debtor_learned_address
        ADD CONSTRAINT debtor_learned_address_debtor
            FOREIGN KEY (debtor_id) REFERENCES debtor (id) ON DELETE CASCADE,
        ADD CONSTRAINT debtor_learned_address_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT debtor_learned_address_account
            FOREIGN KEY (learned_on_account_id) REFERENCES account (id),
        ADD CONSTRAINT debtor_learned_address_recorded_by
            FOREIGN KEY (recorded_by) REFERENCES app_user (id),
        ADD CONSTRAINT debtor_learned_address_zip CHECK (zip5 ~ '^[0-9]{5}$'),
        ADD CONSTRAINT debtor_learned_address_state CHECK (state ~ '^[A-Z]{2}$');
    CREATE INDEX debtor_learned_address_newest
        ON debtor_learned_address (debtor_id, received_at DESC, created_at DESC, id DESC);
    CREATE FUNCTION debtor_learned_address_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'debtor_learned_address is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$;
    CREATE TRIGGER debtor_learned_address_append_only
        BEFORE UPDATE OR DELETE ON debtor_learned_address
        FOR EACH ROW EXECUTE FUNCTION debtor_learned_address_refuse_change();

    CREATE OR REPLACE VIEW debtor_address AS
    SELECT debtor_id, client_id, address_line1, address_line2, city, state, zip5, time_zone
    FROM debtor_profile
    WHERE address_line1 IS NOT NULL OR zip5 IS NOT NULL OR time_zone IS NOT NULL
       OR state IS NOT NULL
    UNION ALL
    SELECT * FROM (
        SELECT DISTINCT ON (debtor_id) debtor_id, client_id, address_line1, address_line2,
            city, state, zip5, time_zone
        FROM debtor_learned_address
        ORDER BY debtor_id, received_at DESC, created_at DESC, id DESC) newest;
    """,
    """
    CREATE OR REPLACE VIEW debtor_address AS
    SELECT debtor_id, client_id, address_line1, address_line2, city, state, zip5, time_zone
    FROM debtor_profile
    WHERE address_line1 IS NOT NULL OR zip5 IS NOT NULL OR time_zone IS NOT NULL
       OR state IS NOT NULL;
    DROP TRIGGER debtor_learned_address_append_only ON debtor_learned_address;
    DROP FUNCTION debtor_learned_address_refuse_change();
    DROP INDEX debtor_learned_address_newest;
    """,
)
