"""Load benchmark: Hub's real server command on the district's data, signed in, loaded from a
separate process with wrk, against the ceiling of a bare Litestar + Jinja2 route rendering a
page of the same size (bench/ceiling_app.py) in the same run.

    .venv/bin/python bench/district.py   # once per database (HUB_DATA_DIR, HUB_DATABASE_URL)
    .venv/bin/python bench/load.py [--seconds 10] [--connections 16] [--only week-volunteer,...]

For each page: bytes, requests per second, p50 and p99 latency, errors, the ceiling's requests
per second at that size and Hub's share of it, and the queries the page runs (counted
in-process on the same data). Then check-ins (16 volunteers posting the poster form with new
ids; every acknowledged one must be in the database afterwards) and RSVPs, and each server
worker's resident memory after the load. Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
VENV_BIN = Path(sys.executable).parent
SERVER_WORKERS = 2
CSRF_COOKIE = "hub_csrf"
SESSION_COOKIE = "hub_session"
POSTERS = 16


@dataclass
class Page:
    key: str
    name: str
    who: str
    path: str


@dataclass
class Result:
    name: str
    size: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    ceiling_rps: float | None = None
    queries: int | None = None
    note: str = ""

    def row(self) -> str:
        share = f"{100 * self.rps / self.ceiling_rps:.0f}%" if self.ceiling_rps else ""
        ceiling = f"{self.ceiling_rps:,.0f}" if self.ceiling_rps else ""
        size = f"{self.size / 1000:,.0f} KB" if self.size else ""
        queries = "" if self.queries is None else str(self.queries)
        cells = [
            self.name,
            size,
            f"{self.rps:,.0f}",
            f"{self.p50_ms:,.1f}",
            f"{self.p99_ms:,.1f}",
            str(self.errors),
            ceiling,
            share,
            queries,
            self.note,
        ]
        return "| " + " | ".join(cells) + " |"


HEADER = (
    "| page | size | req/s | p50 ms | p99 ms | errors | ceiling req/s | of ceiling | queries "
    "| note |\n|---|---|---|---|---|---|---|---|---|---|"
)


# Servers ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench/load.py: the server at {url} stopped")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"bench/load.py: {url} did not answer")


def start(command: list[str], log: Path, health: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own commands
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    wait_healthy(health, process)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def worker_rss_mb(parent: int) -> list[float]:
    """Resident memory of each process below `parent` that serves requests (uvicorn's workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [parent]
    while todo:
        pid = todo.pop()
        kids = children.get(pid, [])
        todo.extend(kids)
        if not kids and pid != parent:
            found.append(pid)
    sizes = []
    for pid in found:
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match and b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
            sizes.append(int(match.group(1)) / 1024)
    return sorted(sizes)


# wrk --------------------------------------------------------------------------------------------


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(
    url: str, seconds: int, connections: int, *, headers: dict[str, str], script: Path | None
) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(  # noqa: S603 - wrk, installed from Debian
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)\s*$", output, re.MULTILINE))
    if "50" not in latency:
        raise SystemExit(f"bench/load.py: wrk answered no latencies:\n{output}")
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_ok.group(1)) if non_ok else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50": _ms(latency["50"]),
        "p99": _ms(latency["99"]),
        "errors": errors,
        "requests": total,
    }


# Hub's data -------------------------------------------------------------------------------------


async def prepare_people(csrf: str) -> dict[str, Any]:
    """Sessions for the benchmark's people, written as Hub's sign-in writes them (sign-in itself
    is rate-limited per address), and the ids the pages need."""
    from hub.accounts.sessions import DatabaseStore
    from hub.accounts.tables import User
    from hub.events.tables import Event
    from hub.patrols.tables import Checkpoint

    async def user_id(name: str) -> int:
        row = await User.select(User.id).where(User.display_name == name).first()
        if row is None:
            raise SystemExit("bench/load.py: no district here; run bench/district.py first")
        return int(row["id"])

    store = DatabaseStore()

    async def cookie(user: int) -> str:
        key = secrets.token_hex(16)
        data = json.dumps({"user_id": user, "building_id": 1}).encode()
        await store.set(key, data, expires_in=24 * 3600)
        return f"{SESSION_COOKIE}={key}; {CSRF_COOKIE}={csrf}"

    people = {
        "volunteer": await cookie(await user_id("Volunteer 0")),
        "leader": await cookie(await user_id("Leader 1-0")),
        "resident": await cookie(await user_id("Resident 1-0")),
        "posters": [await cookie(await user_id(f"Volunteer {k}")) for k in range(POSTERS)],
        "rsvpers": [await cookie(await user_id(f"Resident 1-{k}")) for k in range(POSTERS)],
    }
    event = (
        await Event.select(Event.id)
        .where(
            ((Event.building == 1) | Event.building.is_null())
            & (Event.starts_at > datetime.now(UTC))
        )
        .order_by(Event.starts_at)
        .first()
    )
    people["event"] = int(event["id"]) if event else 1
    tokens = await Checkpoint.select(Checkpoint.token).where(Checkpoint.route == 1)
    people["tokens"] = [row["token"] for row in tokens]
    return people


def csrf_token(base: str) -> str:
    with urllib.request.urlopen(f"{base}/login") as response:  # noqa: S310 - local server
        cookies = response.headers.get_all("set-cookie") or []
    for cookie in cookies:
        if cookie.startswith(f"{CSRF_COOKIE}="):
            return cookie.split(";", 1)[0].split("=", 1)[1]
    raise SystemExit("bench/load.py: no CSRF cookie from /login")


def fetch(base: str, path: str, cookie: str, *, data: bytes | None = None, csrf: str = "") -> bytes:
    request = urllib.request.Request(  # noqa: S310 - our own local server
        f"{base}{path}", data=data, headers={"Cookie": cookie}
    )
    if data is not None:
        request.add_header("x-csrftoken", csrf)
        request.add_header("Content-Type", "application/x-www-form-urlencoded")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        if error.code in {302, 303}:
            return error.headers.get("location", "").encode()
        raise


def count_queries(pages: list[Page], people: dict[str, Any]) -> dict[str, int]:
    """How many statements each page runs, counted in-process on the same database (with no
    notification worker in this process, whose sweeps would be counted too)."""
    from litestar.testing import TestClient

    from hub.app import create_app
    from hub.db import engine
    from hub.settings import get_settings

    db = engine()
    counted = {"n": 0}
    run_querystring, run_ddl = db.run_querystring, db.run_ddl

    async def counting_querystring(*args: Any, **kwargs: Any) -> Any:
        counted["n"] += 1
        return await run_querystring(*args, **kwargs)

    async def counting_ddl(*args: Any, **kwargs: Any) -> Any:
        counted["n"] += 1
        return await run_ddl(*args, **kwargs)

    db.run_querystring, db.run_ddl = counting_querystring, counting_ddl  # type: ignore[method-assign]
    counts = {}
    try:
        settings = dataclasses.replace(get_settings(), worker=False)
        with TestClient(create_app(settings), base_url="http://bench.test") as client:
            for page in pages:
                session, csrf = (part.split("=", 1)[1] for part in people[page.who].split("; "))
                client.cookies.set(SESSION_COOKIE, session)
                client.cookies.set(CSRF_COOKIE, csrf)
                client.get(page.path)  # the first request of a session may write its day of use
                counted["n"] = 0
                response = client.get(page.path, follow_redirects=False)
                assert response.status_code == 200, (page.path, response.status_code)
                counts[page.name] = counted["n"]
    finally:
        db.run_querystring, db.run_ddl = run_querystring, run_ddl  # type: ignore[method-assign]
    return counts


POST_SCRIPT = """
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local entries = {ENTRIES}
local function uuid()
  return string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function (c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end)
end
request = function()
  local e = entries[math.random(#entries)]
  local body = string.gsub(e.body, "{uuid}", uuid())
  return wrk.format("POST", e.path, {
    ["Cookie"] = e.cookie, ["x-csrftoken"] = e.csrf,
    ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
"""


def post_script(entries: list[dict[str, str]], folder: Path) -> Path:
    def lua(entry: dict[str, str]) -> str:
        return "{" + ", ".join(f"{k} = {json.dumps(v)}" for k, v in entry.items()) + "}"

    path = folder / f"post-{secrets.token_hex(4)}.lua"
    path.write_text(POST_SCRIPT.replace("{ENTRIES}", "{" + ", ".join(map(lua, entries)) + "}"))
    return path


async def check_in_count() -> int:
    from hub.patrols.tables import CheckIn

    return await CheckIn.count()


# The run ----------------------------------------------------------------------------------------


def run(seconds: int, connections: int, only: set[str]) -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from hub.db import database_lifespan
    from hub.settings import get_settings

    settings = get_settings()
    folder = Path(tempfile.mkdtemp(prefix="hub-load-"))
    hub_port, ceiling_port = free_port(), free_port()
    base, ceiling = f"http://127.0.0.1:{hub_port}", f"http://127.0.0.1:{ceiling_port}"
    hub = start(
        [str(VENV_BIN / "hub"), "run", "--workers", str(SERVER_WORKERS), "--port", str(hub_port)],
        folder / "hub.log",
        f"{base}/healthz",
    )
    bare = start(
        [
            str(VENV_BIN / "python"),
            "-m",
            "uvicorn",
            "bench.ceiling_app:app",
            "--workers",
            str(SERVER_WORKERS),
            "--port",
            str(ceiling_port),
        ],
        folder / "ceiling.log",
        f"{ceiling}/page?bytes=100",
    )
    try:
        csrf = csrf_token(base)

        async def people_now() -> dict[str, Any]:
            async with database_lifespan():
                return await prepare_people(csrf)

        people = asyncio.run(people_now())
        tokens = people["tokens"]
        for cookie in people["posters"]:  # each starts a round at the first poster
            form = f"start=1&client_uuid={uuid.uuid4()}".encode()
            fetch(base, f"/c/{tokens[0]}", cookie, data=form, csrf=csrf)
        round_location = fetch(
            base,
            f"/c/{tokens[1]}",
            people["posters"][0],
            data=f"client_uuid={uuid.uuid4()}".encode(),
            csrf=csrf,
        ).decode()
        people["volunteer"] = people["posters"][0]
        pages = [
            Page("week", "patrol week, volunteer", "volunteer", "/b/1/patrols/week"),
            Page("week-leader", "patrol week, leader", "leader", "/b/1/patrols/week"),
            Page("today", "Today, volunteer", "volunteer", "/"),
            Page("today-leader", "Today, leader", "leader", "/"),
            Page("today-resident", "Today, resident", "resident", "/"),
            Page("logbook", "log book, one week", "leader", "/b/1/logbook"),
            Page("tasks", "task board", "leader", "/b/1/tasks"),
            Page("event", "event page", "resident", f"/b/1/events/{people['event']}"),
            Page("round", "round page", "volunteer", round_location.split("#")[0]),
        ]
        pages = [p for p in pages if not only or p.key in only]
        queries = count_queries(pages, people)
        results = []
        for page in pages:
            body = fetch(base, page.path, people[page.who])
            measured = wrk(
                f"{base}{page.path}",
                seconds,
                connections,
                headers={"Cookie": people[page.who]},
                script=None,
            )
            bar = wrk(
                f"{ceiling}/page?bytes={len(body)}", seconds, connections, headers={}, script=None
            )
            results.append(
                Result(
                    page.name,
                    len(body),
                    measured["rps"],
                    measured["p50"],
                    measured["p99"],
                    int(measured["errors"]),
                    int(measured["requests"]),
                    ceiling_rps=bar["rps"],
                    queries=queries[page.name],
                )
            )
            print(results[-1].row(), flush=True)
        if not only or "checkin" in only:
            before = asyncio.run(_with_db(check_in_count))
            entries = [
                {
                    "path": f"/c/{tokens[(k % (len(tokens) - 1)) + 1]}",
                    "cookie": c,
                    "csrf": csrf,
                    "body": "client_uuid={uuid}",
                }
                for k, c in enumerate(people["posters"])
            ]
            measured = wrk(
                f"{base}/", seconds, connections, headers={}, script=post_script(entries, folder)
            )
            stored = asyncio.run(_with_db(check_in_count)) - before
            acknowledged = int(measured["requests"] - measured["errors"])
            note = f"{stored:,} stored for {acknowledged:,} acknowledged"
            if stored < acknowledged:
                note += " - LOST ROWS"
            results.append(
                Result(
                    "check-in POST",
                    0,
                    measured["rps"],
                    measured["p50"],
                    measured["p99"],
                    int(measured["errors"]),
                    int(measured["requests"]),
                    note=note,
                )
            )
            print(results[-1].row(), flush=True)
        if not only or "rsvp" in only:
            entries = [
                {
                    "path": f"/b/1/events/{people['event']}/answer",
                    "cookie": c,
                    "csrf": csrf,
                    "body": "status=going&guests=0&x={uuid}",
                }
                for c in people["rsvpers"]
            ]
            measured = wrk(
                f"{base}/", seconds, connections, headers={}, script=post_script(entries, folder)
            )
            results.append(
                Result(
                    "RSVP POST",
                    0,
                    measured["rps"],
                    measured["p50"],
                    measured["p99"],
                    int(measured["errors"]),
                    int(measured["requests"]),
                )
            )
            print(results[-1].row(), flush=True)
        rss = worker_rss_mb(hub.pid)
    finally:
        stop(hub)
        stop(bare)
    print()
    print(
        f"database: {settings.database_kind}; {os.cpu_count()} CPUs; load average "
        f"{os.getloadavg()[0]:.1f}; wrk -t2 -c{connections} -d{seconds}s; "
        f"hub run --workers {SERVER_WORKERS}"
    )
    print(HEADER)
    for result in results:
        print(result.row())
    print(f"\nresident memory per worker after the load: {', '.join(f'{m:.0f} MB' for m in rss)}")


async def _with_db(fn: Any) -> Any:
    from hub.db import database_lifespan

    async with database_lifespan():
        return await fn()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated: week, week-leader, today, today-leader, today-resident, logbook, "
        "tasks, event, round, checkin, rsvp",
    )
    args = parser.parse_args()
    run(args.seconds, args.connections, {n.strip() for n in args.only.split(",") if n.strip()})
