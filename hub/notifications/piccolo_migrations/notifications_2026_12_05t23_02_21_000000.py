"""Composite unique indexes (SQLite cannot add the constraints): one row per user and key in the
outbox, so notify() with a key is idempotent, and one preference per user and kind. The claim
index serves the worker's poll."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-05T23:02:21:000000"
VERSION = "1.38.0"
DESCRIPTION = "one outbox row per user and key, one preference per user and kind"

STATEMENTS = [
    'CREATE UNIQUE INDEX IF NOT EXISTS hub_notification_user_key ON hub_notification ("user", key)',
    "CREATE UNIQUE INDEX IF NOT EXISTS hub_notification_preference_user_kind "
    'ON hub_notification_preference ("user", kind)',
    "CREATE INDEX IF NOT EXISTS hub_notification_state_next "
    "ON hub_notification (state, next_attempt_at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notifications", description=DESCRIPTION)

    async def run():
        db = engine_finder()
        for statement in STATEMENTS:
            await db.run_ddl(statement)

    manager.add_raw(run)
    return manager
