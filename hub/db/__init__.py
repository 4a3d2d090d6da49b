"""Engine choice, write transactions and the connections' lifespan.

SQLite is the embedded default: one file in WAL mode with a busy timeout, a few open
connections per process (hub/db/sqlite.py), and every write transaction IMMEDIATE so concurrent
writers queue instead of failing with "database is locked". PostgreSQL serves several processes
on several hosts through a pool opened in the lifespan (hub/db/postgres.py). Either way a
request that cannot get the database in time fails with `DatabaseUnavailable`, never hangs.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import TransactionType

from hub.db.errors import DatabaseUnavailable
from hub.db.postgres import BoundedPostgresEngine
from hub.db.sqlite import PooledSQLiteEngine
from hub.settings import PRIVATE_DIR, PRIVATE_FILE, Settings

__all__ = ["DatabaseUnavailable", "create_engine", "engine", "ping", "write_transaction"]

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def create_engine(settings: Settings) -> Engine[Any]:
    if settings.database_kind == "sqlite":
        path = settings.sqlite_path
        path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        # SQLite gives its -wal and -shm files the database file's own permissions.
        path.touch(mode=PRIVATE_FILE)
        if path.stat().st_uid == os.getuid():
            path.chmod(PRIVATE_FILE)
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
        return PooledSQLiteEngine(path=str(path), busy_timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    return BoundedPostgresEngine(settings.database_url)


def engine() -> Engine[Any]:
    db = engine_finder()
    assert db is not None, "piccolo_conf.DB is not set"
    return db


def write_transaction() -> AbstractAsyncContextManager[Any]:
    """A transaction for work that writes: IMMEDIATE on SQLite, plain on PostgreSQL."""
    db = engine()
    if isinstance(db, PooledSQLiteEngine):
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()


@asynccontextmanager
async def database_lifespan(_: object = None) -> AsyncIterator[None]:
    db = engine()
    if isinstance(db, BoundedPostgresEngine):
        await db.start_connection_pool()
        try:
            yield
        finally:
            await db.close_connection_pool()
    else:
        try:
            yield
        finally:
            if isinstance(db, PooledSQLiteEngine):
                db.close()


async def ping() -> bool:
    try:
        await engine().run_ddl("SELECT 1")
    except Exception:  # any failure to answer means "not healthy", whatever the driver raises
        return False
    return True
