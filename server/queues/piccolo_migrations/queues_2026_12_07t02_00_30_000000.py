from server.kit.migration_sql import sql_migration

ID = "2026-12-07T02:00:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Calling hours in SQL read every address of the person, of every client"

# The person's addresses are now one per client's profile (accounts_2026_12_07t02_00_10):
# the zones of all of them hold, as rules.zones_considered says. The property test holds
# these functions to it. On a new database this app migrates before accounts, which makes
# the `debtor_address` view these read: the bodies are checked when first run, not here
# (as pg_dump restores functions).
forwards = sql_migration(
    ID,
    "queues",
    DESCRIPTION,
    """
    SET LOCAL check_function_bodies = off;
    -- rules.zones_considered for a number on file: with addresses, all their zones and the
    -- number's; without one, every number's of the person; none known, the contiguous US.
    DROP FUNCTION queue_person_in_hours(uuid, timestamptz, varchar[]);
    DROP FUNCTION queue_dial_zones(varchar, varchar[], varchar[], varchar[]);
    CREATE FUNCTION queue_dial_zones(address_zones varchar[], number_zones varchar[],
                                     person_zones varchar[], contiguous varchar[])
        RETURNS varchar[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$
            SELECT CASE WHEN cardinality(address_zones) > 0 THEN address_zones || number_zones
                        WHEN cardinality(person_zones) > 0 THEN person_zones
                        ELSE contiguous END
        $$;
    -- Every zone of every address of the person.
    CREATE FUNCTION queue_address_zones(person uuid) RETURNS varchar[]
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$
            SELECT coalesce(array_agg(DISTINCT a.time_zone ORDER BY a.time_zone), '{}')
            FROM debtor_address a WHERE a.debtor_id = person AND a.time_zone IS NOT NULL
        $$;
    CREATE FUNCTION queue_person_in_hours(person uuid, at timestamptz, contiguous varchar[])
        RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
        AS $$
            SELECT EXISTS (
                SELECT FROM debtor_phone p
                WHERE p.debtor_id = person
                  AND queue_phone_callable(p.status, p.employer_forbids_calls)
                  AND queue_hours_open(queue_dial_zones(queue_address_zones(person),
                      p.time_zones,
                      (SELECT coalesce(array_agg(DISTINCT z), '{}') FROM debtor_phone q,
                              unnest(q.time_zones) z WHERE q.debtor_id = person),
                      contiguous), at))
        $$;
    """,
)
