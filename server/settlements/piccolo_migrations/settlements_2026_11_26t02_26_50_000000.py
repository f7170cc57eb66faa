from server.kit.migration_sql import sql_migration

ID = "2026-11-26T02:26:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "Client transaction constraints, once per file line and per client id; append-only"

# The application role may only INSERT and SELECT client transactions (server/migrate.py);
# the trigger is the second guard, for every other role.
forwards = sql_migration(
    ID,
    "settlements",
    DESCRIPTION,
    """
    ALTER TABLE client_transaction
        ADD CONSTRAINT client_transaction_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT client_transaction_placement
            FOREIGN KEY (placement_id) REFERENCES placement (id),
        ADD CONSTRAINT client_transaction_account FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT client_transaction_payment FOREIGN KEY (payment_id) REFERENCES payment (id),
        ADD CONSTRAINT client_transaction_reversal
            FOREIGN KEY (reversal_id) REFERENCES payment_reversal (id),
        ADD CONSTRAINT client_transaction_adjustment
            FOREIGN KEY (adjustment_id) REFERENCES balance_adjustment (id),
        ADD CONSTRAINT client_transaction_line CHECK (line >= 2),
        -- Exactly the movement its kind names.
        ADD CONSTRAINT client_transaction_kind CHECK (
            (kind = 'payment' AND payment_id IS NOT NULL AND reversal_id IS NULL
                AND adjustment_id IS NULL)
            OR (kind = 'reversal' AND payment_id IS NOT NULL AND reversal_id IS NOT NULL
                AND adjustment_id IS NULL)
            OR (kind = 'adjustment' AND payment_id IS NULL AND reversal_id IS NULL
                AND adjustment_id IS NOT NULL)),
        -- A line of a file is applied once, whatever restarts.
        ADD CONSTRAINT client_transaction_once UNIQUE (placement_id, line);
    -- A client's transaction id names one movement, forever.
    CREATE UNIQUE INDEX client_transaction_id_once ON client_transaction (client_id, transaction_id)
        WHERE transaction_id IS NOT NULL;
    CREATE TRIGGER client_transaction_append_only BEFORE UPDATE OR DELETE
        ON client_transaction FOR EACH ROW EXECUTE FUNCTION settlements_refuse_change();

    ALTER TABLE balance_adjustment
        DROP CONSTRAINT balance_adjustment_kind,
        ADD CONSTRAINT balance_adjustment_kind CHECK (
            (kind = 'settlement_write_off' AND amount_cents < 0 AND undoes_id IS NULL
                AND offer_id IS NOT NULL)
            OR (kind = 'write_off_undone' AND amount_cents > 0 AND undoes_id IS NOT NULL
                AND offer_id IS NOT NULL)
            OR (kind = 'client_adjustment' AND amount_cents <> 0 AND undoes_id IS NULL
                AND offer_id IS NULL AND effective_on IS NOT NULL));
    """,
    """
    ALTER TABLE balance_adjustment
        DROP CONSTRAINT balance_adjustment_kind,
        ADD CONSTRAINT balance_adjustment_kind CHECK (
            (kind = 'settlement_write_off' AND amount_cents < 0 AND undoes_id IS NULL)
            OR (kind = 'write_off_undone' AND amount_cents > 0 AND undoes_id IS NOT NULL));
    DROP TRIGGER client_transaction_append_only ON client_transaction;
    DROP INDEX client_transaction_id_once;
    """,
)
