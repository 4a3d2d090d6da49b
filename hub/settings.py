"""Typed settings read from the environment and validated once at start-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit


class SettingsError(Exception):
    """A setting is wrong; the message names it in one line."""


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    public_url: str | None

    @property
    def database_kind(self) -> str:
        return "sqlite" if self.database_url.startswith("sqlite:") else "postgresql"

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"


def _data_dir(env: dict[str, str]) -> Path:
    raw = env.get("HUB_DATA_DIR") or "./var"
    path = Path(raw).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise SettingsError(f"HUB_DATA_DIR: cannot write to {path} ({exc.strerror})") from exc
    return path


def _database_url(env: dict[str, str], data_dir: Path) -> str:
    raw = env.get("HUB_DATABASE_URL")
    if not raw:
        return f"sqlite:///{data_dir / 'hub.sqlite3'}"
    parts = urlsplit(raw)
    if parts.scheme == "sqlite":
        if not raw.startswith("sqlite:///") or raw == "sqlite:///":
            raise SettingsError("HUB_DATABASE_URL: write a SQLite URL as sqlite:///path/to/file")
        return raw
    if parts.scheme in {"postgresql", "postgres"}:
        if not parts.hostname and "host=" not in parts.query:
            raise SettingsError("HUB_DATABASE_URL: a PostgreSQL URL needs a host")
        return "postgresql" + raw[len(parts.scheme) :]
    raise SettingsError(
        f"HUB_DATABASE_URL: unsupported scheme {parts.scheme!r} (use sqlite:/// or postgresql://)"
    )


def _secret_key(env: dict[str, str], data_dir: Path) -> str:
    raw = env.get("HUB_SECRET_KEY")
    if raw is not None:
        if len(raw) < 32:
            raise SettingsError("HUB_SECRET_KEY: use at least 32 characters")
        return raw
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _public_url(env: dict[str, str]) -> str | None:
    raw = env.get("HUB_PUBLIC_URL")
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise SettingsError("HUB_PUBLIC_URL: write it as https://host[:port]")
    return raw.rstrip("/")


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    data_dir = _data_dir(env)
    return Settings(
        data_dir=data_dir,
        database_url=_database_url(env, data_dir),
        secret_key=_secret_key(env, data_dir),
        public_url=_public_url(env),
    )


@cache
def get_settings() -> Settings:
    return load_settings()
