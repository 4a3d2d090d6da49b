"""`hub backup PATH` while Hub writes: the copy opens, is whole, and Hub runs on it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hub.settings import get_settings
from tests.settings_env import POSTGRES_URL

HUB = [sys.executable, "-m", "hub"]


def hub(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if data_dir is not None:
        env["HUB_DATA_DIR"] = str(data_dir)
        env.pop("HUB_DATABASE_URL", None)
    return subprocess.run(
        [*HUB, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


class Writer(threading.Thread):
    """Rows written one transaction at a time into the live database until stopped."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.stop = threading.Event()
        self.written = 0

    def run(self) -> None:
        with sqlite3.connect(self.path, timeout=30) as connection:
            while not self.stop.is_set():
                with connection:
                    connection.execute(
                        "INSERT INTO hub_audit_entry (action, detail, created_at) "
                        "VALUES ('load', ?, CURRENT_TIMESTAMP)",
                        (f"row {self.written}",),
                    )
                self.written += 1


@pytest.mark.skipif(bool(POSTGRES_URL), reason="pg_dump copies a PostgreSQL database")
def test_a_backup_taken_under_write_load_restores_and_reads(tmp_path: Path) -> None:
    from hub.media.images import store_image
    from tests.media.images import phone_jpeg

    settings = get_settings()
    photo = store_image(phone_jpeg(320, 240))
    writer = Writer(settings.sqlite_path)
    writer.start()
    try:
        while writer.written < 50:  # the load is on before the backup starts
            pass
        result = hub("backup", str(tmp_path / "copy"))
        during = writer.written
    finally:
        writer.stop.set()
        writer.join()
    assert result.returncode == 0, result.stderr
    assert "database" in result.stdout

    restored = tmp_path / "restored"
    (tmp_path / "copy").rename(restored)  # restoring: the copy becomes a data folder
    with sqlite3.connect(restored / "hub.sqlite3") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = copy.execute("SELECT count(*) FROM hub_audit_entry WHERE action = 'load'")
        copied = rows.fetchone()[0]
    assert 50 <= copied <= during
    assert (restored / "uploads" / "photos" / photo.file).is_file()
    key = "vapid_private_key"  # the tests give the secret key in the environment
    assert (restored / key).read_text() == (settings.data_dir / key).read_text()
    migrated = hub("migrate", data_dir=restored)  # Hub starts on the copy and reads it
    assert migrated.returncode == 0, migrated.stderr
    assert "up to date" in migrated.stdout


def test_a_backup_needs_a_new_or_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    result = hub("backup", str(tmp_path / "full"))
    assert result.returncode == 2
    assert result.stderr.startswith("hub: backup: ")


@pytest.mark.skipif(not POSTGRES_URL, reason="on SQLite the database is in the copy")
def test_on_postgresql_the_backup_copies_the_files_and_names_pg_dump(tmp_path: Path) -> None:
    result = hub("backup", str(tmp_path / "copy"))
    assert result.returncode == 0, result.stderr
    assert "pg_dump" in result.stdout
    assert (tmp_path / "copy" / "vapid_private_key").exists()
