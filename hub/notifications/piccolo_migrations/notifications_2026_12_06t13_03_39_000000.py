"""One delivery row per notification and device (SQLite cannot add the composite constraint),
so a delivery recorded twice by two workers stays one row."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T13:03:39:000000"
VERSION = "1.38.0"
DESCRIPTION = "one delivery per notification and device"

STATEMENT = (
    "CREATE UNIQUE INDEX IF NOT EXISTS hub_notification_delivery_pair "
    "ON hub_notification_delivery (notification, subscription)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notifications", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(STATEMENT)

    manager.add_raw(run)
    return manager
