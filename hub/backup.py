"""`hub backup PATH`: a copy of everything Hub keeps, taken while it runs.

The SQLite database is copied through SQLite's online backup API, which gives a consistent
snapshot even while requests write to it. The uploads are copied after it, so every photo the
copied database names is in the copy (photos are written before the rows that name them, and
never changed after). The keys go along: without them the copy's sessions, CSRF tokens and push
subscriptions would not work. PostgreSQL has its own tool (pg_dump); see the README.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from hub.settings import PRIVATE_DIR, Settings

KEY_FILES = ("secret_key", "vapid_private_key")


class BackupError(Exception):
    """The backup could not be made; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class BackupMade:
    path: Path
    database: bool
    files: int


def _copy_database(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        # In one step: a read of one snapshot, which in WAL mode holds up no writer (a copy in
        # several steps would start again after each write made meanwhile).
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file


def make_backup(settings: Settings, path: Path) -> BackupMade:
    if path.exists() and any(path.iterdir()):
        raise BackupError(f"{path} is not empty: give a new or empty folder")
    try:
        path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"cannot make {path} ({error.strerror})") from error
    database = settings.database_kind == "sqlite"
    if database:
        _copy_database(settings.sqlite_path, path / settings.sqlite_path.name)
    files = 0
    if settings.uploads_dir.exists():
        shutil.copytree(settings.uploads_dir, path / "uploads", ignore=_temporary_files)
        files = sum(1 for item in (path / "uploads").rglob("*") if item.is_file())
    for name in KEY_FILES:
        if (settings.data_dir / name).exists():
            shutil.copy2(settings.data_dir / name, path / name)
    return BackupMade(path=path, database=database, files=files)


def _temporary_files(_folder: str, names: list[str]) -> list[str]:
    """Files being written (".name.1a2b3c4d.tmp") are not photos yet."""
    return [name for name in names if name.startswith(".") and name.endswith(".tmp")]
