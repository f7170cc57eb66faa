from server.kit.migration_sql import sql_migration

ID = "2026-12-07T16:10:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "Every write of a score's fact marks the person, for the dispatcher's rescore"

# The dispatcher rescores only the people marked since its last run (and every open
# account once a day, for the age factor): server.dispatch.score_repository.RESCORE. So every
# write of a fact the score reads marks the person, whoever writes it — the API, the
# loader's set-based merges, financial files, a migration, an owner's SQL — by triggers,
# not by each write path remembering to. One statement-level trigger per table and event,
# over its transition tables: a merge of a million rows marks them in one INSERT … SELECT,
# not a million calls. Marks are only ever appended (never upserted): a rescore deletes
# those its snapshot sees, so a write committed while it runs keeps its mark.
#
# The facts (server.dispatch.scoring.Facts, read by RESCORE): the account's balance,
# delinquency date and status, and its person; the person's SSN; the person's numbers
# (status, zones); every client's address of the person and the addresses learned on calls;
# the calls about the account; its callbacks (status, due time: one coming due between two
# runs is found by the run itself) and its promises (status).
forwards = sql_migration(
    ID,
    "dispatch",
    DESCRIPTION,
    """
    CREATE FUNCTION dispatch_mark_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO score_stale (debtor_id) SELECT DISTINCT debtor_id FROM new_rows;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO score_stale (debtor_id) SELECT DISTINCT debtor_id FROM old_rows;
        ELSE
            INSERT INTO score_stale (debtor_id)
            SELECT DISTINCT v.debtor_id
            FROM new_rows n JOIN old_rows o ON o.id = n.id
            CROSS JOIN LATERAL (VALUES (n.debtor_id), (o.debtor_id)) v (debtor_id)
            WHERE (n.balance_cents, n.delinquency_date, n.status, n.debtor_id)
                  IS DISTINCT FROM (o.balance_cents, o.delinquency_date, o.status, o.debtor_id);
        END IF;
        RETURN NULL;
    END $$;

    CREATE FUNCTION dispatch_mark_debtors() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO score_stale (debtor_id)
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.ssn_hash IS DISTINCT FROM o.ssn_hash;
        RETURN NULL;
    END $$;

    CREATE FUNCTION dispatch_mark_phones() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO score_stale (debtor_id) SELECT DISTINCT debtor_id FROM new_rows;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO score_stale (debtor_id) SELECT DISTINCT debtor_id FROM old_rows;
        ELSE
            INSERT INTO score_stale (debtor_id)
            SELECT DISTINCT v.debtor_id
            FROM new_rows n JOIN old_rows o ON o.id = n.id
            CROSS JOIN LATERAL (VALUES (n.debtor_id), (o.debtor_id)) v (debtor_id)
            WHERE (n.debtor_id, n.status, n.time_zones)
                  IS DISTINCT FROM (o.debtor_id, o.status, o.time_zones);
        END IF;
        RETURN NULL;
    END $$;

    CREATE FUNCTION dispatch_mark_profiles() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO score_stale (debtor_id) SELECT DISTINCT debtor_id FROM new_rows;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO score_stale (debtor_id) SELECT DISTINCT debtor_id FROM old_rows;
        ELSE
            INSERT INTO score_stale (debtor_id)
            SELECT DISTINCT v.debtor_id
            FROM new_rows n JOIN old_rows o ON o.id = n.id
            CROSS JOIN LATERAL (VALUES (n.debtor_id), (o.debtor_id)) v (debtor_id)
            WHERE (n.debtor_id, n.address_line1, n.zip5, n.time_zone)
                  IS DISTINCT FROM (o.debtor_id, o.address_line1, o.zip5, o.time_zone);
        END IF;
        RETURN NULL;
    END $$;

    -- Rows of an account (its calls, callbacks, promises): the account's person.
    CREATE FUNCTION dispatch_mark_account_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO score_stale (debtor_id)
            SELECT DISTINCT a.debtor_id FROM account a
            WHERE a.id IN (SELECT account_id FROM new_rows);
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO score_stale (debtor_id)
            SELECT DISTINCT a.debtor_id FROM account a
            WHERE a.id IN (SELECT account_id FROM old_rows);
        ELSE
            INSERT INTO score_stale (debtor_id)
            SELECT DISTINCT a.debtor_id FROM account a
            WHERE a.id IN (SELECT v.account_id
                           FROM new_rows n JOIN old_rows o ON o.id = n.id
                           CROSS JOIN LATERAL (VALUES (n.account_id), (o.account_id))
                               v (account_id)
                           WHERE to_jsonb(n) IS DISTINCT FROM to_jsonb(o));
        END IF;
        RETURN NULL;
    END $$;

    CREATE TRIGGER account_marks_score_insert AFTER INSERT ON account
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_accounts();
    CREATE TRIGGER account_marks_score_update AFTER UPDATE ON account
        REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_accounts();
    CREATE TRIGGER account_marks_score_delete AFTER DELETE ON account
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_accounts();

    CREATE TRIGGER debtor_marks_score_update AFTER UPDATE ON debtor
        REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_debtors();

    CREATE TRIGGER debtor_phone_marks_score_insert AFTER INSERT ON debtor_phone
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_phones();
    CREATE TRIGGER debtor_phone_marks_score_update AFTER UPDATE ON debtor_phone
        REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_phones();
    CREATE TRIGGER debtor_phone_marks_score_delete AFTER DELETE ON debtor_phone
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_phones();

    CREATE TRIGGER debtor_profile_marks_score_insert AFTER INSERT ON debtor_profile
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_profiles();
    CREATE TRIGGER debtor_profile_marks_score_update AFTER UPDATE ON debtor_profile
        REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_profiles();
    CREATE TRIGGER debtor_profile_marks_score_delete AFTER DELETE ON debtor_profile
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_profiles();

    -- Append-only: an address learned on a call is only ever added.
    CREATE TRIGGER debtor_learned_address_marks_score AFTER INSERT ON debtor_learned_address
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_profiles();

    -- Append-only: a call (and a correction of one) is only ever added.
    CREATE TRIGGER call_account_marks_score AFTER INSERT ON call_account
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_account_rows();

    CREATE TRIGGER follow_up_marks_score_insert AFTER INSERT ON follow_up
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_account_rows();
    CREATE TRIGGER follow_up_marks_score_update AFTER UPDATE ON follow_up
        REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_account_rows();
    CREATE TRIGGER follow_up_marks_score_delete AFTER DELETE ON follow_up
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_account_rows();

    CREATE TRIGGER promise_marks_score_insert AFTER INSERT ON promise
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_account_rows();
    CREATE TRIGGER promise_marks_score_update AFTER UPDATE ON promise
        REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_account_rows();
    CREATE TRIGGER promise_marks_score_delete AFTER DELETE ON promise
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION dispatch_mark_account_rows();
    """,
    """
    DROP TRIGGER account_marks_score_insert ON account;
    DROP TRIGGER account_marks_score_update ON account;
    DROP TRIGGER account_marks_score_delete ON account;
    DROP TRIGGER debtor_marks_score_update ON debtor;
    DROP TRIGGER debtor_phone_marks_score_insert ON debtor_phone;
    DROP TRIGGER debtor_phone_marks_score_update ON debtor_phone;
    DROP TRIGGER debtor_phone_marks_score_delete ON debtor_phone;
    DROP TRIGGER debtor_profile_marks_score_insert ON debtor_profile;
    DROP TRIGGER debtor_profile_marks_score_update ON debtor_profile;
    DROP TRIGGER debtor_profile_marks_score_delete ON debtor_profile;
    DROP TRIGGER debtor_learned_address_marks_score ON debtor_learned_address;
    DROP TRIGGER call_account_marks_score ON call_account;
    DROP TRIGGER follow_up_marks_score_insert ON follow_up;
    DROP TRIGGER follow_up_marks_score_update ON follow_up;
    DROP TRIGGER follow_up_marks_score_delete ON follow_up;
    DROP TRIGGER promise_marks_score_insert ON promise;
    DROP TRIGGER promise_marks_score_update ON promise;
    DROP TRIGGER promise_marks_score_delete ON promise;
    DROP FUNCTION dispatch_mark_accounts(), dispatch_mark_debtors(), dispatch_mark_phones(),
        dispatch_mark_profiles(), dispatch_mark_account_rows();
    """,
)
