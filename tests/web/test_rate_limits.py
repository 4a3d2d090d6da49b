"""Sign-in attempts are counted in the database, shared by every process, per real client
address: X-Forwarded-For counts only from the proxies HUB_TRUSTED_PROXIES names."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from hub.accounts.attempts import attempt_allowed
from hub.accounts.tables import AttemptLog
from hub.settings import SettingsError, load_settings
from tests.web_client import Web

WRONG = {"login": "nobody@example.org", "password": "not the password"}
WINDOW = timedelta(minutes=1)


async def allowed_at(address: str, now: datetime) -> bool:
    return await attempt_allowed(address, limit=10, window=WINDOW, now=now)


def test_attempts_at_once_are_all_counted(web: Web) -> None:
    import asyncio

    async def burst() -> list[bool]:
        return list(
            await asyncio.gather(
                *[attempt_allowed("10.0.0.9", limit=10, window=WINDOW) for _ in range(25)]
            )
        )

    assert sorted(web.run(burst)) == [False] * 15 + [True] * 10


def test_the_window_slides(web: Web) -> None:
    start = datetime(2026, 12, 6, 12, 0, 30, tzinfo=UTC)
    for second in range(10):
        assert web.run(allowed_at, "10.0.0.1", start + timedelta(seconds=second))
    # Across the turn of the minute, still ten in the last sixty seconds.
    assert not web.run(allowed_at, "10.0.0.1", start + timedelta(seconds=45))
    later = start + timedelta(seconds=60, milliseconds=500)
    assert web.run(allowed_at, "10.0.0.1", later)  # the first has left the window
    assert not web.run(allowed_at, "10.0.0.1", later)


def test_addresses_that_stopped_long_ago_are_forgotten(web: Web) -> None:
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    for address in ("10.0.0.1", "10.0.0.2"):
        web.run(allowed_at, address, long_ago)
    assert web.run(allowed_at, "10.0.0.3", datetime.now(UTC))
    assert web.run(AttemptLog.select(AttemptLog.address).run) == [{"address": "10.0.0.3"}]


def test_trusted_proxies_are_ip_addresses_or_networks(tmp_path: Path) -> None:
    env = {"HUB_DATA_DIR": str(tmp_path)}
    assert load_settings(env).trusted_proxies == ()
    both = load_settings({**env, "HUB_TRUSTED_PROXIES": "10.0.0.2, 192.168.1.0/24"})
    assert both.trusted_proxies == ("10.0.0.2", "192.168.1.0/24")
    with pytest.raises(SettingsError, match="HUB_TRUSTED_PROXIES"):
        load_settings({**env, "HUB_TRUSTED_PROXIES": "proxy.example.org"})


# A real `hub run`, reached from 127.0.0.1 ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def hub_run(tmp_path: Path) -> Iterator[Callable[..., str]]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(**extra: str) -> str:
        port = free_port()
        # The test's own database and secret key: every process started shares them.
        env = {**os.environ, "HUB_DATA_DIR": str(tmp_path), "HUB_WORKER": "0", **extra}
        process = subprocess.Popen(
            [sys.executable, "-m", "hub", "run", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    return url
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("hub run did not start")

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=30)


def test_the_limit_is_shared_by_every_process(hub_run: Callable[..., str]) -> None:
    urls = [hub_run(), hub_run()]
    with httpx.Client() as client:
        client.get(f"{urls[0]}/login")
        token = client.cookies["hub_csrf"]
        statuses = [
            client.post(
                f"{urls[attempt % 2]}/login", data=WRONG, headers={"x-csrftoken": token}
            ).status_code
            for attempt in range(12)
        ]
    assert statuses == [422] * 10 + [429] * 2


def statuses_with_made_up_addresses(url: str) -> list[int]:
    with httpx.Client(base_url=url) as client:
        client.get("/login")
        token = client.cookies["hub_csrf"]
        return [
            client.post(
                "/login",
                data=WRONG,
                headers={"x-csrftoken": token, "X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(11)
        ]


def test_a_local_client_cannot_choose_its_address(hub_run: Callable[..., str]) -> None:
    assert statuses_with_made_up_addresses(hub_run()) == [422] * 10 + [429]


def test_a_named_proxy_forwards_the_clients_address(hub_run: Callable[..., str]) -> None:
    url = hub_run(HUB_TRUSTED_PROXIES="127.0.0.1")
    assert statuses_with_made_up_addresses(url) == [422] * 11
