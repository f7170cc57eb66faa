from server.kit.migration_sql import sql_migration

ID = "2026-11-25T23:26:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Call constraints; calls and their evaluations are append-only"

# The application role may only INSERT and SELECT the append-only tables (see
# server/migrate.py); the trigger is the second guard, for every other role.
forwards = sql_migration(
    ID,
    "queues",
    DESCRIPTION,
    """
    ALTER TABLE call
        ADD CONSTRAINT call_chain FOREIGN KEY (chain_id) REFERENCES call (id),
        ADD CONSTRAINT call_corrects FOREIGN KEY (corrects_call_id) REFERENCES call (id),
        -- A version is corrected at most once, so a chain of corrections is a line and
        -- its one uncorrected version is the call.
        ADD CONSTRAINT call_corrected_once UNIQUE (corrects_call_id),
        ADD CONSTRAINT call_account FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT call_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT call_debtor FOREIGN KEY (debtor_id) REFERENCES debtor (id),
        ADD CONSTRAINT call_direction CHECK (direction IN ('inbound', 'outbound')),
        ADD CONSTRAINT call_duration CHECK (duration_s >= 0),
        ADD CONSTRAINT call_outcome CHECK (outcome IN ('no_answer', 'left_message', 'busy',
            'not_in_service', 'wrong_number', 'third_party', 'right_party_contact',
            'promise_to_pay', 'refused', 'dispute', 'cease_request', 'callback')),
        ADD CONSTRAINT call_consent CHECK ((consent_from IS NULL) = (consent_until IS NULL));
    CREATE INDEX call_debtor_started ON call (debtor_id, started_at);
    CREATE INDEX call_chain_versions ON call (chain_id);

    ALTER TABLE call_account
        ADD CONSTRAINT call_account_call FOREIGN KEY (call_id) REFERENCES call (id),
        ADD CONSTRAINT call_account_account FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT call_account_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT call_account_once UNIQUE (call_id, account_id);
    CREATE INDEX call_account_by_account ON call_account (account_id);

    ALTER TABLE call_evaluation
        ADD CONSTRAINT call_evaluation_call FOREIGN KEY (call_id) REFERENCES call (id),
        ADD CONSTRAINT call_evaluation_cause FOREIGN KEY (caused_by_call_id) REFERENCES call (id),
        ADD CONSTRAINT call_evaluation_account FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT call_evaluation_kind CHECK (cause IN ('recorded', 'rejudged'));
    CREATE INDEX call_evaluation_current
        ON call_evaluation (call_id, account_id, evaluated_at DESC, id DESC);
    CREATE INDEX call_evaluation_newest ON call_evaluation (started_at DESC, id DESC)
        WHERE cardinality(violations) > 0;

    ALTER TABLE promise
        ADD CONSTRAINT promise_call FOREIGN KEY (call_id) REFERENCES call (id),
        ADD CONSTRAINT promise_account FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT promise_status
            CHECK (status IN ('open', 'kept', 'broken', 'superseded')),
        ADD CONSTRAINT promise_amount CHECK (amount_cents IS NULL OR amount_cents > 0);
    CREATE INDEX promise_open ON promise (account_id) WHERE status = 'open';

    ALTER TABLE follow_up
        ADD CONSTRAINT follow_up_call FOREIGN KEY (call_id) REFERENCES call (id),
        ADD CONSTRAINT follow_up_account FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT follow_up_kind CHECK (kind IN ('callback')),
        ADD CONSTRAINT follow_up_status CHECK (status IN ('open', 'done', 'superseded'));
    CREATE INDEX follow_up_open ON follow_up (debtor_id, due_at) WHERE status = 'open';

    CREATE FUNCTION queues_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$;
    CREATE TRIGGER call_append_only BEFORE UPDATE OR DELETE ON call
        FOR EACH ROW EXECUTE FUNCTION queues_refuse_change();
    CREATE TRIGGER call_account_append_only BEFORE UPDATE OR DELETE ON call_account
        FOR EACH ROW EXECUTE FUNCTION queues_refuse_change();
    CREATE TRIGGER call_evaluation_append_only BEFORE UPDATE OR DELETE ON call_evaluation
        FOR EACH ROW EXECUTE FUNCTION queues_refuse_change();
    """,
    """
    DROP TRIGGER call_append_only ON call;
    DROP TRIGGER call_account_append_only ON call_account;
    DROP TRIGGER call_evaluation_append_only ON call_evaluation;
    DROP FUNCTION queues_refuse_change();
    DROP INDEX call_debtor_started, call_chain_versions, call_account_by_account,
        call_evaluation_current, call_evaluation_newest, promise_open, follow_up_open;
    """,
)
