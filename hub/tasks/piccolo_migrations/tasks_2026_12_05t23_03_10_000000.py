"""The client UUID of a report is unique, as an index: SQLite cannot add a UNIQUE column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-05T23:03:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "a report's client UUID is stored once"

STATEMENT = "CREATE UNIQUE INDEX IF NOT EXISTS hub_task_client_uuid ON hub_task (client_uuid)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(STATEMENT)

    manager.add_raw(run)
    return manager
