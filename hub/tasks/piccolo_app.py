from pathlib import Path

from piccolo.conf.apps import AppConfig

from hub.tasks.tables import Task, TaskAssignee, TaskEntry, TaskFollower, TaskPhoto

APP_CONFIG = AppConfig(
    app_name="tasks",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Task, TaskAssignee, TaskFollower, TaskEntry, TaskPhoto],
    migration_dependencies=["hub.accounts.piccolo_app", "hub.community.piccolo_app"],
    commands=[],
)
