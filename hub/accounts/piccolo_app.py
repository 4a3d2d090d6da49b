from pathlib import Path

from piccolo.conf.apps import AppConfig

from hub.accounts.tables import AttemptLog, SessionRecord, User, UserSkill

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[User, UserSkill, SessionRecord, AttemptLog],
    migration_dependencies=[],
    commands=[],
)
