from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Text, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T22:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Client and account tables moved out; placement columns added in SQL recorded"

# Fake: recorded as applied, no DDL runs. The client, debtor, phone, account and status
# change tables moved to the clients and accounts apps (whose first migrations add them to
# their histories, also fake); nothing is dropped. The placement columns below were added
# by 2026-12-06T19:50:00 in SQL, which Piccolo's history never saw: recording them here
# lets the next auto migration start from the table as it is.


async def forwards() -> MigrationManager:
    manager = MigrationManager(
        migration_id=ID, app_name="placements", description=DESCRIPTION, fake=True
    )

    manager.drop_table(class_name="Client", tablename="client", schema=None)

    manager.drop_table(
        class_name="AccountStatusChange",
        tablename="account_status_change",
        schema=None,
    )

    manager.drop_table(class_name="DebtorPhone", tablename="debtor_phone", schema=None)

    manager.drop_table(class_name="Debtor", tablename="debtor", schema=None)

    manager.drop_table(class_name="Account", tablename="account", schema=None)

    manager.add_column(
        table_class_name="Placement",
        tablename="placement",
        column_name="balance_placed_cents",
        db_column_name="balance_placed_cents",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
            "null": False,
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

    manager.add_column(
        table_class_name="Placement",
        tablename="placement",
        column_name="held_reason",
        db_column_name="held_reason",
        column_class_name="Text",
        column_class=Text,
        params={
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

    manager.alter_column(
        table_class_name="Placement",
        tablename="placement",
        column_name="status",
        db_column_name="status",
        params={"length": 24},
        old_params={"length": 16},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
