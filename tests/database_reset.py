"""The test database put back between tests: emptied, or emptied and the world's rows copied in.

Every test starts on an empty database, as it always has. One read asks which tables hold rows
and one transaction empties just those, so a test that wrote nothing (a pure rule test) pays one
read and no write. The world of tests/factories.py is made once per process through Hub's own
actions; its rows are kept and copied back, in one transaction, for each later test that asks
for it. Every write here is committed, so Hub's other connections and processes (the live
server, the kill tests' subprocesses) see the same database the test does.

Why not one transaction rolled back after each test: Hub's code runs on several connections at
once (the pooled SQLite engine with its write queue, asyncpg's pool; the rule tests race them on
purpose) and Piccolo's nested transactions have no savepoints, so the tests would no longer see
what Hub does.

This works below Hub's engine, on a connection of its own: plain sqlite3, or asyncpg on an event
loop in a thread of its own (so it also works while Playwright holds the test thread's loop).
"""

from __future__ import annotations

import asyncio
import copy
import sqlite3
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import asyncpg

T = TypeVar("T")


@dataclass(frozen=True)
class Rows:
    table: str
    columns: tuple[str, ...]
    values: list[tuple[Any, ...]]


Snapshot = list[Rows]  # parents before the tables that refer to them


class DatabaseRows(Protocol):
    def tables_with_rows(self) -> list[str]: ...

    def empty(self) -> None: ...

    def snapshot(self) -> Snapshot: ...

    def restore(self, snapshot: Snapshot) -> None: ...


def hub_tables() -> list[str]:
    """Hub's tables (not Piccolo's migration table), parents first."""
    from piccolo.apps.migrations.tables import Migration
    from piccolo.conf.apps import Finder
    from piccolo.table import sort_table_classes

    tables = [t for t in Finder().get_table_classes() if t is not Migration]
    return [t._meta.tablename for t in sort_table_classes(tables)]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _which_have_rows(tables: list[str]) -> str:
    return "SELECT " + ", ".join(f"EXISTS (SELECT 1 FROM {_quoted(t)})" for t in tables)


class SQLiteRows:
    def __init__(self, path: str, tables: list[str]) -> None:
        self.tables = tables
        # Foreign keys stay off on this connection: it only ever empties whole tables and puts
        # back rows that were consistent when they were read.
        self.raw = sqlite3.connect(path, timeout=30, isolation_level=None)

    def tables_with_rows(self) -> list[str]:
        flags = self.raw.execute(_which_have_rows(self.tables)).fetchone()
        return [table for table, flag in zip(self.tables, flags, strict=True) if flag]

    def empty(self) -> None:
        full = self.tables_with_rows()
        if not full:
            return
        self.raw.execute("BEGIN IMMEDIATE")
        try:
            for table in reversed(full):
                self.raw.execute(f"DELETE FROM {_quoted(table)}")
        except BaseException:
            self.raw.execute("ROLLBACK")
            raise
        self.raw.execute("COMMIT")

    def snapshot(self) -> Snapshot:
        kept = []
        for table in self.tables_with_rows():
            cursor = self.raw.execute(f"SELECT * FROM {_quoted(table)}")
            columns = tuple(d[0] for d in cursor.description)
            kept.append(Rows(table, columns, cursor.fetchall()))
        return kept

    def restore(self, snapshot: Snapshot) -> None:
        self.raw.execute("BEGIN IMMEDIATE")
        try:
            for rows in snapshot:
                names = ", ".join(_quoted(c) for c in rows.columns)
                marks = ", ".join("?" for _ in rows.columns)
                self.raw.executemany(
                    f"INSERT INTO {_quoted(rows.table)} ({names}) VALUES ({marks})", rows.values
                )
        except BaseException:
            self.raw.execute("ROLLBACK")
            raise
        self.raw.execute("COMMIT")


class PostgresRows:
    def __init__(self, url: str, tables: list[str]) -> None:
        self.url = url
        self.tables = tables
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, name="test-database", daemon=True).start()
        self._connection: asyncpg.Connection | None = None
        self._sequences: dict[str, str] = self._run(self._find_sequences)

    def _run(self, work: Callable[[asyncpg.Connection], Coroutine[Any, Any, T]]) -> T:
        """Run `work` on this process's connection, connecting again once if it was lost (the
        fault tests end every session on the database)."""

        async def on_a_connection() -> T:
            for attempt in (1, 2):
                if self._connection is None or self._connection.is_closed():
                    self._connection = await asyncpg.connect(
                        self.url, server_settings={"application_name": "hub-tests"}
                    )
                try:
                    return await work(self._connection)
                except (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError, OSError):
                    self._connection = None
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")

        return asyncio.run_coroutine_threadsafe(on_a_connection(), self._loop).result()

    async def _find_sequences(self, connection: asyncpg.Connection) -> dict[str, str]:
        names = ", ".join(f"pg_get_serial_sequence('{_quoted(t)}', 'id')" for t in self.tables)
        row = await connection.fetchrow(f"SELECT {names}")
        return {table: seq for table, seq in zip(self.tables, row, strict=True) if seq}

    async def _tables_with_rows(self, connection: asyncpg.Connection) -> list[str]:
        flags = await connection.fetchrow(_which_have_rows(self.tables))
        return [table for table, flag in zip(self.tables, flags, strict=True) if flag]

    def tables_with_rows(self) -> list[str]:
        return self._run(self._tables_with_rows)

    async def _empty(self, connection: asyncpg.Connection) -> None:
        full = await self._tables_with_rows(connection)
        if not full:
            return
        # One round trip; the sequences restart as TRUNCATE ... RESTART IDENTITY would.
        statements = [f"DELETE FROM {_quoted(t)};" for t in reversed(full)] + [
            f"SELECT setval('{self._sequences[t]}', 1, false);"
            for t in full
            if t in self._sequences
        ]
        await connection.execute("BEGIN; " + " ".join(statements) + " COMMIT;")

    def empty(self) -> None:
        self._run(self._empty)

    async def _snapshot(self, connection: asyncpg.Connection) -> Snapshot:
        kept = []
        for table in await self._tables_with_rows(connection):
            records = await connection.fetch(f"SELECT * FROM {_quoted(table)}")
            columns = tuple(records[0].keys())
            kept.append(Rows(table, columns, [tuple(r.values()) for r in records]))
        return kept

    def snapshot(self) -> Snapshot:
        return self._run(self._snapshot)

    def restore(self, snapshot: Snapshot) -> None:
        async def restore(connection: asyncpg.Connection) -> None:
            async with connection.transaction():
                for rows in snapshot:
                    await connection.copy_records_to_table(
                        rows.table, records=rows.values, columns=list(rows.columns)
                    )
                    sequence = self._sequences.get(rows.table)
                    if sequence is not None:
                        await connection.execute(
                            f"SELECT setval('{sequence}', max(id)) FROM {_quoted(rows.table)}"
                        )

        self._run(restore)


def open_test_database(database_url: str) -> DatabaseRows:
    if database_url.startswith("sqlite:///"):
        return SQLiteRows(database_url.removeprefix("sqlite:///"), hub_tables())
    return PostgresRows(database_url, hub_tables())


class KeptRows:
    """Something made through Hub's actions once, then put back from its rows.

    `get(make)` makes it on an empty database the first time and keeps a copy of the value and
    of every row; later, on an empty database, it restores the rows and returns a fresh copy of
    the value. If the database is not empty (a fixture wrote first), it makes it afresh.
    """

    def __init__(self, database: Callable[[], DatabaseRows]) -> None:
        self.database = database
        self._kept: tuple[Any, Snapshot] | None = None

    def get(self, make: Callable[[], T]) -> T:
        database = self.database()
        if database.tables_with_rows():
            return make()
        if self._kept is None:
            value = make()
            self._kept = (copy.deepcopy(value), database.snapshot())
            return value
        kept, snapshot = self._kept
        database.restore(snapshot)
        return copy.deepcopy(kept)
