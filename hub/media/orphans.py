"""Removing photo files that no record names: those of a form that was refused and never sent
again, an event's cover that was replaced, a file half written when the process stopped.

Each area names the columns that hold the stored names it keeps (`photo_columns` in its
area.py, installed by hub.areas.install()); the sweep, one of the media area's periodic sweeps,
removes every file under the photos dir whose photo no such column names, once it is older than
GRACE: a photo being uploaded, or waiting in a refused form for the person to send it again, is
never taken.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from piccolo.columns import Column

from hub.media.images import image_work, photos_dir, token_of

GRACE = timedelta(hours=6)  # a refused form keeps its photos this long for the next try
EVERY = timedelta(hours=1)  # the worker runs its sweeps every minute; this one needs less
log = logging.getLogger(__name__)
_columns: list[Column] = []


def install_photo_columns(columns: Iterable[Column]) -> None:
    """The columns whose values are stored photo names (or ""): their files are kept."""
    _columns[:] = list(columns)


async def _kept_tokens() -> set[str]:
    tokens: set[str] = set()
    for column in _columns:
        table = column._meta.table
        for row in await table.select(column).where(column != "").output(as_list=True):
            if row and (token := token_of(row)):
                tokens.add(token)
    return tokens


def _remove_unkept(kept: set[str], before: float) -> int:
    removed = 0
    for path in photos_dir().iterdir():
        token = token_of(path.name)
        if token is None or token in kept:
            continue
        try:
            if path.lstat().st_mtime < before:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # removed at the same time by another process
            continue
    return removed


async def remove_orphans(now: datetime) -> int:
    """Remove the files of photos that no column names and that are older than GRACE; returns
    how many files went."""
    if not _columns:  # no area has said what it keeps: everything would look orphaned
        return 0
    kept = await _kept_tokens()
    removed = await image_work(_remove_unkept, kept, (now - GRACE).timestamp())
    if removed:
        log.info("removed %s photo files that nothing names", removed)
    return removed


async def sweep_orphan_photos(now: datetime) -> None:
    await remove_orphans(now)
