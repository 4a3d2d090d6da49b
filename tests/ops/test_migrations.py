"""Committed migrations match the tables, and bring an empty database on each engine to them."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder

from tests.settings_env import IN_CI, LOCAL_POSTGRES_URL, POSTGRES_URL, with_database

HUB = [sys.executable, "-m", "hub"]


def expected_columns() -> dict[str, set[str]]:
    return {
        table._meta.tablename: {column._meta.db_column_name for column in table._meta.columns}
        for table in Finder().get_table_classes()
    }


def test_no_migration_is_missing() -> None:
    for app_config in Finder().get_app_configs():
        statements = asyncio.run(AutoMigrationManager().get_alter_statements(app_config))
        pending = [s for group in statements for s in group.statements]
        assert pending == [], f"{app_config.app_name} needs a migration: {pending}"


def run_migrate(database_url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUB_DATABASE_URL": database_url, "HUB_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [*HUB, "migrate"], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_empty_sqlite_database_migrates_to_the_tables(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    for _ in range(2):  # the second run finds nothing to do
        result = run_migrate(f"sqlite:///{path}", tmp_path)
        assert result.returncode == 0, result.stderr
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        found = {
            table: {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
            for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    for table, columns in expected_columns().items():
        assert found.get(table) == columns, table


def postgres_server_url() -> str:
    url = POSTGRES_URL or LOCAL_POSTGRES_URL

    async def reachable() -> bool:
        try:
            connection = await asyncpg.connect(with_database(url, "postgres"), timeout=3)
        except (OSError, asyncpg.PostgresError):
            return False
        await connection.close()
        return True

    if not asyncio.run(reachable()):
        if IN_CI:
            pytest.fail(f"PostgreSQL is not reachable at {url}")
        pytest.skip(f"PostgreSQL is not reachable at {url}; set HUB_TEST_DATABASE_URL")
    return url


def test_empty_postgres_database_migrates_to_the_tables(tmp_path: Path) -> None:
    server = postgres_server_url()
    name = f"hub_migrate_{uuid.uuid4().hex[:10]}"
    url = with_database(server, name)

    async def create() -> None:
        connection = await asyncpg.connect(with_database(server, "postgres"))
        await connection.execute(f'CREATE DATABASE "{name}"')
        await connection.close()

    async def columns() -> dict[str, set[str]]:
        connection = await asyncpg.connect(url)
        rows = await connection.fetch(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public'"
        )
        await connection.close()
        found: dict[str, set[str]] = {}
        for row in rows:
            found.setdefault(row["table_name"], set()).add(row["column_name"])
        return found

    async def drop() -> None:
        connection = await asyncpg.connect(with_database(server, "postgres"))
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()

    asyncio.run(create())
    try:
        for _ in range(2):
            result = run_migrate(url, tmp_path)
            assert result.returncode == 0, result.stderr
        found = asyncio.run(columns())
        for table, expected in expected_columns().items():
            assert found.get(table) == expected, table
    finally:
        asyncio.run(drop())
