"""Unique pairs that Piccolo cannot add as constraints on SQLite, made as unique indexes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-27T00:29:48:697971"
VERSION = "1.38.0"
DESCRIPTION = "one sign-up per volunteer and shift, one shift per schedule and start"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS hub_shift_signup_shift_user "
    'ON hub_shift_signup (shift, "user")',
    "CREATE UNIQUE INDEX IF NOT EXISTS hub_shift_schedule_starts_at "
    "ON hub_shift (schedule, starts_at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="patrols", description=DESCRIPTION)

    async def run():
        db = engine_finder()
        for statement in STATEMENTS:
            await db.run_ddl(statement)

    manager.add_raw(run)
    return manager
