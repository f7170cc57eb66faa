from server.kit.migration_sql import sql_migration

ID = "2026-11-25T23:27:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Payment, reversal and idempotency key constraints; payments are append-only"

# The application role may only INSERT and SELECT payments and reversals (see
# server/migrate.py); the trigger is the second guard, for every other role.
forwards = sql_migration(
    ID,
    "settlements",
    DESCRIPTION,
    """
    ALTER TABLE payment
        ADD CONSTRAINT payment_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT payment_account FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT payment_method CHECK (method IN ('ach', 'card', 'check', 'cash', 'other')),
        ADD CONSTRAINT payment_paid_to CHECK (paid_to IN ('agency', 'client')),
        ADD CONSTRAINT payment_amounts CHECK (
            amount_cents > 0 AND applied_cents >= 0 AND credit_cents >= 0
            AND applied_cents + credit_cents = amount_cents
            AND balance_after_cents = balance_before_cents - applied_cents),
        ADD CONSTRAINT payment_fee_rate CHECK (fee_rate_bps BETWEEN 0 AND 10000),
        ADD CONSTRAINT payment_cleared_after_received CHECK (cleared_on >= received_on),
        ADD CONSTRAINT payment_key_scoped
            CHECK ((idempotency_key IS NULL) = (idempotency_scope IS NULL));
    -- One payment per key, forever: a key reused after its idempotency row was purged is
    -- refused rather than paid twice.
    CREATE UNIQUE INDEX payment_idempotency ON payment (idempotency_scope, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
    CREATE INDEX payment_account_newest ON payment (account_id, created_at DESC, id DESC);
    -- Remittance selects a client's payments cleared before a period's end.
    CREATE INDEX payment_client_cleared ON payment (client_id, cleared_on);

    ALTER TABLE payment_reversal
        ADD CONSTRAINT payment_reversal_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT payment_reversal_account FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT payment_reversal_payment FOREIGN KEY (payment_id) REFERENCES payment (id),
        ADD CONSTRAINT payment_reversal_once UNIQUE (payment_id),
        ADD CONSTRAINT payment_reversal_amounts CHECK (
            amount_cents > 0 AND credit_removed_cents BETWEEN 0 AND amount_cents
            AND balance_after_cents
                = balance_before_cents + amount_cents - credit_removed_cents);
    CREATE INDEX payment_reversal_account_newest
        ON payment_reversal (account_id, created_at DESC, id DESC);
    CREATE INDEX payment_reversal_client_returned ON payment_reversal (client_id, returned_at);

    CREATE FUNCTION settlements_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$;
    CREATE TRIGGER payment_append_only BEFORE UPDATE OR DELETE ON payment
        FOR EACH ROW EXECUTE FUNCTION settlements_refuse_change();
    CREATE TRIGGER payment_reversal_append_only BEFORE UPDATE OR DELETE ON payment_reversal
        FOR EACH ROW EXECUTE FUNCTION settlements_refuse_change();

    ALTER TABLE idempotency_key
        ADD CONSTRAINT idempotency_key_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT idempotency_key_once UNIQUE (scope, key);
    CREATE INDEX idempotency_key_age ON idempotency_key (created_at);
    """,
    """
    DROP TRIGGER payment_reversal_append_only ON payment_reversal;
    DROP TRIGGER payment_append_only ON payment;
    DROP FUNCTION settlements_refuse_change();
    DROP INDEX idempotency_key_age, payment_reversal_client_returned,
        payment_reversal_account_newest, payment_client_cleared, payment_account_newest,
        payment_idempotency;
    """,
)
