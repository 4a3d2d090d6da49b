from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TYPE_CHECKING

import pytest
from argon2 import PasswordHasher

from tests.settings_env import (
    POSTGRES_URL,
    drop_postgres_database,
    prepare_environment,
    recreate_postgres_database,
)

DATA_DIR, DATABASE_URL = prepare_environment()
if POSTGRES_URL:
    asyncio.run(recreate_postgres_database(DATABASE_URL))

from hub.areas import install  # noqa: E402 - Hub reads the environment prepared above
from hub.migrate import migrate  # noqa: E402
from tests.database_reset import DatabaseRows, KeptRows, open_test_database  # noqa: E402
from tests.factories import World  # noqa: E402
from tests.stopped_clock import StoppedClock  # noqa: E402
from tests.web_client import Web, shared_app  # noqa: E402

if TYPE_CHECKING:
    from litestar import Litestar

install()  # what the areas declare, for the tests that run the worker without the web app


@cache
def suite_database() -> DatabaseRows:
    """This process's database, migrated when a test first needs it (pytest-xdist's controller
    runs no test, so it migrates none). In a thread of its own: a browser test may hold this
    thread's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, migrate()).result()
    return open_test_database(DATABASE_URL)


KEPT_WORLD = KeptRows(suite_database)


@pytest.hookimpl(trylast=True)  # after the session's fixtures (the live server) are gone
def pytest_sessionfinish() -> None:
    if POSTGRES_URL:
        asyncio.run(drop_postgres_database(DATABASE_URL))
    for _ in range(3):  # a photo still being written in a thread keeps its folder once
        shutil.rmtree(DATA_DIR, ignore_errors=True)
        if not DATA_DIR.exists():
            break
        time.sleep(0.5)


CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
CHEAP_DUMMY_HASH = CHEAP_HASHER.hash("not a real password")


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its smallest cost: the same code paths, a few milliseconds instead of a tenth
    of a second per hash. The hashes carry their parameters, so any server verifies them."""
    from hub.accounts import passwords

    monkeypatch.setattr(passwords, "_hasher", CHEAP_HASHER)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", CHEAP_DUMMY_HASH)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> StoppedClock:
    """Hub's time stopped at the wall time, moved by the test alone (clock.move, clock.set); in
    this process only, so not the live server of the browser tests."""
    from hub import clock as hub_clock

    stopped = StoppedClock(hub_clock.now())
    monkeypatch.setattr(hub_clock, "_source", stopped)
    return stopped


@pytest.fixture(autouse=True)
def empty_database() -> None:
    """Every test starts on an empty database (emptied only where a test left rows)."""
    suite_database().empty()


@pytest.fixture(scope="session")
def hub_app() -> Litestar:
    """The app, built once per process: building one takes a few tenths of a second."""
    return shared_app()


@pytest.fixture
def web(hub_app: Litestar) -> Iterator[Web]:
    """A browser-like HTTP client: keeps cookies, sends the CSRF token, follows nothing.

    Each test gets its own client, event loop and lifespan (so its own connection pool), and
    the app's in-memory rate limits start empty."""
    from litestar.testing import TestClient

    with TestClient(hub_app, base_url="http://hub.test") as client:
        web = Web(client)
        web.run(hub_app.stores.get("rate_limit").delete_all)
        yield web


@pytest.fixture
def world(web: Web) -> World:
    """tests/factories.py's world: made through Hub's actions once, then its rows copied back."""
    from tests.factories import make_world

    return KEPT_WORLD.get(lambda: web.run(make_world))
