from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="messages",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(["server.messages.tables"], exclude_imported=True),
    migration_dependencies=["server.accounts.piccolo_app", "server.placements.piccolo_app"],
)
