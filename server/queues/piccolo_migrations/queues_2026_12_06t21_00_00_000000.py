from server.kit.migration_sql import sql_migration

ID = "2026-12-06T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Calling hours in SQL, so queues are dealt and claimed by who is callable when"

# The dispatcher and the claim rank people by whether the rules' calling hours hold for
# them now (and within the next hour); rules.check_call still decides at claim time. The
# property test holds these functions to rules.zones_considered and the hours rule.
forwards = sql_migration(
    ID,
    "queues",
    DESCRIPTION,
    """
    -- rules.CALLING_HOURS_START and _END: [08:00, 21:00) local in every zone the consumer
    -- may be in (12 CFR 1006.6(b)(1)(i) and its commentary).
    CREATE FUNCTION queue_hours_open(zones varchar[], at timestamptz) RETURNS boolean
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$
            SELECT coalesce(bool_and((at AT TIME ZONE z)::time >= time '08:00'
                                     AND (at AT TIME ZONE z)::time < time '21:00'), false)
            FROM unnest(zones) z
        $$;

    -- rules.zones_considered for a number on file: with an address, its zone and the
    -- number's; without one, every number's of the person; none known, the contiguous US.
    CREATE FUNCTION queue_dial_zones(address_zone varchar, number_zones varchar[],
                                     person_zones varchar[], contiguous varchar[])
        RETURNS varchar[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$
            SELECT CASE WHEN address_zone IS NOT NULL THEN ARRAY[address_zone] || number_zones
                        WHEN cardinality(person_zones) > 0 THEN person_zones
                        ELSE contiguous END
        $$;

    -- Whether the calling hours hold at `at` for the person on at least one number the
    -- pre-filter admits.
    CREATE FUNCTION queue_person_in_hours(person uuid, at timestamptz, contiguous varchar[])
        RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
        AS $$
            SELECT EXISTS (
                SELECT FROM debtor d JOIN debtor_phone p ON p.debtor_id = d.id
                WHERE d.id = person
                  AND queue_phone_callable(p.status, p.employer_forbids_calls)
                  AND queue_hours_open(queue_dial_zones(d.time_zone, p.time_zones,
                      (SELECT coalesce(array_agg(DISTINCT z), '{}') FROM debtor_phone q,
                              unnest(q.time_zones) z WHERE q.debtor_id = person),
                      contiguous), at))
        $$;
    """,
    """
    DROP FUNCTION queue_person_in_hours(uuid, timestamptz, varchar[]);
    DROP FUNCTION queue_dial_zones(varchar, varchar[], varchar[], varchar[]);
    DROP FUNCTION queue_hours_open(varchar[], timestamptz);
    """,
)
