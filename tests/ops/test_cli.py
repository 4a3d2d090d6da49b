"""The `hub` command as a self-hoster runs it."""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

HUB = [sys.executable, "-m", "hub"]


@pytest.fixture
def fresh_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env["HUB_DATA_DIR"] = str(tmp_path)
    return env


def hub(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HUB, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_bad_setting_stops_with_one_line(fresh_env: dict[str, str]) -> None:
    result = hub({**fresh_env, "HUB_DATABASE_URL": "mysql://db/hub"}, "migrate")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "hub: HUB_DATABASE_URL: unsupported scheme 'mysql' (use sqlite:/// or postgresql://)"
    ]


def test_create_admin_reads_the_password_from_stdin(
    fresh_env: dict[str, str], tmp_path: Path
) -> None:
    result = hub(fresh_env, "create-admin", "--login", "Boss@Example.org", stdin="long enough pw\n")
    assert result.returncode == 0, result.stderr
    assert "is an admin of Community" in result.stdout
    database = tmp_path / "hub.sqlite3"
    with sqlite3.connect(database) as connection:
        email, password_hash = connection.execute(
            "SELECT email, password_hash FROM hub_user"
        ).fetchone()
    assert email == "boss@example.org"
    assert password_hash.startswith("$argon2")
    again = hub(fresh_env, "create-admin", "--login", "boss@example.org", stdin="another pw 123\n")
    assert again.returncode == 0, again.stderr
    assert count(database, "hub_user") == 1
    assert count(database, "hub_community_admin") == 1


def test_create_admin_refuses_a_short_password(fresh_env: dict[str, str]) -> None:
    result = hub(fresh_env, "create-admin", "--login", "13812345678", stdin="short\n")
    assert result.returncode == 2
    assert "at least 8 characters" in result.stderr


def test_demo_is_idempotent_and_prints_logins(fresh_env: dict[str, str], tmp_path: Path) -> None:
    first = hub(fresh_env, "demo")
    assert first.returncode == 0, first.stderr
    assert "13800000001" in first.stdout
    assert "hub-demo-2026" in first.stdout
    database = tmp_path / "hub.sqlite3"
    counts = [count(database, t) for t in ("hub_user", "hub_membership", "hub_building")]
    second = hub(fresh_env, "demo")
    assert second.returncode == 0, second.stderr
    assert counts == [count(database, t) for t in ("hub_user", "hub_membership", "hub_building")]
    assert counts[0] >= 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_run_prints_a_one_time_setup_link_and_serves(fresh_env: dict[str, str]) -> None:
    port = free_port()
    process = subprocess.Popen(
        [*HUB, "run", "--port", str(port)],
        env=fresh_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        link = None
        deadline = time.monotonic() + 60
        while link is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            found = re.search(rf"http://127\.0\.0\.1:{port}/setup/\S+", line)
            link = found.group(0) if found else None
        assert link, "no setup link printed"
        for _ in range(100):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert health.json() == {"status": "ok", "database": "sqlite"}
        assert httpx.get(link).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/setup/wrong-token").status_code == 404
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_an_unreachable_database_stops_with_one_line(fresh_env: dict[str, str]) -> None:
    url = "postgresql://postgres@127.0.0.1:9/hub"  # the discard port: nothing listens there
    result = hub({**fresh_env, "HUB_DATABASE_URL": url}, "migrate")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("hub: HUB_DATABASE_URL: cannot reach the database")
