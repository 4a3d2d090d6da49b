"""The environment for a test process, set before Hub is imported.

Each pytest-xdist worker gets its own data directory and database: a SQLite file by default, or,
with HUB_TEST_DATABASE_URL=postgresql://..., a fresh database named after that one and the worker.

The data directory is in memory (/dev/shm) where there is one: the tests commit thousands of
small transactions, and each commit's fsync costs milliseconds on a disk and nothing there. The
PostgreSQL test databases skip the wait for the WAL flush at commit for the same reason. Neither
changes what any connection sees; only a crash of the machine or the server could lose data.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get("HUB_TEST_DATABASE_URL", "")
LOCAL_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
IN_MEMORY = Path("/dev/shm")  # noqa: S108 - mkdtemp makes a private directory in it


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def recreate_postgres_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    connection = await asyncpg.connect(with_database(url, "postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
        await connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    finally:
        await connection.close()


def prepare_environment() -> tuple[Path, str]:
    in_memory = IN_MEMORY.is_dir() and os.access(IN_MEMORY, os.W_OK)
    scratch = str(IN_MEMORY) if in_memory else None
    data_dir = Path(tempfile.mkdtemp(prefix=f"hub-test-{WORKER}-", dir=scratch))
    if POSTGRES_URL:
        base = urlsplit(POSTGRES_URL).path.lstrip("/") or "hub_test"
        database_url = with_database(POSTGRES_URL, f"{base}_{WORKER}")
    else:
        database_url = f"sqlite:///{data_dir / 'hub.sqlite3'}"
    os.environ.update(
        HUB_DATA_DIR=str(data_dir),
        HUB_DATABASE_URL=database_url,
        HUB_SECRET_KEY="test-secret-key-that-is-long-enough-0123456789",
        HUB_WORKER="0",  # tests call the notification worker directly
        HUB_PUSH_ALLOWED_HOSTS="127.0.0.1",  # the tests' push service (tests/notifications)
    )
    os.environ.pop("HUB_PUBLIC_URL", None)
    return data_dir, database_url


async def drop_postgres_database(url: str) -> None:
    parts = urlsplit(url)
    connection = await asyncpg.connect(with_database(url, "postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
    finally:
        await connection.close()
