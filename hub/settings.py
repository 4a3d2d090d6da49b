"""Typed settings read from the environment and validated once at start-up."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import re
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

# Whatever Hub writes is for its own user alone (os.umask(PRIVATE_UMASK) at start).
PRIVATE_UMASK = 0o077
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
VAPID_CONTACT = re.compile(r"^(mailto:[^@\s]+@(localhost|[\w-]+(\.[\w-]+)+)|https://[\w.-]+)$")


class SettingsError(Exception):
    """A setting is wrong; the message names it in one line."""


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    public_url: str | None
    vapid_private_key: str
    vapid_public_key: str
    vapid_contact: str
    worker: bool
    shift_reminder_minutes: int
    push_allowed_hosts: frozenset[str]
    trusted_proxies: tuple[str, ...] = ()

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
    """The data directory, made or kept readable by Hub's own user only: it holds the sessions,
    the password hashes, the keys and the uploads."""
    raw = env.get("HUB_DATA_DIR") or "./var"
    path = Path(raw).expanduser().resolve()
    try:
        path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        status = path.stat()
        if status.st_mode & 0o777 != PRIVATE_DIR and status.st_uid == os.getuid():
            path.chmod(PRIVATE_DIR)
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


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _vapid_keys(env: dict[str, str], data_dir: Path) -> tuple[str, str]:
    """The VAPID key pair as URL-safe base64: the raw 32-byte private value and the 65-byte
    uncompressed public point (the browser's applicationServerKey)."""
    raw = env.get("HUB_VAPID_PRIVATE_KEY")
    if raw is None:
        key_file = data_dir / "vapid_private_key"
        if not key_file.exists():
            value = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
            key_file.write_text(_b64url(value.to_bytes(32, "big")))
            key_file.chmod(0o600)
        raw = key_file.read_text().strip()
        name = str(key_file)
    else:
        name = "HUB_VAPID_PRIVATE_KEY"
    try:
        secret = _unb64url(raw.strip())
        if len(secret) != 32:
            raise ValueError
        private = ec.derive_private_key(int.from_bytes(secret, "big"), ec.SECP256R1())
    except (ValueError, binascii.Error) as exc:
        raise SettingsError(
            f"{name}: give the raw P-256 private key in URL-safe base64 (43 characters)"
        ) from exc
    public = _b64url(
        private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    given = env.get("HUB_VAPID_PUBLIC_KEY")
    if given and given.strip().rstrip("=") != public:
        raise SettingsError("HUB_VAPID_PUBLIC_KEY: does not match HUB_VAPID_PRIVATE_KEY")
    return raw.strip(), public


def _vapid_contact(env: dict[str, str], public_url: str | None) -> str:
    """Push services want a way to reach whoever runs the server: a mailto: or https: URL."""
    fallback = public_url if public_url and public_url.startswith("https://") else None
    raw = env.get("HUB_VAPID_CONTACT") or fallback or "mailto:hub@localhost"
    if not VAPID_CONTACT.match(raw):
        raise SettingsError("HUB_VAPID_CONTACT: write it as mailto:you@example.org or https://host")
    return raw


def _worker(env: dict[str, str]) -> bool:
    raw = env.get("HUB_WORKER", "1").strip().lower()
    if raw not in {"0", "1", "true", "false", "yes", "no", "on", "off"}:
        raise SettingsError("HUB_WORKER: write 1 to run the notification worker in hub run, 0 not")
    return raw in {"1", "true", "yes", "on"}


def _shift_reminder_minutes(env: dict[str, str]) -> int:
    raw = env.get("HUB_SHIFT_REMINDER_MINUTES", "60").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 24 * 60:
        raise SettingsError("HUB_SHIFT_REMINDER_MINUTES: give a number of minutes from 1 to 1440")
    return int(raw)


def _push_allowed_hosts(env: dict[str, str]) -> frozenset[str]:
    """Hosts that may receive push messages although they are not public https hosts (a push
    service inside the network, the tests' own): names or addresses, comma-separated."""
    hosts = frozenset(
        part.strip().lower().strip("[]")
        for part in env.get("HUB_PUSH_ALLOWED_HOSTS", "").split(",")
        if part.strip()
    )
    if any(not re.fullmatch(r"[\w.:-]+", host) for host in hosts):
        raise SettingsError(
            "HUB_PUSH_ALLOWED_HOSTS: give host names or addresses separated by commas, no ports"
        )
    return hosts


def _trusted_proxies(env: dict[str, str]) -> tuple[str, ...]:
    """The addresses (or networks) of the proxies whose X-Forwarded-For and X-Forwarded-Proto
    are believed; none by default, so no client can pick its own address."""
    raw = env.get("HUB_TRUSTED_PROXIES", "")
    proxies = tuple(part.strip() for part in raw.split(",") if part.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError as exc:
            raise SettingsError(
                f"HUB_TRUSTED_PROXIES: {proxy!r} is not an IP address or network "
                "(write them as 10.0.0.2,192.168.1.0/24)"
            ) from exc
    return proxies


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    data_dir = _data_dir(env)
    public_url = _public_url(env)
    vapid_private_key, vapid_public_key = _vapid_keys(env, data_dir)
    return Settings(
        data_dir=data_dir,
        database_url=_database_url(env, data_dir),
        secret_key=_secret_key(env, data_dir),
        public_url=public_url,
        vapid_private_key=vapid_private_key,
        vapid_public_key=vapid_public_key,
        vapid_contact=_vapid_contact(env, public_url),
        worker=_worker(env),
        shift_reminder_minutes=_shift_reminder_minutes(env),
        push_allowed_hosts=_push_allowed_hosts(env),
        trusted_proxies=_trusted_proxies(env),
    )


@cache
def get_settings() -> Settings:
    return load_settings()
