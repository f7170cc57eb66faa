from server.kit.migration_sql import sql_migration

ID = "2026-11-25T23:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Account scores, work queues, and what takes a person out of a queue"

# Written as SQL: the tables are read and written only by set-based SQL in
# work_queue_repository, and the constraints and triggers are the point of them.
forwards = sql_migration(
    ID,
    "queues",
    DESCRIPTION,
    """
    -- Narrow and apart from `account`: rescoring a million accounts rewrites these rows,
    -- not the wide account rows (and their indexes).
    CREATE TABLE account_score (
        account_id uuid PRIMARY KEY REFERENCES account (id) ON DELETE CASCADE,
        score smallint NOT NULL CHECK (score BETWEEN 0 AND 1000),
        expected_recovery_cents bigint NOT NULL CHECK (expected_recovery_cents >= 0),
        age_permille smallint NOT NULL,
        contact_permille integer NOT NULL,
        balance_permille smallint NOT NULL,
        priority smallint NOT NULL CHECK (priority BETWEEN 0 AND 2),
        -- When it last changed: a rescore that finds the same score leaves the row alone.
        scored_at timestamptz NOT NULL
    );

    -- A person sits in at most one queue (UNIQUE debtor_id), with their workable
    -- accounts of the collector's clients, so two collectors never call one person at once.
    CREATE TABLE queue_item (
        id uuid PRIMARY KEY,
        debtor_id uuid NOT NULL UNIQUE REFERENCES debtor (id),
        collector_id uuid NOT NULL REFERENCES app_user (id),
        -- Lower is worked first: priority, then score (see work_queue_repository).
        rank integer NOT NULL,
        priority smallint NOT NULL,
        best_score smallint NOT NULL,
        account_ids uuid[] NOT NULL CHECK (cardinality(account_ids) > 0),
        leased_until timestamptz,
        leased_at timestamptz,
        leased_account_id uuid,
        queued_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX queue_item_work ON queue_item (collector_id, rank, debtor_id);

    -- The dispatcher's pre-filter of what is plainly not callable, as functions so the
    -- property test can hold exactly this SQL to rules.check_call (simple SQL functions
    -- are inlined by the planner). `active` is rules.CALLABLE_STATUSES.
    CREATE FUNCTION queue_status_callable(status text) RETURNS boolean
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT status IN ('active') $$;
    CREATE FUNCTION queue_phone_callable(status text, employer_forbids boolean)
        RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT status = 'valid' AND NOT employer_forbids $$;

    -- An account that stops being callable (recalled, disputed, ceased, bankrupt, deceased,
    -- represented, paid, settled, closed) leaves its queue in the same transaction,
    -- whichever domain moved it; its person leaves with their last account.
    CREATE FUNCTION queue_drop_account() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM queue_item
            WHERE debtor_id = NEW.debtor_id AND account_ids <@ ARRAY[NEW.id];
        UPDATE queue_item SET account_ids = array_remove(account_ids, NEW.id)
            WHERE debtor_id = NEW.debtor_id AND NEW.id = ANY (account_ids);
        RETURN NULL;
    END;
    $$;
    CREATE TRIGGER account_leaves_queue AFTER UPDATE OF status ON account
        FOR EACH ROW WHEN (NOT queue_status_callable(NEW.status))
        EXECUTE FUNCTION queue_drop_account();

    -- "No telephone calls" binds the person: out of every queue at once.
    CREATE FUNCTION queue_drop_person() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM queue_item WHERE debtor_id = NEW.id;
        RETURN NULL;
    END;
    $$;
    CREATE TRIGGER debtor_leaves_queue AFTER UPDATE OF no_telephone ON debtor
        FOR EACH ROW WHEN (NEW.no_telephone) EXECUTE FUNCTION queue_drop_person();

    -- A call recorded by the collector whose queue holds the person is the work done:
    -- the item (and its lease) ends; the next dispatch deals the person again if they
    -- are still workable, and the rules judge when.
    CREATE FUNCTION queue_call_recorded() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM queue_item
            WHERE debtor_id = NEW.debtor_id AND collector_id = NEW.collector_id;
        RETURN NULL;
    END;
    $$;
    CREATE TRIGGER call_ends_queue_item AFTER INSERT ON call
        FOR EACH ROW EXECUTE FUNCTION queue_call_recorded();
    """,
    """
    DROP TRIGGER call_ends_queue_item ON call;
    DROP TRIGGER debtor_leaves_queue ON debtor;
    DROP TRIGGER account_leaves_queue ON account;
    DROP FUNCTION queue_call_recorded();
    DROP FUNCTION queue_drop_person();
    DROP FUNCTION queue_drop_account();
    DROP FUNCTION queue_phone_callable(text, boolean);
    DROP FUNCTION queue_status_callable(text);
    DROP TABLE queue_item;
    DROP TABLE account_score;
    """,
)
