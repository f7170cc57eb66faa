from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="auth",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(["server.auth.tables"], exclude_imported=True),
    # Users and tokens refer to clients.
    migration_dependencies=["server.placements.piccolo_app"],
)
