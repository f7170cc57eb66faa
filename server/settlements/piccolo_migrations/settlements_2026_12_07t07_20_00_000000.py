from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Array, Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T07:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Why an offer left the collector's band, as judged when it was made"

# Null on every existing offer: the reasons were not kept when they were made, and the
# client's authority may have changed since, so none is reconstructed.


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="settlements", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Offer",
        tablename="offer",
        column_name="band_reasons",
        db_column_name="band_reasons",
        column_class_name="Array",
        column_class=Array,
        params={
            "default": None,
            "base_column": Text(
                default="",
                null=False,
                primary_key=False,
                unique=False,
                index=False,
                index_method=IndexMethod.btree,
                choices=None,
                db_column_name=None,
                secret=False,
            ),
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
