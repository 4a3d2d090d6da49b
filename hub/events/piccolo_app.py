from pathlib import Path

from piccolo.conf.apps import AppConfig

from hub.events.tables import Answer, CalendarToken, Event, Notice

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Event, Answer, Notice, CalendarToken],
    migration_dependencies=["hub.community.piccolo_app"],
    commands=[],
)
