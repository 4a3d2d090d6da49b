"""Hub killed with SIGKILL in the middle of a burst of check-ins, on the suite's database
(SQLite or PostgreSQL): every check-in the server acknowledged is in the database afterwards,
and the server starts again on it and serves."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub.accounts.sessions import DatabaseStore
from hub.community.roles import Role
from hub.patrols import actions
from hub.patrols.tables import CheckIn
from tests.factories import World, add_member, make_person
from tests.patrols.world import make_route
from tests.web_client import Web

ROOT = Path(__file__).resolve().parents[2]
VOLUNTEERS = 8
START_SECONDS = 90  # a busy machine takes a while to import Hub; a quiet one, seconds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[dict[str, object]]:
    """A real Hub process on the suite's database, and a way to start it again."""
    port = _free_port()
    log = tmp_path / "server.log"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "hub.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    ]
    state: dict[str, object] = {"url": f"http://127.0.0.1:{port}"}

    def start() -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=os.environ.copy(), stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{state['url']}/healthz", timeout=2).status_code == 200:
                    state["process"] = process
                    return process
            except httpx.HTTPError:
                time.sleep(0.1)
        process.kill()
        raise RuntimeError(log.read_text()[-3000:])

    state["start"] = start
    start()
    try:
        yield state
    finally:
        process = state["process"]
        assert isinstance(process, subprocess.Popen)
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)


async def _volunteers_on_rounds(world: World, route_id: int) -> list[int]:
    people = []
    for n in range(VOLUNTEERS):
        person = await make_person(f"Walker {n}")
        await add_member(person, world.building_id, Role.VOLUNTEER)
        await actions.do_start_round(person.id, world.building_id, route_id, shift_id=None)
        people.append(person.id)
    return people


async def _session_for(user_id: int) -> str:
    """A signed-in session as sign-in writes it (sign-in itself is rate-limited per address)."""
    key = secrets.token_hex(16)
    await DatabaseStore().set(key, json.dumps({"user_id": user_id}).encode(), expires_in=3600)
    return key


async def _stored(uuids: list[str]) -> set[str]:
    rows = await CheckIn.select(CheckIn.client_uuid).where(CheckIn.client_uuid.is_in(uuids))
    return {row["client_uuid"] for row in rows}


def test_every_acknowledged_check_in_survives_a_kill_mid_burst(
    web: Web, world: World, server: dict[str, object]
) -> None:
    patrol = web.run(make_route, world, names=tuple(f"Point {n}" for n in range(6)))
    people = web.run(_volunteers_on_rounds, world, patrol.route_id)
    sessions = [web.run(_session_for, user) for user in people]
    url = str(server["url"])
    acknowledged: list[str] = []
    sent: list[str] = []
    stop = threading.Event()

    def volunteer(session: str) -> None:
        with httpx.Client(base_url=url, timeout=10) as client:
            client.cookies.set("hub_session", session)
            client.get("/login")
            token = client.cookies["hub_csrf"]
            n = 0
            while not stop.is_set():
                client_uuid = str(uuid.uuid4())
                sent.append(client_uuid)
                try:
                    answer = client.post(
                        f"/c/{patrol.tokens[n % len(patrol.tokens)]}",
                        data={"client_uuid": client_uuid},
                        headers={"x-csrftoken": token},
                    )
                except httpx.HTTPError:
                    return  # the server is gone
                if answer.status_code == 303:
                    acknowledged.append(client_uuid)
                n += 1

    threads = [threading.Thread(target=volunteer, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    process = server["process"]
    assert isinstance(process, subprocess.Popen)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    assert len(acknowledged) >= 40
    stored = web.run(_stored, sent)
    assert set(acknowledged) <= stored, f"{len(set(acknowledged) - stored)} acknowledged, lost"

    start = server["start"]
    assert callable(start)
    start()
    assert httpx.get(f"{url}/healthz").json()["status"] == "ok"
    with httpx.Client(base_url=url) as client:
        client.cookies.set("hub_session", sessions[0])
        client.get("/login")
        again = client.post(
            f"/c/{patrol.tokens[0]}",
            data={"client_uuid": str(uuid.uuid4())},
            headers={"x-csrftoken": client.cookies["hub_csrf"]},
        )
    assert again.status_code == 303
