from server.kit.migration_sql import sql_migration

ID = "2026-11-25T23:51:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "Offer and balance adjustment constraints; adjustments are append-only"

# The application role may only INSERT and SELECT balance adjustments (server/migrate.py);
# the trigger is the second guard, for every other role.
forwards = sql_migration(
    ID,
    "settlements",
    DESCRIPTION,
    """
    ALTER TABLE offer
        ADD CONSTRAINT offer_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT offer_account FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT offer_kind CHECK (kind IN ('lump_sum', 'plan')),
        ADD CONSTRAINT offer_band CHECK (band IN ('collector', 'supervisor', 'client')),
        ADD CONSTRAINT offer_status CHECK (status IN ('pending_supervisor', 'pending_client',
            'accepted', 'rejected', 'withdrawn', 'fulfilled', 'broken', 'expired')),
        ADD CONSTRAINT offer_amounts CHECK (amount_cents > 0 AND balance_cents > 0);
    -- One live arrangement per account at a time: a new one replaces the old only after
    -- the old is withdrawn, rejected or over. The index also settles two racing offers.
    CREATE UNIQUE INDEX offer_one_live ON offer (account_id)
        WHERE status IN ('pending_supervisor', 'pending_client', 'accepted');
    ALTER TABLE payment
        ADD CONSTRAINT payment_offer FOREIGN KEY (offer_id) REFERENCES offer (id);
    CREATE INDEX payment_offer ON payment (offer_id) WHERE offer_id IS NOT NULL;
    CREATE INDEX offer_account_newest ON offer (account_id, created_at DESC, id DESC);
    -- Approval lists and the nightly sweep read offers by status.
    CREATE INDEX offer_status_newest ON offer (status, created_at DESC, id DESC);

    ALTER TABLE offer_installment
        ADD CONSTRAINT offer_installment_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT offer_installment_offer FOREIGN KEY (offer_id) REFERENCES offer (id),
        ADD CONSTRAINT offer_installment_once UNIQUE (offer_id, seq),
        ADD CONSTRAINT offer_installment_amount CHECK (amount_cents > 0 AND seq >= 1);

    ALTER TABLE balance_adjustment
        ADD CONSTRAINT balance_adjustment_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT balance_adjustment_account
            FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT balance_adjustment_offer FOREIGN KEY (offer_id) REFERENCES offer (id),
        ADD CONSTRAINT balance_adjustment_payment
            FOREIGN KEY (payment_id) REFERENCES payment (id),
        ADD CONSTRAINT balance_adjustment_reversal
            FOREIGN KEY (reversal_id) REFERENCES payment_reversal (id),
        ADD CONSTRAINT balance_adjustment_undoes
            FOREIGN KEY (undoes_id) REFERENCES balance_adjustment (id),
        ADD CONSTRAINT balance_adjustment_kind CHECK (
            (kind = 'settlement_write_off' AND amount_cents < 0 AND undoes_id IS NULL)
            OR (kind = 'write_off_undone' AND amount_cents > 0 AND undoes_id IS NOT NULL)),
        ADD CONSTRAINT balance_adjustment_balance
            CHECK (balance_after_cents = balance_before_cents + amount_cents),
        -- A write-off is undone at most once.
        ADD CONSTRAINT balance_adjustment_undone_once UNIQUE (undoes_id);
    CREATE INDEX balance_adjustment_account ON balance_adjustment (account_id, created_at);
    CREATE TRIGGER balance_adjustment_append_only BEFORE UPDATE OR DELETE
        ON balance_adjustment FOR EACH ROW EXECUTE FUNCTION settlements_refuse_change();
    """,
    """
    DROP TRIGGER balance_adjustment_append_only ON balance_adjustment;
    ALTER TABLE payment DROP CONSTRAINT payment_offer;
    DROP INDEX balance_adjustment_account, payment_offer, offer_status_newest, offer_account_newest,
        offer_one_live;
    """,
)
