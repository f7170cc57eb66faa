from server.kit.migration_sql import sql_migration

ID = "2026-12-07T03:00:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "Letters are kept as made; one event of each kind per letter"

# The application role may only INSERT and SELECT the append-only tables (see
# server/migrate.py); the triggers are the second guard, for every other role. Letters
# are kept at least three years after the account's last activity (12 CFR 1006.100):
# nothing here deletes one.
forwards = sql_migration(
    ID,
    "letters",
    DESCRIPTION,
    """
    ALTER TABLE letter
        ADD CONSTRAINT letter_batch FOREIGN KEY (batch_id) REFERENCES letter_batch (id),
        ADD CONSTRAINT letter_account FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT letter_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT letter_kind CHECK (kind IN ('validation_notice')),
        ADD CONSTRAINT letter_pages CHECK (page_count > 0);
    CREATE INDEX letter_by_account ON letter (account_id, created_at DESC, id DESC);
    CREATE INDEX letter_by_batch ON letter (batch_id, id);
    ALTER TABLE letter_event
        ADD CONSTRAINT letter_event_letter FOREIGN KEY (letter_id) REFERENCES letter (id),
        ADD CONSTRAINT letter_event_import
            FOREIGN KEY (import_id) REFERENCES letter_return_import (id),
        ADD CONSTRAINT letter_event_kind CHECK (kind IN ('mailed', 'returned', 'void')),
        ADD CONSTRAINT letter_event_once UNIQUE (letter_id, kind);
    ALTER TABLE letter_return_import
        ADD CONSTRAINT letter_return_import_by FOREIGN KEY (imported_by) REFERENCES app_user (id);
    ALTER TABLE letter_bad_address
        ADD CONSTRAINT letter_bad_address_account FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT letter_bad_address_letter FOREIGN KEY (letter_id) REFERENCES letter (id),
        ADD CONSTRAINT letter_bad_address_once UNIQUE (account_id, address_text);
    CREATE FUNCTION letter_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$;
    CREATE TRIGGER letter_batch_append_only BEFORE UPDATE OR DELETE ON letter_batch
        FOR EACH ROW EXECUTE FUNCTION letter_refuse_change();
    CREATE TRIGGER letter_append_only BEFORE UPDATE OR DELETE ON letter
        FOR EACH ROW EXECUTE FUNCTION letter_refuse_change();
    CREATE TRIGGER letter_event_append_only BEFORE UPDATE OR DELETE ON letter_event
        FOR EACH ROW EXECUTE FUNCTION letter_refuse_change();
    """,
    """
    DROP TRIGGER letter_event_append_only ON letter_event;
    DROP TRIGGER letter_append_only ON letter;
    DROP TRIGGER letter_batch_append_only ON letter_batch;
    DROP FUNCTION letter_refuse_change();
    ALTER TABLE letter_bad_address DROP CONSTRAINT letter_bad_address_once,
        DROP CONSTRAINT letter_bad_address_letter, DROP CONSTRAINT letter_bad_address_account;
    ALTER TABLE letter_return_import DROP CONSTRAINT letter_return_import_by;
    ALTER TABLE letter_event DROP CONSTRAINT letter_event_once,
        DROP CONSTRAINT letter_event_kind, DROP CONSTRAINT letter_event_import,
        DROP CONSTRAINT letter_event_letter;
    DROP INDEX letter_by_batch;
    DROP INDEX letter_by_account;
    ALTER TABLE letter DROP CONSTRAINT letter_pages, DROP CONSTRAINT letter_kind,
        DROP CONSTRAINT letter_client, DROP CONSTRAINT letter_account,
        DROP CONSTRAINT letter_batch;
    """,
)
