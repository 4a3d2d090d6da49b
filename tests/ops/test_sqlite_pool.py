"""The SQLite connection pool and write queue under cancellation, on their own event loop: a
borrower cancelled at the moment a connection reaches it must give the connection back and stay
cancelled (asyncio.wait_for in Python 3.11 swallowed such a cancellation and kept the
connection)."""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from hub.db.sqlite import ConnectionPool


def open_memory() -> sqlite3.Connection:
    return sqlite3.connect(":memory:", check_same_thread=False)


def test_a_borrower_cancelled_as_a_connection_reaches_it_gives_it_back() -> None:
    async def scenario() -> tuple[bool, int]:
        with ThreadPoolExecutor(1) as executor:
            pool = ConnectionPool(open_memory, 1, 5.0, executor)
            first = await pool.acquire()
            waiting = asyncio.create_task(pool.acquire())
            await asyncio.sleep(0)  # the second borrower waits for the only connection
            await pool.release(first)  # handed over on the loop's next turn
            await asyncio.sleep(0)  # handed over: the borrower has not run yet
            waiting.cancel()
            try:
                await waiting
            except asyncio.CancelledError:
                cancelled = True
            else:
                cancelled = False
            idle = pool.idle_connections
            pool.close()
            return cancelled, idle

    cancelled, idle = asyncio.run(scenario())
    assert cancelled, "the cancellation was swallowed"
    assert idle == 1, "the connection went astray"


def test_a_borrower_that_waits_too_long_is_refused_and_the_pool_still_serves() -> None:
    from hub.db.errors import DatabaseUnavailable

    async def scenario() -> int:
        with ThreadPoolExecutor(1) as executor:
            pool = ConnectionPool(open_memory, 1, 0.05, executor)
            first = await pool.acquire()
            with pytest.raises(DatabaseUnavailable):
                await pool.acquire()
            await pool.release(first)
            again = await pool.acquire()
            await pool.release(again)
            idle = pool.idle_connections
            pool.close()
            return idle

    assert asyncio.run(scenario()) == 1
