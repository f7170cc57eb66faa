from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="dispatch",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(["server.dispatch.tables"], exclude_imported=True),
    migration_dependencies=["server.queues.piccolo_app"],
)
