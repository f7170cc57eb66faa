from server.kit.migration_sql import sql_migration

ID = "2026-12-06T22:57:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Account notes are append-only"

# The application role may only INSERT and SELECT the append-only tables (see
# server/migrate.py); the trigger is the second guard, for every other role.
forwards = sql_migration(
    ID,
    "accounts",
    DESCRIPTION,
    """
    ALTER TABLE account_note
        ADD CONSTRAINT account_note_account FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT account_note_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT account_note_author FOREIGN KEY (author_id) REFERENCES app_user (id),
        ADD CONSTRAINT account_note_text CHECK (length(text) BETWEEN 1 AND 4000);
    CREATE INDEX account_note_by_account ON account_note (account_id, created_at DESC, id DESC);
    CREATE FUNCTION account_note_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'account_note is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$;
    CREATE TRIGGER account_note_append_only BEFORE UPDATE OR DELETE ON account_note
        FOR EACH ROW EXECUTE FUNCTION account_note_refuse_change();
    """,
    """
    DROP TRIGGER account_note_append_only ON account_note;
    DROP FUNCTION account_note_refuse_change();
    DROP INDEX account_note_by_account;
    ALTER TABLE account_note DROP CONSTRAINT account_note_text,
        DROP CONSTRAINT account_note_author, DROP CONSTRAINT account_note_client,
        DROP CONSTRAINT account_note_account;
    """,
)
