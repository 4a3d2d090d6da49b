"""Engine choice, write transactions and the PostgreSQL pool's lifespan.

SQLite is the embedded default: one file in WAL mode with a busy timeout, and every write
transaction IMMEDIATE so concurrent writers queue instead of failing with "database is locked".
PostgreSQL serves several processes on several hosts through a pool opened in the lifespan.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from hub.settings import Settings

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def create_engine(settings: Settings) -> Engine[Any]:
    if settings.database_kind == "sqlite":
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
        return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    return PostgresEngine(config={"dsn": settings.database_url})


def engine() -> Engine[Any]:
    db = engine_finder()
    assert db is not None, "piccolo_conf.DB is not set"
    return db


def write_transaction() -> AbstractAsyncContextManager[Any]:
    """A transaction for work that writes: IMMEDIATE on SQLite, plain on PostgreSQL."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()


@asynccontextmanager
async def database_lifespan(_: object = None) -> AsyncIterator[None]:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.start_connection_pool(min_size=1, max_size=10)
        try:
            yield
        finally:
            await db.close_connection_pool()
    else:
        yield


async def ping() -> bool:
    try:
        await engine().run_ddl("SELECT 1")
    except Exception:  # any failure to answer means "not healthy", whatever the driver raises
        return False
    return True
