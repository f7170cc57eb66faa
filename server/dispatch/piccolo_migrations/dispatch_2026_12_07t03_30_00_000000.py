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
        -- One expression, no FROM, so that PostgreSQL inlines it into the dealer's query
        -- instead of running a query per person and instant. $t is the local clock as
        -- "HH:MM:SS" (compared as text with the stated "HH:MM"), $d today's weekday and
        -- $y yesterday's (0 = Monday), as numbers and as text.
        AS $$
            SELECT jsonb_path_exists(
                coalesce(wishes, '[]'),
                '$[*] ? ((@.start < @.end
                          && (!exists(@.weekdays[*])
                              || exists(@.weekdays[*] ? (@ == $d || @ == $ds)))
                          && @.start <= $t && $t < @.end)
                         || (!(@.start < @.end)
                             && (((!exists(@.weekdays[*])
                                   || exists(@.weekdays[*] ? (@ == $d || @ == $ds)))
                                  && @.start <= $t)
                                 || ((!exists(@.weekdays[*])
                                      || exists(@.weekdays[*] ? (@ == $y || @ == $ys)))
                                     && $t < @.end))))',
                jsonb_build_object(
                    't', to_char(at AT TIME ZONE zone, 'HH24:MI:SS'),
                    'd', extract(isodow FROM at AT TIME ZONE zone)::int - 1,
                    'ds', (extract(isodow FROM at AT TIME ZONE zone)::int - 1)::text,
                    'y', (extract(isodow FROM at AT TIME ZONE zone)::int + 5) % 7,
                    'ys', ((extract(isodow FROM at AT TIME ZONE zone)::int + 5) % 7)::text))
        $$;
    """,
    """
    DROP FUNCTION dispatch_inconvenient(jsonb, varchar, timestamptz);
    """,
)
