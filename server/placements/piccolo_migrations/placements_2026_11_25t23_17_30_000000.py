from server.kit.migration_sql import sql_migration

ID = "2026-11-25T23:17:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Placement, debtor and account constraints"

forwards = sql_migration(
    ID,
    "placements",
    DESCRIPTION,
    """
    ALTER TABLE placement
        ADD CONSTRAINT placement_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT placement_kind
            CHECK (kind IN ('new_business', 'financial', 'maintenance', 'recall')),
        ADD CONSTRAINT placement_tier CHECK (tier IN ('primary', 'secondary', 'legal')),
        ADD CONSTRAINT placement_status
            CHECK (status IN ('received', 'validating', 'loaded', 'rejected')),
        ADD CONSTRAINT placement_fee_rate CHECK (fee_rate_bps BETWEEN 0 AND 10000);
    -- The same bytes again for the same client and kind are the same placement.
    CREATE UNIQUE INDEX placement_same_bytes ON placement (client_id, kind, sha256);
    CREATE INDEX placement_client_newest ON placement (client_id, created_at DESC, id DESC);
    CREATE INDEX placement_pending ON placement (status) WHERE status IN ('received', 'validating');

    ALTER TABLE placement_chunk
        ADD CONSTRAINT placement_chunk_placement
            FOREIGN KEY (placement_id) REFERENCES placement (id) ON DELETE CASCADE,
        ADD CONSTRAINT placement_chunk_seq UNIQUE (placement_id, seq);

    ALTER TABLE placement_error
        ADD CONSTRAINT placement_error_placement
            FOREIGN KEY (placement_id) REFERENCES placement (id) ON DELETE CASCADE,
        ADD CONSTRAINT placement_error_severity CHECK (severity IN ('error', 'warning'));
    CREATE INDEX placement_error_by_line ON placement_error (placement_id, line);

    -- One person per SSN: the key debtors are matched on across placements.
    CREATE UNIQUE INDEX debtor_ssn ON debtor (ssn_hash) WHERE ssn_hash IS NOT NULL;
    CREATE INDEX debtor_identity ON debtor (lower(last_name), lower(first_name), date_of_birth);
    CREATE INDEX debtor_name_search ON debtor (lower(last_name) text_pattern_ops);

    ALTER TABLE debtor_phone
        ADD CONSTRAINT debtor_phone_debtor
            FOREIGN KEY (debtor_id) REFERENCES debtor (id) ON DELETE CASCADE,
        ADD CONSTRAINT debtor_phone_once UNIQUE (debtor_id, e164),
        ADD CONSTRAINT debtor_phone_kind CHECK (kind IN ('home', 'mobile', 'work', 'other')),
        ADD CONSTRAINT debtor_phone_status
            CHECK (status IN ('valid', 'wrong_number', 'not_in_service', 'do_not_call'));
    CREATE INDEX debtor_phone_e164 ON debtor_phone (e164);

    ALTER TABLE account
        ADD CONSTRAINT account_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT account_placement FOREIGN KEY (placement_id) REFERENCES placement (id),
        ADD CONSTRAINT account_debtor FOREIGN KEY (debtor_id) REFERENCES debtor (id),
        ADD CONSTRAINT account_status CHECK (status IN (
            'active', 'disputed', 'cease_communication', 'bankruptcy', 'deceased',
            'attorney_represented', 'recalled', 'paid_in_full', 'settled_in_full', 'closed')),
        ADD CONSTRAINT account_amounts CHECK (
            principal_cents > 0 AND interest_cents >= 0 AND fees_cents >= 0
            AND placed_balance_cents = principal_cents + interest_cents + fees_cents);
    -- Unique per client among accounts not recalled: a recalled account may be placed again.
    CREATE UNIQUE INDEX account_number_open
        ON account (client_id, lower(client_account_number)) WHERE status <> 'recalled';
    CREATE INDEX account_client_newest ON account (client_id, created_at DESC, id DESC);
    CREATE INDEX account_client_status ON account (client_id, status);

    ALTER TABLE account_status_change
        ADD CONSTRAINT account_status_change_account
            FOREIGN KEY (account_id) REFERENCES account (id);
    """,
    """
    DROP INDEX account_client_status, account_client_newest, account_number_open,
        debtor_phone_e164, debtor_name_search, debtor_identity, debtor_ssn,
        placement_error_by_line, placement_pending, placement_client_newest, placement_same_bytes;
    """,
)
