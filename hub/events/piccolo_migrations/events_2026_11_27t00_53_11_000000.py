"""One answer per user and event, as a unique index (SQLite cannot add the constraint)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-27T00:53:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "one answer per user and event"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS hub_event_answer_event_user "
    'ON hub_event_answer (event, "user")',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def run():
        db = engine_finder()
        for statement in STATEMENTS:
            await db.run_ddl(statement)

    manager.add_raw(run)
    return manager
