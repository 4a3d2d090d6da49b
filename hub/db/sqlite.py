"""SQLite through a few open connections instead of one new connection (and thread) per query.

Piccolo's SQLite engine opens a connection in a new thread for every query outside a
transaction (about 2.3 ms for a trivial query against 0.013 ms on an open one) and runs
`PRAGMA foreign_keys` before every statement inside one. This engine keeps up to `pool_size`
connections open, runs each statement with one hop to a worker thread, and queues the process's
own writers on a lock before they reach SQLite's file lock, so they take turns in order instead
of sleeping in SQLite's busy handler; across processes they take turns on a file lock
(`hub/db/file_lock.py`). Other programs writing to the file still meet at the busy timeout.

Connections and their threads belong to no event loop: any loop may borrow one (the tests run
many loops in turn), and waiting is done with futures of the borrower's loop.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import weakref
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from hub.db.errors import DatabaseUnavailable
from hub.db.file_lock import FileWriteLock

READ_PREFIXES = ("SELECT", "WITH", "PRAGMA", "EXPLAIN")


def _is_read(sql: str) -> bool:
    return sql.lstrip().upper().startswith(READ_PREFIXES)


class Connection:
    """An open sqlite3 connection whose statements run on the pool's threads."""

    def __init__(self, raw: sqlite3.Connection, executor: ThreadPoolExecutor) -> None:
        self.raw = raw
        self._executor = executor

    async def execute(self, sql: str, args: Any = ()) -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, _fetch_all, self.raw, sql, args)


def _fetch_all(raw: sqlite3.Connection, sql: str, args: Any) -> list[dict[str, Any]]:
    cursor = raw.execute(sql, args)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _settle(raw: sqlite3.Connection) -> bool:
    """Roll back what a failed statement left open; whether the connection can serve again."""
    try:
        raw.execute("ROLLBACK")
    except sqlite3.Error:
        return False
    return not raw.in_transaction


class ConnectionPool:
    def __init__(
        self, connect: Any, size: int, acquire_timeout: float, executor: ThreadPoolExecutor
    ) -> None:
        self._connect = connect
        self._size = size
        self._acquire_timeout = acquire_timeout
        self._executor = executor
        self._idle: list[Connection] = []
        self._open = 0
        self._waiters: deque[asyncio.Future[Connection]] = deque()
        self._lock = threading.Lock()  # the pool may be shared by loops in several threads

    @property
    def size(self) -> int:
        return self._size

    @property
    def open_connections(self) -> int:
        return self._open

    @property
    def idle_connections(self) -> int:
        return len(self._idle)

    async def acquire(self) -> Connection:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._idle:
                return self._idle.pop()
            opening = self._open < self._size
            if opening:
                self._open += 1
            else:
                waiter: asyncio.Future[Connection] = loop.create_future()
                self._waiters.append(waiter)
        if opening:
            try:
                raw = await loop.run_in_executor(self._executor, self._connect)
            except BaseException:
                with self._lock:
                    self._open -= 1
                raise
            return Connection(raw, self._executor)
        try:
            async with asyncio.timeout(self._acquire_timeout):
                return await waiter
        except TimeoutError as exc:
            raise DatabaseUnavailable("no SQLite connection came free in time") from exc
        except BaseException:
            # Cancelled just as a connection reached us: it goes back rather than astray.
            if waiter.done() and not waiter.cancelled():
                self._give_back(waiter.result())
            raise

    async def release(self, connection: Connection) -> None:
        reusable = True
        if connection.raw.in_transaction:  # only after a failure: roll back on a worker thread
            loop = asyncio.get_running_loop()
            reusable = await loop.run_in_executor(self._executor, _settle, connection.raw)
        if reusable:
            self._give_back(connection)
        else:
            self._discard(connection)

    def _give_back(self, connection: Connection) -> None:
        with self._lock:
            while self._waiters:
                waiter = self._waiters.popleft()
                if not waiter.done():
                    waiter.get_loop().call_soon_threadsafe(self._hand_over, waiter, connection)
                    return
            self._idle.append(connection)

    def _hand_over(self, waiter: asyncio.Future[Connection], connection: Connection) -> None:
        if waiter.done():  # the borrower gave up while the connection was on its way
            self._give_back(connection)
        else:
            waiter.set_result(connection)

    def _discard(self, connection: Connection) -> None:
        connection.raw.close()
        with self._lock:
            self._open -= 1

    def close(self) -> None:
        """Close the idle connections (at shutdown); the pool opens new ones if asked again."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._open -= len(idle)
        for connection in idle:
            connection.raw.close()


class WriteTurn:
    """This process's turn to write (a lock per event loop), then the file's (across processes)."""

    def __init__(self, in_process: asyncio.Lock, across: FileWriteLock) -> None:
        self._in_process = in_process
        self._across = across

    def release(self) -> None:
        try:
            self._across.release()
        finally:
            self._in_process.release()


class PooledSQLiteTransaction(SQLiteTransaction):
    """Piccolo's transaction on a borrowed connection; IMMEDIATE ones hold the write queue."""

    engine: PooledSQLiteEngine

    async def __aenter__(self) -> PooledSQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self._write_lock: WriteTurn | None = None
        if self.transaction_type is not TransactionType.deferred:
            self._write_lock = await self.engine.enter_write_queue()
        try:
            self.connection = await self.engine.pool.acquire()
            try:
                await self.begin()
            except BaseException:
                await self.engine.pool.release(self.connection)
                raise
        except BaseException:
            if self._write_lock is not None:
                self._write_lock.release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            try:
                await self.engine.pool.release(self.connection)
            finally:
                if self._write_lock is not None:
                    self._write_lock.release()
                self.engine.current_transaction.reset(self.context)
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    def __init__(
        self,
        path: str,
        *,
        # Four: each connection keeps its own page cache and thread; with eight, a worker
        # held about 10 MB more after load and served no faster on two cores.
        pool_size: int = 4,
        acquire_timeout: float = 10.0,
        busy_timeout: float = 30.0,
        write_turn_timeout: float | None = None,
    ) -> None:
        super().__init__(path=path, timeout=busy_timeout)
        executor = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="sqlite")
        self.pool = ConnectionPool(self._open_connection, pool_size, acquire_timeout, executor)
        self._write_queue_timeout = (
            busy_timeout if write_turn_timeout is None else write_turn_timeout
        )
        self._write_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._file_lock = FileWriteLock(Path(f"{path}.write-lock"))

    def _open_connection(self) -> sqlite3.Connection:
        raw = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
        raw.row_factory = dict_factory
        raw.execute("PRAGMA foreign_keys = 1")
        return raw

    async def enter_write_queue(self) -> WriteTurn:
        """Take this process's turn to write, then the file's, before asking SQLite for its
        lock."""
        loop = asyncio.get_running_loop()
        lock = self._write_locks.get(loop)
        if lock is None:
            lock = self._write_locks[loop] = asyncio.Lock()
        try:
            async with asyncio.timeout(self._write_queue_timeout):
                await lock.acquire()
                try:
                    await self._file_lock.acquire()
                except BaseException:
                    lock.release()
                    raise
        except TimeoutError as exc:
            raise DatabaseUnavailable("the SQLite write queue did not move in time") from exc
        return WriteTurn(lock, self._file_lock)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> PooledSQLiteTransaction:
        return PooledSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        write_lock = None if _is_read(query) else await self.enter_write_queue()
        try:
            connection = await self.pool.acquire()
            try:
                return await connection.execute(query, args or ())
            finally:
                await self.pool.release(connection)
        finally:
            if write_lock is not None:
                write_lock.release()

    async def _run_in_existing_connection(
        self,
        connection: Connection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        return await connection.execute(query, args or ())

    def close(self) -> None:
        self.pool.close()
        self._file_lock.close()
