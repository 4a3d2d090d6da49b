from pathlib import Path

from piccolo.conf.apps import AppConfig

from hub.patrols.tables import (
    CheckIn,
    CheckInPhoto,
    Checkpoint,
    Observation,
    PatrolRoute,
    Round,
    Schedule,
    Shift,
    ShiftSignup,
)

APP_CONFIG = AppConfig(
    app_name="patrols",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        PatrolRoute,
        Checkpoint,
        Schedule,
        Shift,
        ShiftSignup,
        Round,
        CheckIn,
        CheckInPhoto,
        Observation,
    ],
    migration_dependencies=["hub.community.piccolo_app", "hub.tasks.piccolo_app"],
    commands=[],
)
