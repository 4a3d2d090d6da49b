from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.settings_env import (
    POSTGRES_URL,
    drop_postgres_database,
    prepare_environment,
    recreate_postgres_database,
)

DATA_DIR, DATABASE_URL = prepare_environment()
if POSTGRES_URL:
    asyncio.run(recreate_postgres_database(DATABASE_URL))

from hub.db import engine  # noqa: E402 - Hub reads the environment prepared above
from hub.migrate import migrate  # noqa: E402
from tests.factories import World  # noqa: E402
from tests.web_client import Web  # noqa: E402

asyncio.run(migrate())


async def _empty_tables() -> None:
    from piccolo.apps.migrations.tables import Migration
    from piccolo.conf.apps import Finder

    tables = [t for t in Finder().get_table_classes() if t is not Migration]
    db = engine()
    if db.engine_type == "postgres":
        names = ", ".join(t._meta.get_formatted_tablename() for t in tables)
        await db.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    else:
        for table in sorted(tables, key=lambda t: -len(t._meta.foreign_key_columns)):
            await table.delete(force=True)


def pytest_sessionfinish() -> None:
    if POSTGRES_URL:
        asyncio.run(drop_postgres_database(DATABASE_URL))


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its smallest cost: the same code paths, a few milliseconds instead of a tenth
    of a second per hash. The hashes carry their parameters, so any server verifies them."""
    from argon2 import PasswordHasher

    from hub.accounts import passwords

    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", hasher.hash("not a real password"))


@pytest.fixture(autouse=True)
def empty_database() -> None:
    asyncio.run(_empty_tables())


@pytest.fixture
def web() -> Iterator[Web]:
    """A browser-like HTTP client: keeps cookies, sends the CSRF token, follows nothing."""
    from litestar.testing import TestClient

    from hub.app import create_app

    with TestClient(create_app(), base_url="http://hub.test") as client:
        yield Web(client)


@pytest.fixture
def world(web: Web) -> World:
    from tests.factories import make_world

    return web.run(make_world)
