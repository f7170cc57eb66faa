from server.kit.migration_sql import sql_migration

ID = "2026-12-07T12:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Settlement-offer, plan and paid letters; the letters other domains make due"

# A letter due is written in the transaction of the event that makes it due (an offer
# accepted, an account paid or settled in full: settlements tells letters through the
# listener server/wiring.py registers) and settled once by the night's batch: made, or no
# longer due. The trigger refuses any other change and every delete, so what was due and
# what became of it stays. No existing row changes: the check on letter.kind only widens.
forwards = sql_migration(
    ID,
    "letters",
    DESCRIPTION,
    """
    ALTER TABLE letter DROP CONSTRAINT letter_kind,
        ADD CONSTRAINT letter_kind CHECK (kind IN ('validation_notice', 'settlement_offer',
            'plan_confirmation', 'paid_in_full', 'settled_in_full'));
    CREATE TABLE letter_due (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES account (id),
        client_id uuid NOT NULL REFERENCES client (id),
        kind varchar(24) NOT NULL CHECK (kind IN ('settlement_offer', 'plan_confirmation',
            'paid_in_full', 'settled_in_full')),
        offer_id uuid,
        payment_id uuid,
        occurred_on date NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        letter_id uuid REFERENCES letter (id),
        dropped_reason text,
        settled_at timestamptz,
        CONSTRAINT letter_due_settled CHECK (
            (settled_at IS NULL AND letter_id IS NULL AND dropped_reason IS NULL)
            OR (settled_at IS NOT NULL AND (letter_id IS NULL) <> (dropped_reason IS NULL)))
    );
    -- An offer is accepted once, a payment pays off once: one due each. (An account
    -- settled, reopened by a reversal and settled again has a due per payment.)
    CREATE UNIQUE INDEX letter_due_offer_once ON letter_due (kind, offer_id)
        WHERE kind IN ('settlement_offer', 'plan_confirmation');
    CREATE UNIQUE INDEX letter_due_payment_once ON letter_due (kind, payment_id)
        WHERE payment_id IS NOT NULL;
    CREATE INDEX letter_due_open ON letter_due (created_at, id) WHERE settled_at IS NULL;
    CREATE FUNCTION letter_due_settle_once() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' OR OLD.settled_at IS NOT NULL
           OR (NEW.id, NEW.account_id, NEW.client_id, NEW.kind, NEW.offer_id, NEW.payment_id,
               NEW.occurred_on, NEW.created_at)
              IS DISTINCT FROM (OLD.id, OLD.account_id, OLD.client_id, OLD.kind, OLD.offer_id,
               OLD.payment_id, OLD.occurred_on, OLD.created_at) THEN
            RAISE EXCEPTION 'letter_due is settled once: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END;
    $$;
    CREATE TRIGGER letter_due_settled_once BEFORE UPDATE OR DELETE ON letter_due
        FOR EACH ROW EXECUTE FUNCTION letter_due_settle_once();
    """,
    """
    DROP TABLE letter_due;
    DROP FUNCTION letter_due_settle_once();
    ALTER TABLE letter DROP CONSTRAINT letter_kind,
        ADD CONSTRAINT letter_kind CHECK (kind IN ('validation_notice'));
    """,
)
