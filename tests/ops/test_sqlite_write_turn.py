"""Writers of several processes take turns on one SQLite file through a file lock, not through
SQLite's busy handler (which sleeps with back-off: under load a few writes waited seconds).

Two engines, or two locks, on one file stand for two processes: each opens the lock file itself,
and `flock` excludes between open files even within one process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from piccolo.engine.sqlite import TransactionType

from hub.db.errors import DatabaseUnavailable
from hub.db.file_lock import FileWriteLock
from hub.db.sqlite import PooledSQLiteEngine


def test_a_waiting_writer_gets_the_turn_when_the_other_lets_go(tmp_path: Path) -> None:
    async def scenario() -> tuple[bool, bool]:
        first, second = FileWriteLock(tmp_path / "lock"), FileWriteLock(tmp_path / "lock")
        await first.acquire()
        waiting = asyncio.create_task(second.acquire())
        await asyncio.sleep(0.1)
        waited = not waiting.done()
        first.release()
        await asyncio.wait_for(waiting, 5)
        second.release()
        first.close()
        second.close()
        return waited, waiting.done()

    waited, taken = asyncio.run(scenario())
    assert waited, "the second writer wrote while the first held the turn"
    assert taken


def test_a_wait_given_up_lets_the_turn_go_once_it_comes(tmp_path: Path) -> None:
    async def scenario() -> None:
        first, second = FileWriteLock(tmp_path / "lock"), FileWriteLock(tmp_path / "lock")
        await first.acquire()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await second.acquire()
        first.release()  # the given-up wait now takes the lock in its thread, and lets it go
        await asyncio.wait_for(first.acquire(), 5)
        first.release()
        first.close()
        second.close()

    asyncio.run(scenario())


def test_a_forked_child_opens_its_own_lock_file(tmp_path: Path) -> None:
    """A lock inherited through a fork would be the parent's: the child must wait for it."""
    lock = FileWriteLock(tmp_path / "lock")
    asyncio.run(lock.acquire())
    pid = os.fork()
    if pid == 0:  # the child: it must not get the turn while the parent holds it
        try:
            with pytest.raises(TimeoutError):
                asyncio.run(asyncio.wait_for(lock.acquire(), 0.2))
        except BaseException:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    lock.release()
    lock.close()
    assert os.waitstatus_to_exitcode(status) == 0, "the child wrote while the parent held the turn"


def test_two_processes_writers_wait_for_each_other_without_the_busy_timeout(
    tmp_path: Path,
) -> None:
    """With a busy timeout of 10 ms, a writer that met the other process's transaction at
    SQLite's lock would fail with "database is locked"; it waits for its turn instead."""
    path = tmp_path / "hub.sqlite3"
    setup = PooledSQLiteEngine(str(path))
    asyncio.run(setup.run_ddl("CREATE TABLE visit (id INTEGER PRIMARY KEY, who TEXT)"))
    setup.close()
    held_for = 0.3
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLD_A_WRITE, str(path), str(held_for)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "holding"

    async def write() -> list[dict[str, object]]:
        engine = PooledSQLiteEngine(str(path), busy_timeout=0.01, write_turn_timeout=10)
        try:
            async with engine.transaction(transaction_type=TransactionType.immediate):
                await engine.run_ddl("INSERT INTO visit (who) VALUES ('parent')")
            return await engine.run_ddl("SELECT who FROM visit ORDER BY id")
        finally:
            engine.close()

    rows = asyncio.run(write())
    assert child.wait(10) == 0
    assert [row["who"] for row in rows] == ["child", "parent"]


def test_a_turn_that_never_comes_is_a_clear_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite3"
    holder = FileWriteLock(Path(f"{path}.write-lock"))
    asyncio.run(holder.acquire())

    async def write() -> None:
        engine = PooledSQLiteEngine(str(path), busy_timeout=0.1)
        try:
            await engine.run_ddl("CREATE TABLE visit (id INTEGER PRIMARY KEY)")
        finally:
            engine.close()

    with pytest.raises(DatabaseUnavailable):
        asyncio.run(write())
    holder.release()
    holder.close()


_HOLD_A_WRITE = """
import asyncio, sys
from piccolo.engine.sqlite import TransactionType
from hub.db.sqlite import PooledSQLiteEngine

async def hold(path, seconds):
    engine = PooledSQLiteEngine(path)
    async with engine.transaction(transaction_type=TransactionType.immediate):
        await engine.run_ddl("INSERT INTO visit (who) VALUES ('child')")
        print("holding", flush=True)
        await asyncio.sleep(seconds)
    engine.close()

asyncio.run(hold(sys.argv[1], float(sys.argv[2])))
"""
