"""The database failing under Hub: PostgreSQL ending Hub's connections, a pool with no
connection free, SQLite's connections all busy. Hub answers 503 for a moment at worst, never
hangs, never loses a connection, and serves again by itself."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import asyncpg
import pytest

from hub.db import engine
from hub.db.errors import DatabaseUnavailable
from hub.db.postgres import BoundedPostgresEngine
from hub.db.sqlite import PooledSQLiteEngine
from tests.factories import World
from tests.patrols.world import make_route
from tests.web_client import Web

on_postgres = pytest.mark.skipif(
    not isinstance(engine(), BoundedPostgresEngine), reason="a PostgreSQL fault"
)
on_sqlite = pytest.mark.skipif(not isinstance(engine(), PooledSQLiteEngine), reason="SQLite only")

CHECKPOINTS = 40


async def end_hubs_connections() -> int:
    """What `pg_terminate_backend` does to Hub when an operator or a failover ends sessions:
    every connection of Hub's database is closed under it. Returns how many were ended."""
    connection = await asyncpg.connect(os.environ["HUB_DATABASE_URL"])
    try:
        rows = await connection.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await connection.close()
    return len(rows)


def pool_leaks() -> int:
    pool = engine().pool  # type: ignore[attr-defined]
    return pool.get_size() - pool.get_idle_size()


@on_postgres
def test_connections_ended_by_the_server_come_back_to_the_pool(web: Web, world: World) -> None:
    """Piccolo's transaction kept a connection whose BEGIN failed; after ten of them (the pool's
    size) every request waited for ever. Here the dead connection is given back and the
    transaction begins on a new one, so the person never notices."""
    patrol = web.run(make_route, world, names=tuple(f"Point {n}" for n in range(CHECKPOINTS)))
    web.sign_in(world.volunteer.login)
    statuses = []
    for token in patrol.tokens:
        ended = web.run(end_hubs_connections)
        assert ended >= 1
        # The session read and the check-in's BEGIN meet connections the server has closed.
        check_in = web.post(f"/c/{token}", {"client_uuid": str(uuid.uuid4()), "start": "1"})
        statuses.append(check_in.status_code)
        web.run(end_hubs_connections)
        assert web.get(f"/b/{world.building_id}/patrols").status_code == 200
    assert statuses == [303] * CHECKPOINTS
    assert pool_leaks() == 0
    assert web.get("/healthz").json() == {"status": "ok", "database": "postgresql"}


@on_postgres
def test_hub_serves_through_repeated_terminations_under_load(web: Web, world: World) -> None:
    """Eight clients check in and read pages while the server's connections are ended every
    200 ms: every request is answered (a page, or a 503 for a write whose connection died under
    it), Hub keeps serving through it, and afterwards no connection is missing."""
    patrol = web.run(make_route, world, names=tuple(f"Point {n}" for n in range(CHECKPOINTS)))
    web.sign_in(world.volunteer.login)
    web.post(f"/c/{patrol.tokens[0]}", {"client_uuid": str(uuid.uuid4()), "start": "1"})
    stop = threading.Event()
    statuses: list[int] = []

    def client(number: int) -> None:
        n = 0
        while not stop.is_set():
            token = patrol.tokens[(number * 5 + n) % CHECKPOINTS]
            statuses.append(web.post(f"/c/{token}", {"client_uuid": str(uuid.uuid4())}).status_code)
            statuses.append(web.get(f"/b/{world.building_id}/patrols").status_code)
            n += 1

    terminations = 0
    with ThreadPoolExecutor(8) as clients:
        running = [clients.submit(client, number) for number in range(8)]
        for _ in range(30):
            terminations += web.run(end_hubs_connections)
            time.sleep(0.2)
        stop.set()
        for future in running:
            future.result(timeout=60)
    assert terminations >= 30
    assert set(statuses) <= {200, 303, 503}, sorted(set(statuses))
    served = statuses.count(200) + statuses.count(303)
    print(f"{terminations} connections ended; {served} served, {statuses.count(503)} 503s")
    assert served > statuses.count(503)
    assert pool_leaks() == 0
    assert web.get("/healthz").status_code == 200
    assert web.get(f"/b/{world.building_id}/patrols").status_code == 200


@on_postgres
def test_a_pool_with_no_free_connection_answers_503_in_bounded_time(
    web: Web, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.db import postgres

    monkeypatch.setattr(postgres, "ACQUIRE_TIMEOUT_SECONDS", 0.2)
    pool = engine().pool  # type: ignore[attr-defined]
    web.sign_in(world.volunteer.login)

    async def hold_every_connection() -> list[object]:
        return [await pool.acquire() for _ in range(pool.get_max_size())]

    held = web.run(hold_every_connection)
    try:
        page = web.get(f"/b/{world.building_id}/patrols", headers={"Accept-Language": "en"})
        assert page.status_code == 503
        assert page.headers["retry-after"] == "30"
        assert "Nothing was lost" in page.text
    finally:
        for connection in held:
            web.run(pool.release, connection)
    assert web.get("/healthz").status_code == 200


@on_sqlite
def test_sqlite_connections_are_shared_and_a_full_pool_waits_then_answers_503(
    web: Web, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = engine().pool  # type: ignore[attr-defined]
    monkeypatch.setattr(pool, "_acquire_timeout", 0.2)
    web.sign_in(world.volunteer.login)

    async def many_reads() -> list[object]:
        from hub.accounts.tables import User

        return await asyncio.gather(*(User.count() for _ in range(50)))

    assert len(set(web.run(many_reads))) == 1
    assert pool.open_connections <= pool.size

    async def hold_every_connection() -> list[object]:
        return [await pool.acquire() for _ in range(pool.size)]

    held = web.run(hold_every_connection)
    try:
        page = web.get(f"/b/{world.building_id}/patrols", headers={"Accept-Language": "zh-CN"})
        assert page.status_code == 503
        assert "没有丢失任何内容" in page.text
    finally:
        for connection in held:
            web.run(pool.release, connection)
    assert web.get("/healthz").status_code == 200


@on_sqlite
def test_a_failed_sqlite_transaction_frees_its_connection_and_the_write_queue(web: Web) -> None:
    from hub.accounts.tables import User
    from hub.db import write_transaction

    pool = engine().pool  # type: ignore[attr-defined]

    async def fail_inside() -> None:
        async with write_transaction():
            await User.update({User.display_name: "x"}).where(User.id == 0)
            raise DatabaseUnavailable("test")

    for _ in range(3):
        with pytest.raises(DatabaseUnavailable):
            web.run(fail_inside)
    assert pool.idle_connections == pool.open_connections

    async def write_after() -> int:
        async with write_transaction():
            return await User.count()

    assert web.run(asyncio.wait_for, write_after(), 5) >= 0
