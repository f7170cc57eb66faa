from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Consent is read from the callback asked for, not a stored window"

# consent_from / consent_until held the day asked for as read in one zone (the dialed
# number's) when the call was recorded, while the rules count the days of the frequency
# limits in every zone they consider for a later call. The rules now work the consent out
# from `callback_at` (kept), so the windows are dropped rather than left to mislead; their
# CHECK constraint goes with them.


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="queues", description=DESCRIPTION)
    for column in ("consent_from", "consent_until"):
        manager.drop_column(
            table_class_name="Call",
            tablename="call",
            column_name=column,
            db_column_name=column,
            schema=None,
        )
    return manager
