from server.kit.migration_sql import sql_migration

ID = "2026-12-07T16:01:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "A message's account or placement and client; one read mark per reader"

# A message is about exactly one of an account or a placement. An account's is of the
# account's client (the composite key), so no row can put one client's message in
# another's thread. No key to placement: a placement rejected while loading is deleted
# when its file is sent again, and its messages are kept (the service checks the
# placement's client when one is written). No foreign key on author_id or reader_id: a
# client's API token writes and reads too.

forwards = sql_migration(
    ID,
    "messages",
    DESCRIPTION,
    """
    CREATE UNIQUE INDEX account_client_id ON account (client_id, id);
    ALTER TABLE message
        ADD CONSTRAINT message_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT message_account FOREIGN KEY (client_id, account_id)
            REFERENCES account (client_id, id),
        ADD CONSTRAINT message_about_one CHECK ((account_id IS NULL) <> (placement_id IS NULL)),
        ADD CONSTRAINT message_side CHECK (side IN ('client', 'agency')),
        ADD CONSTRAINT message_body CHECK (length(body) BETWEEN 1 AND 4000);
    CREATE INDEX message_of_account ON message (client_id, account_id, created_at DESC, id DESC)
        WHERE account_id IS NOT NULL;
    CREATE INDEX message_of_placement
        ON message (client_id, placement_id, created_at DESC, id DESC)
        WHERE placement_id IS NOT NULL;
    ALTER TABLE message_read_mark
        ADD CONSTRAINT message_read_mark_message FOREIGN KEY (message_id) REFERENCES message (id),
        ADD CONSTRAINT message_read_mark_client FOREIGN KEY (client_id) REFERENCES client (id);
    CREATE UNIQUE INDEX message_read_mark_once ON message_read_mark (message_id, reader_id);
    """,
    """
    DROP INDEX message_read_mark_once;
    ALTER TABLE message_read_mark DROP CONSTRAINT message_read_mark_client,
        DROP CONSTRAINT message_read_mark_message;
    DROP INDEX message_of_placement;
    DROP INDEX message_of_account;
    ALTER TABLE message DROP CONSTRAINT message_body, DROP CONSTRAINT message_side,
        DROP CONSTRAINT message_about_one, DROP CONSTRAINT message_account,
        DROP CONSTRAINT message_client;
    DROP INDEX account_client_id;
    """,
)
