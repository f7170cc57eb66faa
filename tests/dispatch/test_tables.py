"""The dispatch app's Table classes say what the queues migration's SQL made."""

from __future__ import annotations

import asyncpg

from server.dispatch.tables import AccountScore, QueueItem

# information_schema's udt names, as Piccolo's column types.
_TYPES = {
    "uuid": "UUID",
    "_uuid": "UUID[]",
    "int2": "SMALLINT",
    "int4": "INTEGER",
    "int8": "BIGINT",
    "timestamptz": "TIMESTAMPTZ",
}


async def test_the_table_classes_match_the_tables(owner_db: asyncpg.Connection) -> None:
    for table in (AccountScore, QueueItem):
        rows = await owner_db.fetch(
            "SELECT column_name, udt_name, is_nullable = 'YES' AS nullable,"
            " column_default IS NOT NULL AS has_default"
            " FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
            table._meta.tablename,
        )
        in_database = [
            (r["column_name"], _TYPES[r["udt_name"]], r["nullable"], r["has_default"]) for r in rows
        ]
        declared = [
            (c._meta.db_column_name, c.column_type, c._meta.null, c.default is not None)
            for c in table._meta.columns
        ]
        assert declared == in_database
