from server.kit.migration_sql import sql_migration

ID = "2026-11-26T02:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Loader may refresh the statistics of the tables it grows"

# The loader grows account, debtor and debtor_phone by tens of thousands of rows a batch,
# faster than autovacuum re-analyzes them: planned with the statistics of an empty table,
# the next batch's duplicate check joins by scanning the table once per staged row. Only
# the owner may ANALYZE (before PostgreSQL 17's MAINTAIN privilege), so the owner lends
# that one act, for these tables only, and only when they changed by a tenth since
# they were last analyzed (autovacuum's own rule, without its minute of sleep).
forwards = sql_migration(
    ID,
    "placements",
    DESCRIPTION,
    """
    CREATE FUNCTION refresh_ingest_statistics() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DECLARE
        stale record;
        analyzed integer := 0;
    BEGIN
        FOR stale IN
            SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
            WHERE s.schemaname = 'public'
              AND s.relname IN ('account', 'debtor', 'debtor_phone')
              AND s.n_mod_since_analyze > 1000 + 0.1 * greatest(c.reltuples, 0)
        LOOP
            EXECUTE format('ANALYZE public.%I', stale.relname);
            analyzed := analyzed + 1;
        END LOOP;
        RETURN analyzed;
    END
    $$;
    REVOKE ALL ON FUNCTION refresh_ingest_statistics() FROM PUBLIC;
    """,
    "DROP FUNCTION refresh_ingest_statistics();",
)
