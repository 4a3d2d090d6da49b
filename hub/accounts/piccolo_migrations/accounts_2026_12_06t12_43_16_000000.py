"""Sessions stored before they named their user get its id, read from their data, so that
ending a person's sessions ends those too."""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-06T12:43:16:000000"
VERSION = "1.38.0"
DESCRIPTION = "the user of each session stored before"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run():
        db = engine_finder()
        rows = await db.run_ddl('SELECT id, data FROM hub_session WHERE "user" IS NULL')
        for row in rows:
            try:
                user_id = json.loads(bytes(row["data"])).get("user_id")
            except (ValueError, AttributeError):
                continue
            if isinstance(user_id, int):
                await db.run_querystring(
                    QueryString(
                        'UPDATE hub_session SET "user" = {} WHERE id = {} '
                        "AND EXISTS (SELECT 1 FROM hub_user WHERE id = {})",
                        user_id,
                        row["id"],
                        user_id,
                    )
                )

    manager.add_raw(run)
    return manager
