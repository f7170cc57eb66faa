from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="clients",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(["server.clients.tables"], exclude_imported=True),
    migration_dependencies=["server.placements.piccolo_app"],
)
