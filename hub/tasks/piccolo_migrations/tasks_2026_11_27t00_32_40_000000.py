"""Unique pairs that Piccolo cannot add as constraints on SQLite, made as unique indexes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-27T00:32:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "one assignment and one follow per person and task; the board's order"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS hub_task_assignee_task_user "
    'ON hub_task_assignee (task, "user")',
    "CREATE UNIQUE INDEX IF NOT EXISTS hub_task_follower_task_user "
    'ON hub_task_follower (task, "user")',
    "CREATE INDEX IF NOT EXISTS hub_task_building_status ON hub_task (building, status)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tasks", description=DESCRIPTION)

    async def run():
        db = engine_finder()
        for statement in STATEMENTS:
            await db.run_ddl(statement)

    manager.add_raw(run)
    return manager
