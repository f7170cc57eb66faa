from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T23:00:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "Placement failure columns added in SQL recorded"

# Fake: recorded as applied, no DDL runs. The columns were added by 2026-12-06T23:00:00
# in SQL, which Piccolo's history never saw.

_PARAMS = {
    "default": None,
    "null": True,
    "primary_key": False,
    "unique": False,
    "index": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(
        migration_id=ID, app_name="placements", description=DESCRIPTION, fake=True
    )

    manager.add_column(
        table_class_name="Placement",
        tablename="placement",
        column_name="failure_reason",
        db_column_name="failure_reason",
        column_class_name="Text",
        column_class=Text,
        params=_PARAMS,
        schema=None,
    )

    manager.add_column(
        table_class_name="Placement",
        tablename="placement",
        column_name="last_failure",
        db_column_name="last_failure",
        column_class_name="Varchar",
        column_class=Varchar,
        params={"length": 200, **_PARAMS},
        schema=None,
    )

    return manager
