from pathlib import Path

from piccolo.conf.apps import AppConfig

from hub.community.tables import (
    AuditEntry,
    Building,
    Community,
    CommunityAdmin,
    Invitation,
    Membership,
    SetupToken,
)

APP_CONFIG = AppConfig(
    app_name="community",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Community,
        Building,
        Membership,
        CommunityAdmin,
        SetupToken,
        AuditEntry,
        Invitation,
    ],
    migration_dependencies=["hub.accounts.piccolo_app"],
    commands=[],
)
