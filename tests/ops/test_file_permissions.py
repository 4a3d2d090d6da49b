"""What Hub keeps on disk (sessions, password hashes, keys, photos) is readable by its own user
alone, whatever the umask of whoever started it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.ops.test_cli import fresh_env  # noqa: F401 - the fixture

LOOSE_UMASK = 0o022


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def migrate(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hub", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        umask=LOOSE_UMASK,
    )
    assert result.returncode == 0, result.stderr


def test_a_new_data_dir_is_private(fresh_env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    data_dir = tmp_path / "var"
    migrate({**fresh_env, "HUB_DATA_DIR": str(data_dir)})
    assert mode(data_dir) == 0o700
    files = ["hub.sqlite3", "secret_key", "vapid_private_key"]
    files += [p.name for p in data_dir.glob("hub.sqlite3-*")]
    for name in files:
        assert mode(data_dir / name) == 0o600, name


def test_an_existing_data_dir_and_database_are_made_private(
    fresh_env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    database = data_dir / "hub.sqlite3"
    database.touch()
    database.chmod(0o644)
    migrate({**fresh_env, "HUB_DATA_DIR": str(data_dir)})
    assert mode(data_dir) == 0o700
    assert mode(database) == 0o600


def test_stored_photos_are_private() -> None:
    from hub.media.images import store_image, stored_path
    from tests.media.images import phone_jpeg

    previous = os.umask(LOOSE_UMASK)
    try:
        stored = store_image(phone_jpeg(320, 240))
    finally:
        os.umask(previous)
    for name in (stored.file, stored.thumb):
        path = stored_path(name)
        assert path is not None
        assert mode(path) == 0o600, name
