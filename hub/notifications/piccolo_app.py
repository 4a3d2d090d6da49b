from pathlib import Path

from piccolo.conf.apps import AppConfig

from hub.notifications.tables import (
    Notification,
    NotificationDelivery,
    NotificationPreference,
    PushOutage,
    PushSubscription,
    QuietHours,
)

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        PushSubscription,
        Notification,
        NotificationPreference,
        QuietHours,
        NotificationDelivery,
        PushOutage,
    ],
    migration_dependencies=["hub.accounts.piccolo_app"],
    commands=[],
)
