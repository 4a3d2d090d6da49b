"""PostgreSQL through asyncpg's pool, with every wait bounded and no connection ever lost.

Piccolo 1.38's transaction keeps a connection out of the pool for good when `begin()` or
`rollback()` fails on a connection the server has closed; after enough of them every request
waits for ever. Here a transaction always gives its connection back (terminated when it is
broken), borrowing one has a timeout, a read or a BEGIN that finds its connection dead is tried
once more on a new one (the pool's other connections are renewed too), and losing the database
surfaces as `DatabaseUnavailable` (a 503).

The pool skips asyncpg's reset statement on release (one round trip per query): Hub never
leaves session state behind (no SET, LISTEN, advisory locks or open cursors on pooled
connections); a transaction left open is still rolled back by asyncpg.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

from hub.db.errors import ConnectionLost, DatabaseUnavailable

CONNECT_TIMEOUT_SECONDS = 5.0
ACQUIRE_TIMEOUT_SECONDS = 10.0
QUERY_TIMEOUT_SECONDS = 30.0
CLOSE_TIMEOUT_SECONDS = 10.0
IDLE_IN_TRANSACTION_MS = 60_000

LOST = (
    asyncpg.ConnectionDoesNotExistError,
    # What asyncpg raises on a connection the server ended while it sat idle in the pool.
    asyncpg.exceptions.InternalClientError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    OSError,
)
SLOW = (TimeoutError, asyncpg.QueryCanceledError)


def unavailable(exc: BaseException, connection: Any = None) -> DatabaseUnavailable | None:
    """What a driver error means for the request: the connection lost, the database too slow,
    or (None) an error of the statement itself, such as a unique violation."""
    closed = isinstance(exc, asyncpg.InterfaceError) and _closed(connection)
    if closed or isinstance(exc, LOST):
        return ConnectionLost("the database connection was lost")
    if isinstance(exc, SLOW):
        return DatabaseUnavailable("the database did not answer in time")
    return None


def _closed(connection: Any) -> bool:
    """Whether a borrowed connection is gone. asyncpg hands a connection the server closed back
    to its pool by itself, after which the borrower's proxy answers only with InterfaceError."""
    try:
        return connection is None or connection.is_closed()
    except asyncpg.InterfaceError:
        return True


async def _keep_session(_: asyncpg.Connection) -> None:
    """Release without a reset statement (see the module's docstring)."""


async def _release(pool: asyncpg.Pool, connection: Any) -> None:
    try:
        await pool.release(connection, timeout=CLOSE_TIMEOUT_SECONDS)
    except (*LOST, *SLOW, asyncpg.InterfaceError):
        pass  # asyncpg terminated the connection and freed its place in the pool


class ReleasingPostgresTransaction(PostgresTransaction):
    engine: BoundedPostgresEngine

    async def __aenter__(self) -> ReleasingPostgresTransaction:
        if self._parent is not None:
            return self._parent
        try:
            await self._begin_on_a_connection()
        except ConnectionLost:
            # Nothing ran on the dead connection, so a new one is always safe to try.
            await self.engine.renew_connections()
            await self._begin_on_a_connection()
        self.context = self.engine.current_transaction.set(self)
        return self

    async def _begin_on_a_connection(self) -> None:
        self.connection = await self.get_connection()
        self.transaction = self.connection.transaction()
        try:
            await self.begin()
        except BaseException as exc:
            error = unavailable(exc, self.connection)
            await self._give_back(broken=error is not None)
            if error is not None:
                raise error from exc
            raise

    async def get_connection(self) -> Any:
        if self.engine.pool is None:
            return await self.engine.get_new_connection()
        return await self.engine.acquire()

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        broken = False
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        except BaseException as exc:
            broken = True
            error = unavailable(exc, self.connection)
            if exception is None and error is not None:
                raise error from exc
            if exception is None:
                raise
            # The body's own error is what matters; a failed rollback only means the
            # connection is gone, and the server rolls the transaction back with it.
        finally:
            await self._give_back(broken=broken)
            self.engine.current_transaction.reset(self.context)
        return exception is None

    async def _give_back(self, *, broken: bool) -> None:
        if broken and not _closed(self.connection):
            self.connection.terminate()
        if self.engine.pool is None:
            if not broken:
                await self.connection.close()
            return
        await _release(self.engine.pool, self.connection)


class BoundedPostgresEngine(PostgresEngine):
    def __init__(self, dsn: str, *, pool_size: int = 10) -> None:
        super().__init__(
            config={
                "dsn": dsn,
                "timeout": CONNECT_TIMEOUT_SECONDS,
                "command_timeout": QUERY_TIMEOUT_SECONDS,
                "server_settings": {
                    "application_name": "hub",
                    "idle_in_transaction_session_timeout": str(IDLE_IN_TRANSACTION_MS),
                },
            }
        )
        self.pool_size = pool_size

    async def start_connection_pool(self, **kwargs: Any) -> None:
        config = {**self.config, "min_size": 1, "max_size": self.pool_size, **kwargs}
        self.pool = await asyncpg.create_pool(**config, reset=_keep_session)

    async def close_connection_pool(self) -> None:
        """Close the pool within CLOSE_TIMEOUT_SECONDS: shutdown never waits on a stuck query."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), CLOSE_TIMEOUT_SECONDS)
        except TimeoutError:
            pool.terminate()

    async def acquire(self) -> Any:
        try:
            return await self.pool.acquire(timeout=ACQUIRE_TIMEOUT_SECONDS)
        except (*LOST, *SLOW) as exc:
            raise DatabaseUnavailable("no database connection came free in time") from exc

    async def renew_connections(self) -> None:
        """One dead connection means the server (or a proxy) ended them all, as a restart or a
        failover does: replace every pooled connection as it is next borrowed."""
        if self.pool is not None:
            await self.pool.expire_connections()

    def transaction(self, allow_nested: bool = True) -> ReleasingPostgresTransaction:
        return ReleasingPostgresTransaction(engine=self, allow_nested=allow_nested)

    async def _run_in_pool(self, query: str, args: Any = None) -> Any:
        """One statement on a borrowed connection; a read whose connection died is run once
        more on another, which is always safe for a read and hides a restarted server."""
        try:
            return await self._fetch(query, args or [])
        except ConnectionLost:
            if not query.lstrip().upper().startswith(("SELECT", "WITH", "SHOW")):
                raise
            await self.renew_connections()
            return await self._fetch(query, args or [])

    async def _fetch(self, query: str, args: list[Any]) -> Any:
        connection = await self.acquire()
        try:
            return await connection.fetch(query, *args)
        except BaseException as exc:
            error = unavailable(exc, connection)
            if error is not None:
                raise error from exc
            raise
        finally:
            await _release(self.pool, connection)

    async def run_querystring(self, querystring: Any, in_pool: bool = True) -> Any:
        current = self.current_transaction.get()
        try:
            return await super().run_querystring(querystring, in_pool=in_pool)
        except DatabaseUnavailable:
            raise
        except BaseException as exc:
            error = unavailable(exc, current.connection if current else None)
            if error is not None:
                raise error from exc
            raise
