"""A unique pair that Piccolo cannot add as a constraint on SQLite, made as a unique index."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-26T23:48:59:322489"
VERSION = "1.38.0"
DESCRIPTION = "each skill once per user"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS hub_user_skill_user_skill "
            'ON hub_user_skill ("user", skill)'
        )

    manager.add_raw(run)
    return manager
