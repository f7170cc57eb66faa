from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="notices",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(["server.notices.tables"], exclude_imported=True),
    migration_dependencies=["server.auth.piccolo_app", "server.clients.piccolo_app"],
)
