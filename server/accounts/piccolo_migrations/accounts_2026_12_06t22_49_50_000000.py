from server.kit.migration_sql import sql_migration

ID = "2026-12-06T22:49:50:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "Blocks: one of a kind in force per account, the status they show, and the blocks in"
    " force before they were recorded, rebuilt from the status history"
)

# The blocks in force are rebuilt from each account's status changes: a block was added by
# a change to its status (a dispute, a written cease, a bankruptcy, attorney, death) and
# lifted only by its own action (verification for a dispute; `active` from bankruptcy or
# attorney); nothing lifted a cease. A dispute or cease that an older chain of status
# actions cleared (disputed → bankruptcy → active) is in force again, and an open account
# shows its blocks' status, with a status change saying why. Evidence is unknown (null).
#
# `account_open_status` is `statuses.open_status` for set-based SQL (a client's
# maintenance file); a test holds the two to the same answer for every set of blocks.
# Also run by a test over accounts whose history hides a block (tests/accounts).
REBUILD_SQL = """
    WITH added AS (
        SELECT DISTINCT ON (h.account_id, h.to_status) h.account_id, h.client_id,
               h.to_status AS kind, h.reason, h.channel, h.received_at, h.actor_id,
               h.created_at
        FROM account_status_change h
        WHERE h.to_status IN ('disputed', 'cease_communication', 'attorney_represented',
                              'bankruptcy', 'deceased')
          AND h.from_status IS DISTINCT FROM h.to_status
        ORDER BY h.account_id, h.to_status, h.created_at DESC, h.id DESC
    ),
    in_force AS (
        SELECT a.* FROM added a
        WHERE NOT EXISTS (
            SELECT FROM account_status_change l
            WHERE l.account_id = a.account_id AND l.created_at > a.created_at
              AND ((a.kind = 'disputed' AND l.action = 'verification')
                   OR (a.kind IN ('bankruptcy', 'attorney_represented')
                       AND l.from_status = a.kind AND l.to_status = 'active')))
    ),
    current AS (
        -- An account whose status is a block with no change recorded for it.
        SELECT a.id AS account_id, a.client_id, a.status AS kind,
               'in force before blocks were recorded' AS reason, NULL::varchar AS channel,
               a.status_since AS received_at, NULL::uuid AS actor_id
        FROM account a
        WHERE a.status IN ('disputed', 'cease_communication', 'attorney_represented',
                           'bankruptcy', 'deceased')
          AND NOT EXISTS (SELECT FROM in_force f
                          WHERE f.account_id = a.id AND f.kind = a.status)
    )
    INSERT INTO account_block (id, account_id, client_id, kind, reason, channel, received_at,
        evidence, source, added_by, added_at)
    SELECT gen_random_uuid(), account_id, client_id, kind, reason, channel, received_at,
        NULL, 'migration', actor_id, now() -- clock-ok: the row's write time
    FROM (SELECT account_id, client_id, kind, reason, channel, received_at, actor_id
          FROM in_force
          UNION ALL
          SELECT account_id, client_id, kind, reason, channel, received_at, actor_id
          FROM current) b;

    WITH restored AS (
        SELECT a.id, a.client_id, a.status AS from_status,
               account_open_status(array_agg(b.kind::text)) AS to_status
        FROM account a JOIN account_block b ON b.account_id = a.id AND b.lifted_at IS NULL
        WHERE a.status IN ('active', 'disputed', 'cease_communication',
                           'attorney_represented', 'bankruptcy', 'deceased')
        GROUP BY a.id, a.client_id, a.status
        HAVING account_open_status(array_agg(b.kind::text)) <> a.status
    ),
    logged AS (
        INSERT INTO account_status_change (id, account_id, client_id, from_status, to_status,
            action, reason, channel, received_at, actor_id, created_at)
        SELECT gen_random_uuid(), id, client_id, from_status, to_status, 'blocks_restored',
            'a block never lifted by its own action is in force again', NULL,
            now(), NULL, now() -- clock-ok: the migration's write time
        FROM restored
    )
    UPDATE account a SET status = r.to_status,
        status_since = now(), updated_at = now() -- clock-ok: the migration's write time
    FROM restored r WHERE a.id = r.id;
"""

forwards = sql_migration(
    ID,
    "accounts",
    DESCRIPTION,
    """
    ALTER TABLE account_block
        ADD CONSTRAINT account_block_account FOREIGN KEY (account_id) REFERENCES account (id),
        ADD CONSTRAINT account_block_kind CHECK (kind IN ('disputed', 'cease_communication',
            'attorney_represented', 'bankruptcy', 'deceased')),
        ADD CONSTRAINT account_block_source CHECK (
            source IN ('action', 'maintenance_file', 'migration')),
        ADD CONSTRAINT account_block_lift CHECK (
            (lifted_at IS NULL AND lift_action IS NULL AND lift_reason IS NULL
                AND lift_received_at IS NULL AND lift_evidence IS NULL)
            OR (lifted_at IS NOT NULL AND lift_action IS NOT NULL AND lift_reason IS NOT NULL
                AND lift_received_at IS NOT NULL));
    CREATE UNIQUE INDEX account_block_in_force ON account_block (account_id, kind)
        WHERE lifted_at IS NULL;

    CREATE FUNCTION account_open_status(blocks text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE
            WHEN 'deceased' = ANY (blocks) THEN 'deceased'
            WHEN 'bankruptcy' = ANY (blocks) THEN 'bankruptcy'
            WHEN 'attorney_represented' = ANY (blocks) THEN 'attorney_represented'
            WHEN 'cease_communication' = ANY (blocks) THEN 'cease_communication'
            WHEN 'disputed' = ANY (blocks) THEN 'disputed'
            ELSE 'active' END
    $$;

    """
    + REBUILD_SQL,
    """
    UPDATE account a SET status = h.from_status
    FROM account_status_change h
    WHERE h.account_id = a.id AND h.action = 'blocks_restored';
    DELETE FROM account_status_change WHERE action = 'blocks_restored';
    DROP FUNCTION account_open_status(text[]);
    DROP INDEX account_block_in_force;
    DELETE FROM account_block;
    """,
)
