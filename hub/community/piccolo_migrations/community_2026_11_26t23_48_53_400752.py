"""Unique pairs that Piccolo cannot add as constraints on SQLite, made as unique indexes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-26T23:48:53:400752"
VERSION = "1.38.0"
DESCRIPTION = "one membership per user and building, one admin row per user and community"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS hub_membership_user_building "
    'ON hub_membership ("user", building)',
    "CREATE UNIQUE INDEX IF NOT EXISTS hub_community_admin_user_community "
    'ON hub_community_admin ("user", community)',
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="community", description=DESCRIPTION)

    async def run():
        db = engine_finder()
        for statement in STATEMENTS:
            await db.run_ddl(statement)

    manager.add_raw(run)
    return manager
