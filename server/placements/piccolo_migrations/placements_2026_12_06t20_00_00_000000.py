from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Account keeps the account number it was serviced under with others"

# Student loans serviced under a single account number when obtained are one debt for the
# call-frequency rules (12 CFR 1006.14(b)(4)). Set from the new-business file only; null
# for every account placed before (nothing says they were serviced together).


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="placements", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Account",
        tablename="account",
        column_name="serviced_account_number",
        db_column_name="serviced_account_number",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
