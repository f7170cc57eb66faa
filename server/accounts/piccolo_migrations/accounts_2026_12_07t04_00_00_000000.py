from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSONB
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T04:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "The media (e-mail, text) a consumer refused, kept on the person"

# {"email": {"since": ..., "channel": ..., "received_at": ...}, "text": {...}, "telephone":
# {...}}: what the consumer asked the agency not to use (12 CFR 1006.14(h)); the telephone
# also sets `no_telephone`, as before. Every row starts empty: no refusal of e-mail or text
# was recorded before this column, so 0 rows change.


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Debtor",
        tablename="debtor",
        column_name="refused_media",
        db_column_name="refused_media",
        column_class_name="JSONB",
        column_class=JSONB,
        params={
            "default": "{}",
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

    return manager
