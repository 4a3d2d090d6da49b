"""Running the committed Piccolo migrations of every app, from code."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards


class MigrationFailed(Exception):
    pass


async def migrate(*, quiet: bool = True) -> None:
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all")
    if not result.success:
        raise MigrationFailed(result.message or output.getvalue())
