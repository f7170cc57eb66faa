from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="disputes",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(["server.disputes.tables"], exclude_imported=True),
    migration_dependencies=[
        "server.accounts.piccolo_app",
        "server.auth.piccolo_app",
        "server.letters.piccolo_app",
    ],
)
