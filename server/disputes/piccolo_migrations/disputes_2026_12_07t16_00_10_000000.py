from server.kit.migration_sql import sql_migration

ID = "2026-12-07T16:00:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "Verification requests' keys, values and indexes; one reminder a day"

# No foreign key on closed_by, uploaded_by: the system principal closes a request when the
# client recalls the account through a file, and it is no app_user row. No row exists
# before this: 0 rows change (disputes recorded earlier open no request: what was asked of
# the client for them, if anything, was never recorded).
forwards = sql_migration(
    ID,
    "disputes",
    DESCRIPTION,
    """
    ALTER TABLE dispute
        ADD CONSTRAINT dispute_answered_by_letter FOREIGN KEY (answered_by_letter_id)
            REFERENCES letter (id);
    ALTER TABLE verification_request
        ADD CONSTRAINT verification_request_dispute FOREIGN KEY (dispute_id)
            REFERENCES dispute (id),
        ADD CONSTRAINT verification_request_account FOREIGN KEY (account_id)
            REFERENCES account (id),
        ADD CONSTRAINT verification_request_client FOREIGN KEY (client_id)
            REFERENCES client (id),
        ADD CONSTRAINT verification_request_status CHECK (
            (status = 'open' AND closed_at IS NULL AND closed_by IS NULL)
            OR (status IN ('verified', 'recalled', 'duplicate') AND closed_at IS NOT NULL
                AND closed_by IS NOT NULL));
    CREATE INDEX verification_request_open ON verification_request (due_on, id)
        WHERE status = 'open';
    CREATE INDEX verification_request_by_client ON verification_request
        (client_id, opened_at, id);
    ALTER TABLE verification_document
        ADD CONSTRAINT verification_document_request FOREIGN KEY (request_id)
            REFERENCES verification_request (id),
        ADD CONSTRAINT verification_document_client FOREIGN KEY (client_id)
            REFERENCES client (id),
        ADD CONSTRAINT verification_document_kind CHECK (
            kind IN ('itemized_statement', 'contract', 'signed_application', 'other')),
        ADD CONSTRAINT verification_document_type CHECK (
            media_type IN ('application/pdf', 'image/png', 'image/jpeg', 'image/tiff')),
        ADD CONSTRAINT verification_document_size CHECK (
            byte_size > 0 AND byte_size <= 20971520);
    CREATE INDEX verification_document_of_request ON verification_document
        (request_id, created_at, id);
    ALTER TABLE verification_document_chunk
        ADD CONSTRAINT verification_document_chunk_document FOREIGN KEY (document_id)
            REFERENCES verification_document (id) DEFERRABLE INITIALLY DEFERRED,
        ADD CONSTRAINT verification_document_chunk_seq UNIQUE (document_id, seq);
    ALTER TABLE dispute_answer
        ADD CONSTRAINT dispute_answer_dispute FOREIGN KEY (dispute_id) REFERENCES dispute (id),
        ADD CONSTRAINT dispute_answer_account FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT dispute_answer_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT dispute_answer_request FOREIGN KEY (request_id)
            REFERENCES verification_request (id),
        ADD CONSTRAINT dispute_answer_letter FOREIGN KEY (letter_id) REFERENCES letter (id),
        ADD CONSTRAINT dispute_answer_kind CHECK (
            kind IN ('verification', 'original_creditor', 'duplicate_dispute')),
        ADD CONSTRAINT dispute_answer_mailed CHECK (mailed_at IS NULL OR letter_id IS NOT NULL);
    -- One answer per dispute: a request answered once, a duplicate decided once.
    CREATE UNIQUE INDEX dispute_answer_once ON dispute_answer (dispute_id);
    CREATE INDEX dispute_answer_unmade ON dispute_answer (created_at, id)
        WHERE letter_id IS NULL;
    CREATE INDEX dispute_answer_by_letter ON dispute_answer (letter_id);
    ALTER TABLE verification_reminder
        ADD CONSTRAINT verification_reminder_request FOREIGN KEY (request_id)
            REFERENCES verification_request (id),
        ADD CONSTRAINT verification_reminder_kind CHECK (kind IN ('verification_requested',
            'verification_due_soon', 'verification_overdue')),
        ADD CONSTRAINT verification_reminder_once_a_day UNIQUE (request_id, on_date);
    """,
    """
    ALTER TABLE verification_reminder DROP CONSTRAINT verification_reminder_once_a_day,
        DROP CONSTRAINT verification_reminder_kind, DROP CONSTRAINT verification_reminder_request;
    DROP INDEX dispute_answer_by_letter;
    DROP INDEX dispute_answer_unmade;
    DROP INDEX dispute_answer_once;
    ALTER TABLE dispute_answer DROP CONSTRAINT dispute_answer_mailed,
        DROP CONSTRAINT dispute_answer_kind, DROP CONSTRAINT dispute_answer_letter,
        DROP CONSTRAINT dispute_answer_request, DROP CONSTRAINT dispute_answer_client,
        DROP CONSTRAINT dispute_answer_account, DROP CONSTRAINT dispute_answer_dispute;
    ALTER TABLE verification_document_chunk DROP CONSTRAINT verification_document_chunk_seq,
        DROP CONSTRAINT verification_document_chunk_document;
    DROP INDEX verification_document_of_request;
    ALTER TABLE verification_document DROP CONSTRAINT verification_document_size,
        DROP CONSTRAINT verification_document_type, DROP CONSTRAINT verification_document_kind,
        DROP CONSTRAINT verification_document_client,
        DROP CONSTRAINT verification_document_request;
    DROP INDEX verification_request_by_client;
    DROP INDEX verification_request_open;
    ALTER TABLE verification_request DROP CONSTRAINT verification_request_status,
        DROP CONSTRAINT verification_request_client, DROP CONSTRAINT verification_request_account,
        DROP CONSTRAINT verification_request_dispute;
    ALTER TABLE dispute DROP CONSTRAINT dispute_answered_by_letter;
    """,
)
