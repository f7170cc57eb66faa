"""`agency migrate`: Piccolo's migrations as the owner, then the application role's grants.

The application connects as its own role (settings.app_db_user) which may change the
business tables but may only INSERT and SELECT the append-only ones. Grants follow the
tables, so they are re-applied after every migration run; they are idempotent.
"""

from __future__ import annotations

import contextlib
import io
import re

import asyncpg
from piccolo.apps.migrations.commands.forwards import run_forwards

from server.kit import db, locks
from server.kit.logging import get_logger
from server.kit.settings import SettingsError, get_settings

log = get_logger("server.migrate")

# Kept forever, never edited in place.
APPEND_ONLY_TABLES = (
    "audit_event",
    "call",
    "call_account",
    "call_evaluation",
    "payment",
    "payment_reversal",
    "balance_adjustment",
    "client_transaction",
    "statement",
    "statement_line",
    "remittance_run",
    "statement_payout",
    "account_note",
    "debtor_learned_address",
    "letter_batch",
    "letter",
    "letter_event",
    "message",
    "message_read_mark",
)
# Serializes concurrent `agency migrate` runs (two hosts deploying at once).
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _grants_sql(app_user: str) -> str:
    append_only = ", ".join(APPEND_ONLY_TABLES)
    # Identifiers are checked against _ROLE_NAME; DDL takes no bound parameters.
    sql = f"""
    DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{app_user}') THEN
            CREATE ROLE {app_user} LOGIN;
        END IF;
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO {app_user}', current_database());
    END $$;
    GRANT USAGE ON SCHEMA public TO {app_user};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app_user};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app_user};
    REVOKE UPDATE, DELETE, TRUNCATE ON {append_only} FROM {app_user};
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON migration FROM {app_user};
    GRANT EXECUTE ON FUNCTION refresh_ingest_statistics() TO {app_user};
    """  # noqa: S608
    return sql


async def _applied_count(connection: asyncpg.Connection) -> int:
    """Migrations recorded as applied (none before the first run made the table)."""
    if await connection.fetchval("SELECT to_regclass('migration')") is None:
        return 0
    return int(await connection.fetchval("SELECT count(*) FROM migration"))


async def migrate() -> int:
    """Apply what has not been applied yet; returns how many migrations ran. Piccolo's
    report of every app is kept out of sight unless a migration fails."""
    settings = get_settings()
    if settings.db_role != "owner":
        raise SettingsError("AGENCY_DB_ROLE", "migrations run as the owner")
    app_user = settings.app_db_user
    if not _ROLE_NAME.match(app_user):
        raise SettingsError("APP_DB_USER", "must be a lower-case SQL identifier")
    engine = db.engine()
    lock = await engine.get_new_connection()
    try:
        owner = await lock.fetchval("SELECT current_user")
        if owner == app_user:
            raise SettingsError("APP_DB_USER", "must differ from the owner in DATABASE_URL")
        await lock.execute("SELECT pg_advisory_lock($1)", locks.MIGRATION)
        before = await _applied_count(lock)
        report = io.StringIO()
        with contextlib.redirect_stdout(report):
            result = await run_forwards(app_name="all", migration_id="all", fake=False)
        if not result.success:
            raise RuntimeError(f"migrations failed: {result.message}\n{report.getvalue()}")
        await lock.execute(_grants_sql(app_user))
        applied = await _applied_count(lock) - before
        log.info("migrate.done", app_role=app_user, applied=applied)
        return applied
    finally:
        await lock.close()
