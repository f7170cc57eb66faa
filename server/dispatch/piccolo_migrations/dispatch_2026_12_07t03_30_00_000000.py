from server.kit.migration_sql import sql_migration

ID = "2026-12-07T03:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Stated inconvenient times and day blocks in SQL, so dealing knows who is callable"

# The dispatcher ranks each person by the moments of the next hour at which they may be
# called: calling hours (the queues functions), the times they said are inconvenient and
# Regulation F's day blocks (server.dispatch.repository.REACH). The rule function still
# decides at claim time; the property test holds these functions to it.
forwards = sql_migration(
    ID,
    "dispatch",
    DESCRIPTION,
    """
    -- rules.facts.InconvenientTime.holds for every stated time of a person, kept as JSON
    -- ([{"weekdays": [0..6], "start": "HH:MM", "end": "HH:MM"}], 0 = Monday, no weekday =
    -- every day; an end not after the start runs past midnight), on the clock of `zone`.
    CREATE FUNCTION dispatch_inconvenient(wishes jsonb, zone varchar, at timestamptz)
        RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
        AS $$
            SELECT coalesce(bool_or(CASE WHEN s < e THEN today AND t >= s AND t < e
                                         ELSE (today AND t >= s) OR (yesterday AND t < e) END),
                            false)
            FROM (
                SELECT (w ->> 'start')::time AS s, (w ->> 'end')::time AS e, l::time AS t,
                       NOT EXISTS (SELECT FROM jsonb_array_elements_text(w -> 'weekdays'))
                       OR EXISTS (SELECT FROM jsonb_array_elements_text(w -> 'weekdays') d
                                  WHERE d::int = extract(isodow FROM l)::int - 1) AS today,
                       NOT EXISTS (SELECT FROM jsonb_array_elements_text(w -> 'weekdays'))
                       OR EXISTS (SELECT FROM jsonb_array_elements_text(w -> 'weekdays') d
                                  WHERE d::int = (extract(isodow FROM l)::int + 5) % 7)
                           AS yesterday
                FROM jsonb_array_elements(coalesce(wishes, '[]')) w,
                     LATERAL (SELECT at AT TIME ZONE zone AS l) local
            ) x
        $$;

    -- Which of `instants` (bit k - 1 for the k-th) are past the day blocks' end `clear`
    -- (NULL: no block) and outside the stated times.
    CREATE FUNCTION dispatch_allowed_mask(clear timestamptz, wishes jsonb, zone varchar,
                                          instants timestamptz[])
        RETURNS integer LANGUAGE sql STABLE PARALLEL SAFE
        AS $$
            SELECT coalesce(sum(1 << (k::int - 1)), 0)::integer
            FROM unnest(instants) WITH ORDINALITY i(t, k)
            WHERE (clear IS NULL OR clear <= t)
              AND NOT dispatch_inconvenient(wishes, zone, t)
        $$;
    """,
    """
    DROP FUNCTION dispatch_allowed_mask(timestamptz, jsonb, varchar, timestamptz[]);
    DROP FUNCTION dispatch_inconvenient(jsonb, varchar, timestamptz);
    """,
)
