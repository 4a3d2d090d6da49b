from __future__ import annotations

from pathlib import Path

import pytest

from hub.settings import SettingsError, load_settings


def test_defaults_live_under_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings({"HUB_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    assert settings.database_kind == "sqlite"
    key_file = tmp_path / "secret_key"
    assert settings.secret_key == key_file.read_text()
    assert key_file.stat().st_mode & 0o077 == 0
    assert load_settings({"HUB_DATA_DIR": str(tmp_path)}).secret_key == settings.secret_key


def test_postgres_url_is_accepted(tmp_path: Path) -> None:
    settings = load_settings(
        {"HUB_DATA_DIR": str(tmp_path), "HUB_DATABASE_URL": "postgres://u@db.example:5432/hub"}
    )
    assert settings.database_kind == "postgresql"
    assert settings.database_url == "postgresql://u@db.example:5432/hub"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"HUB_DATABASE_URL": "mysql://x/y"}, "HUB_DATABASE_URL"),
        ({"HUB_DATABASE_URL": "sqlite://relative"}, "HUB_DATABASE_URL"),
        ({"HUB_DATABASE_URL": "postgresql:///nohost"}, "HUB_DATABASE_URL"),
        ({"HUB_SECRET_KEY": "short"}, "HUB_SECRET_KEY"),
        ({"HUB_PUBLIC_URL": "hub.example"}, "HUB_PUBLIC_URL"),
    ],
)
def test_bad_settings_name_themselves(tmp_path: Path, env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"HUB_DATA_DIR": str(tmp_path), **env})
    message = str(raised.value)
    assert message.startswith(named)
    assert "\n" not in message


def test_unwritable_data_dir_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(SettingsError, match=r"^HUB_DATA_DIR"):
        load_settings({"HUB_DATA_DIR": str(blocker / "sub")})
