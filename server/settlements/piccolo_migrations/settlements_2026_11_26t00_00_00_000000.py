from server.kit.migration_sql import sql_migration

ID = "2026-11-26T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Remittance statements and their lines; append-only; one line per movement"

# Written as SQL only (no Piccolo Table classes): remittance reads and writes these tables
# with bound SQL in remittance_repository.py, set-based, and never through the ORM.
forwards = sql_migration(
    ID,
    "settlements",
    DESCRIPTION,
    """
    -- The period end (a local date: the period ends at its 00:00 in the agency's zone) of
    -- the period holding the local date `d`. Periods are calendar periods whatever the
    -- date the client was set up (DESIGN.md "Remittance"); the same rule as periods.py,
    -- written for SQL so that each movement finds its period set-based. IMMUTABLE SQL, so
    -- the planner inlines it.
    CREATE FUNCTION remittance_period_end(cycle text, d date) RETURNS date
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT CASE cycle
            WHEN 'daily' THEN d + 1
            WHEN 'weekly' THEN (date_trunc('week', d::timestamp) + interval '7 days')::date
            WHEN 'monthly' THEN (date_trunc('month', d::timestamp) + interval '1 month')::date
        END
    $$;

    CREATE TABLE statement (
        id uuid PRIMARY KEY,
        client_id uuid NOT NULL REFERENCES client (id),
        cycle varchar(8) NOT NULL CHECK (cycle IN ('daily', 'weekly', 'monthly')),
        method varchar(8) NOT NULL CHECK (method IN ('net', 'gross')),
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        -- The period's last local date + 1: what the lines were assigned by.
        period_end_date date NOT NULL,
        line_count integer NOT NULL CHECK (line_count > 0),
        collected_cents bigint NOT NULL,
        gross_cents bigint NOT NULL,
        fees_cents bigint NOT NULL,
        net_cents bigint NOT NULL,
        carried_in_cents bigint NOT NULL CHECK (carried_in_cents <= 0),
        remit_cents bigint NOT NULL CHECK (remit_cents >= 0),
        carried_out_cents bigint NOT NULL CHECK (carried_out_cents <= 0),
        invoiced_fees_cents bigint NOT NULL,
        previous_statement_id uuid REFERENCES statement (id),
        as_of timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT statement_period_once UNIQUE (client_id, period_end_date),
        CONSTRAINT statement_period_order CHECK (period_start < period_end),
        CONSTRAINT statement_net CHECK (net_cents = gross_cents - fees_cents),
        -- Only one of the two is ever non-zero: a negative total is carried, never remitted.
        CONSTRAINT statement_remit_or_carry CHECK (remit_cents = 0 OR carried_out_cents = 0)
    );
    CREATE INDEX statement_client_newest ON statement (client_id, created_at DESC, id DESC);

    -- A line belongs to its client through its statement (no client_id of its own).
    -- Exactly once: the primary key is the movement, so a payment or a reversal is on one
    -- statement at most, whatever runs race or crash.
    CREATE TABLE statement_line (
        movement_kind varchar(8) NOT NULL CHECK (movement_kind IN ('payment', 'reversal')),
        movement_id uuid NOT NULL,
        -- Deferred: a client's lines are inserted before its statements, in one transaction,
        -- so the statement's totals are written once from the lines as stored.
        statement_id uuid NOT NULL REFERENCES statement (id) DEFERRABLE INITIALLY DEFERRED,
        kind varchar(16) NOT NULL
            CHECK (kind IN ('agency_payment', 'direct_payment', 'reversal')),
        payment_id uuid NOT NULL,
        account_id uuid NOT NULL,
        -- The local date the payment cleared, or the reversal was returned.
        moved_on date NOT NULL,
        fee_rate_bps integer NOT NULL,
        collected_cents bigint NOT NULL,
        gross_cents bigint NOT NULL,
        fee_cents bigint NOT NULL,
        net_cents bigint NOT NULL,
        PRIMARY KEY (movement_kind, movement_id),
        CONSTRAINT statement_line_net CHECK (net_cents = gross_cents - fee_cents),
        CONSTRAINT statement_line_kind CHECK ((movement_kind = 'reversal') = (kind = 'reversal'))
    );
    CREATE INDEX statement_line_statement ON statement_line (statement_id);

    -- A finished batch run; the sweep re-enqueues the run when none finished today.
    CREATE TABLE remittance_run (
        id uuid PRIMARY KEY,
        as_of timestamptz NOT NULL,
        statements_issued integer NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX remittance_run_as_of ON remittance_run (as_of);

    CREATE TRIGGER statement_append_only BEFORE UPDATE OR DELETE ON statement
        FOR EACH ROW EXECUTE FUNCTION settlements_refuse_change();
    CREATE TRIGGER statement_line_append_only BEFORE UPDATE OR DELETE ON statement_line
        FOR EACH ROW EXECUTE FUNCTION settlements_refuse_change();
    CREATE TRIGGER remittance_run_append_only BEFORE UPDATE OR DELETE ON remittance_run
        FOR EACH ROW EXECUTE FUNCTION settlements_refuse_change();
    """,
    """
    DROP TABLE remittance_run, statement_line, statement;
    DROP FUNCTION remittance_period_end(text, date);
    """,
)
