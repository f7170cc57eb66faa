from server.kit.migration_sql import sql_migration

ID = "2026-12-07T02:00:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "Split what the debtor held into the profiles of the clients who supplied it"

# Until now one `debtor` row held the name, birth date, address, zone and e-mails of the
# person for every client, and each client's file wrote into it. This moves each value
# to the profile of the client whose file can be proven to have supplied it, and what no
# one can be proven to have supplied to the agency's own profile (client_id null: staff
# only, never shown to a client). The proofs, from the rows kept:
# - a person with accounts of one client only: every value came from that client's files
#   (new-business and maintenance files write only the people of their own accounts);
# - a person with accounts of several clients: the debtor row was made by the batch that
#   placed its first account (the same transaction, so the same `created_at`), from that
#   batch's line; its name, birth date and SSN digits are that client's. Its address and
#   zone are too, unless a maintenance file of another of the person's clients was
#   received after the person was made (it may have rewritten them). E-mails were merged
#   from every client's rows: agency-only;
# - a phone was written by the transaction that placed the accounts it came with (the
#   same `created_at`): it is the client's whose accounts of the person were placed then,
#   if that is one client; else (a maintenance file of a shared person) agency-only.
# The audit log records files and actions, not values: it proves nothing more here.
# The split itself, on its own for the test that runs it again over older rows.
SPLIT = """
    -- Each person's clients, and the one whose batch made the debtor row, when proven.
    CREATE TEMP TABLE person_clients ON COMMIT DROP AS
    SELECT d.id AS debtor_id,
           array_agg(DISTINCT a.client_id) FILTER (WHERE a.client_id IS NOT NULL) AS clients,
           (SELECT min(f.client_id::text)::uuid FROM account f
            WHERE f.debtor_id = d.id AND f.created_at = d.created_at
            HAVING count(DISTINCT f.client_id) = 1) AS maker
    FROM debtor d LEFT JOIN account a ON a.debtor_id = d.id
    GROUP BY d.id;
    ALTER TABLE person_clients ADD COLUMN address_proven boolean;
    UPDATE person_clients pc SET address_proven = cardinality(pc.clients) = 1
        OR (pc.maker IS NOT NULL AND NOT EXISTS (
                SELECT FROM placement p JOIN debtor d ON d.id = pc.debtor_id
                WHERE p.kind = 'maintenance' AND p.client_id = ANY (pc.clients)
                  AND p.client_id <> pc.maker AND p.created_at >= d.created_at));

    INSERT INTO debtor_profile (id, debtor_id, client_id, first_name, last_name,
        date_of_birth, ssn_last4, address_line1, address_line2, city, state, zip5,
        time_zone, emails, supplied_by_placement_id, updated_by_placement_id, created_at,
        updated_at)
    SELECT gen_random_uuid(), d.id, c.client_id,
           CASE WHEN who THEN d.first_name END, CASE WHEN who THEN d.last_name END,
           CASE WHEN who THEN d.date_of_birth END, CASE WHEN who THEN d.ssn_last4 END,
           CASE WHEN place THEN d.address_line1 END, CASE WHEN place THEN d.address_line2 END,
           CASE WHEN place THEN d.city END, CASE WHEN place THEN d.state END,
           CASE WHEN place THEN d.zip5 END, CASE WHEN place THEN d.time_zone END,
           CASE WHEN only_one THEN d.emails ELSE '{}' END,
           (SELECT a.placement_id FROM account a WHERE a.debtor_id = d.id
              AND a.client_id = c.client_id ORDER BY a.created_at, a.id LIMIT 1),
           NULL, d.created_at, d.updated_at
    FROM debtor d JOIN person_clients pc ON pc.debtor_id = d.id
    CROSS JOIN LATERAL unnest(pc.clients) AS c(client_id)
    CROSS JOIN LATERAL (SELECT cardinality(pc.clients) = 1 AS only_one) o
    CROSS JOIN LATERAL (SELECT only_one OR pc.maker = c.client_id AS who,
                               pc.address_proven
                                   AND (only_one OR pc.maker = c.client_id) AS place) w;

    -- What no client's profile got: the agency's own.
    INSERT INTO debtor_profile (id, debtor_id, client_id, first_name, last_name,
        date_of_birth, ssn_last4, address_line1, address_line2, city, state, zip5,
        time_zone, emails, created_at, updated_at)
    SELECT gen_random_uuid(), d.id, NULL,
           CASE WHEN NOT who THEN d.first_name END, CASE WHEN NOT who THEN d.last_name END,
           CASE WHEN NOT who THEN d.date_of_birth END, CASE WHEN NOT who THEN d.ssn_last4 END,
           CASE WHEN NOT place THEN d.address_line1 END,
           CASE WHEN NOT place THEN d.address_line2 END,
           CASE WHEN NOT place THEN d.city END, CASE WHEN NOT place THEN d.state END,
           CASE WHEN NOT place THEN d.zip5 END, CASE WHEN NOT place THEN d.time_zone END,
           CASE WHEN NOT only_one THEN d.emails ELSE '{}' END,
           d.created_at, d.updated_at
    FROM debtor d JOIN person_clients pc ON pc.debtor_id = d.id
    CROSS JOIN LATERAL (SELECT coalesce(cardinality(pc.clients), 0) = 1 AS only_one) o
    CROSS JOIN LATERAL (SELECT only_one OR pc.maker IS NOT NULL AS who,
                               coalesce(pc.address_proven, false) AS place) w
    WHERE (NOT who AND (d.last_name IS NOT NULL OR d.date_of_birth IS NOT NULL))
       OR (NOT place AND (d.address_line1 IS NOT NULL OR d.zip5 IS NOT NULL
                          OR d.time_zone IS NOT NULL))
       OR (NOT only_one AND cardinality(d.emails) > 0);

    UPDATE debtor_phone p SET client_id = s.client_id, supplied_by_placement_id = s.placement_id
    FROM (SELECT p.id,
                 (SELECT min(a.client_id::text)::uuid FROM account a
                  WHERE a.debtor_id = p.debtor_id
                    AND (cardinality(pc.clients) = 1 OR a.created_at = p.created_at)
                  HAVING count(DISTINCT a.client_id) = 1) AS client_id,
                 (SELECT a.placement_id FROM account a
                  WHERE a.debtor_id = p.debtor_id AND a.created_at = p.created_at
                  ORDER BY a.id LIMIT 1) AS placement_id
          FROM debtor_phone p JOIN person_clients pc ON pc.debtor_id = p.debtor_id) s
    WHERE p.id = s.id AND s.client_id IS NOT NULL;

"""

_CONSTRAINTS = """
    ALTER TABLE debtor_profile
        ADD CONSTRAINT debtor_profile_debtor
            FOREIGN KEY (debtor_id) REFERENCES debtor (id) ON DELETE CASCADE,
        ADD CONSTRAINT debtor_profile_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT debtor_profile_supplied_by
            FOREIGN KEY (supplied_by_placement_id) REFERENCES placement (id),
        ADD CONSTRAINT debtor_profile_updated_by
            FOREIGN KEY (updated_by_placement_id) REFERENCES placement (id),
        -- One per client, and one of the agency's (client_id null).
        ADD CONSTRAINT debtor_profile_once UNIQUE NULLS NOT DISTINCT (debtor_id, client_id);
    CREATE INDEX debtor_profile_identity
        ON debtor_profile (lower(last_name), lower(first_name), date_of_birth);
    CREATE INDEX debtor_profile_name_search
        ON debtor_profile (lower(last_name) text_pattern_ops);
    CREATE INDEX debtor_profile_address ON debtor_profile (zip5, lower(address_line1));

    ALTER TABLE debtor_phone DROP CONSTRAINT debtor_phone_once;
    ALTER TABLE debtor_phone
        ADD CONSTRAINT debtor_phone_client FOREIGN KEY (client_id) REFERENCES client (id),
        ADD CONSTRAINT debtor_phone_learned_on
            FOREIGN KEY (learned_on_account_id) REFERENCES account (id),
        ADD CONSTRAINT debtor_phone_supplied_by
            FOREIGN KEY (supplied_by_placement_id) REFERENCES placement (id),
        ADD CONSTRAINT debtor_phone_once UNIQUE NULLS NOT DISTINCT (debtor_id, e164, client_id);

"""

_VIEW = """
    DROP INDEX debtor_identity, debtor_name_search;

    -- Every address the agency holds for the person, whichever client supplied it (or the
    -- agency's own): what the contact rules read (calling hours, date zones, state caps).
    CREATE VIEW debtor_address AS
    SELECT debtor_id, client_id, address_line1, address_line2, city, state, zip5, time_zone
    FROM debtor_profile
    WHERE address_line1 IS NOT NULL OR zip5 IS NOT NULL OR time_zone IS NOT NULL
       OR state IS NOT NULL;

"""

forwards = sql_migration(ID, "accounts", DESCRIPTION, _CONSTRAINTS + SPLIT + _VIEW)
