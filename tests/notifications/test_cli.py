"""`hub vapid` and the VAPID and worker settings."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from hub.cli import main
from hub.settings import SettingsError, get_settings, load_settings


def test_hub_vapid_prints_the_application_server_key(capsys: pytest.CaptureFixture[str]) -> None:
    main(["vapid"])
    key = capsys.readouterr().out.strip()
    assert key == get_settings().vapid_public_key
    point = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    assert "=" not in key
    assert len(point) == 65


def test_hub_vapid_as_a_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hub", "vapid"],
        env={"HUB_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == load_settings({"HUB_DATA_DIR": str(tmp_path)}).vapid_public_key


def test_keys_are_made_once_and_kept_private(tmp_path: Path) -> None:
    first = load_settings({"HUB_DATA_DIR": str(tmp_path)})
    key_file = tmp_path / "vapid_private_key"
    assert key_file.stat().st_mode & 0o077 == 0
    again = load_settings({"HUB_DATA_DIR": str(tmp_path)})
    assert (again.vapid_private_key, again.vapid_public_key) == (
        first.vapid_private_key,
        first.vapid_public_key,
    )
    assert first.vapid_contact == "mailto:hub@localhost"
    assert first.worker


def test_keys_and_contact_given_by_settings(tmp_path: Path) -> None:
    made = load_settings({"HUB_DATA_DIR": str(tmp_path / "a")})
    given = load_settings(
        {
            "HUB_DATA_DIR": str(tmp_path / "b"),
            "HUB_VAPID_PRIVATE_KEY": made.vapid_private_key,
            "HUB_VAPID_PUBLIC_KEY": made.vapid_public_key,
            "HUB_VAPID_CONTACT": "mailto:team@hub.example.org",
            "HUB_WORKER": "0",
        }
    )
    assert given.vapid_public_key == made.vapid_public_key
    assert given.vapid_contact == "mailto:team@hub.example.org"
    assert not given.worker
    assert not (tmp_path / "b" / "vapid_private_key").exists()
    https = load_settings(
        {"HUB_DATA_DIR": str(tmp_path / "a"), "HUB_PUBLIC_URL": "https://hub.example.org"}
    )
    assert https.vapid_contact == "https://hub.example.org"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"HUB_VAPID_PRIVATE_KEY": "not-a-key"}, "HUB_VAPID_PRIVATE_KEY"),
        ({"HUB_VAPID_PUBLIC_KEY": "BAAA"}, "HUB_VAPID_PUBLIC_KEY"),
        ({"HUB_VAPID_CONTACT": "admin@example.org"}, "HUB_VAPID_CONTACT"),
        ({"HUB_VAPID_CONTACT": "http://hub.example.org"}, "HUB_VAPID_CONTACT"),
        ({"HUB_WORKER": "maybe"}, "HUB_WORKER"),
    ],
)
def test_bad_vapid_settings_name_themselves(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"HUB_DATA_DIR": str(tmp_path), **env})
    assert str(raised.value).startswith(named)
