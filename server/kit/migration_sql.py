"""Migrations written as SQL, for what Piccolo's column API cannot say: partial and
composite unique indexes, check constraints, triggers, foreign keys across apps.

Piccolo runs a migration's raw steps before its table operations, so SQL that refers to
new tables lives in a migration of its own after the one that creates them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.kit import db


def sql_migration(
    migration_id: str, app_name: str, description: str, forwards_sql: str, backwards_sql: str = ""
) -> Callable[[], Awaitable[MigrationManager]]:
    async def forwards() -> MigrationManager:
        manager = MigrationManager(
            migration_id=migration_id, app_name=app_name, description=description
        )

        # execute(), not Piccolo's run_ddl: a script of several statements cannot be a
        # prepared statement. Inside the migration's transaction, so all or nothing.
        async def run_forwards() -> None:
            async with db.connection() as conn:
                await conn.execute(forwards_sql)

        async def run_backwards() -> None:
            if backwards_sql:
                async with db.connection() as conn:
                    await conn.execute(backwards_sql)

        manager.add_raw(run_forwards)
        manager.add_raw_backwards(run_backwards)
        return manager

    return forwards
