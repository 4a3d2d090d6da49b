"""A Hub server full of what a phone shows first, for bench/lighthouse.py and bench/html_check.py.

`hub demo` loads the demo community into a fresh data dir; then, through Hub's own actions, a
shift that is on now with a volunteer walking its round (one check-in, one observation) and a
missed shift for the leader's attention; then, through the real forms as a person would post
them, a notice with a photo, an event with a cover and a repair report with two photos. The
photos are 1600x1200 and 1600x900 JPEGs with a camera's grain, the size phones upload.

Nothing here is part of Hub: it only drives it.
"""

from __future__ import annotations

import asyncio
import io
import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
HUB = ROOT / ".venv" / "bin" / "hub"
PASSWORD = "hub-demo-2026"  # noqa: S105 - the demo logins, printed by `hub demo`
LEADER, VOLUNTEER, RESIDENT = "13800000001", "13800000002", "13800000005"
LOGINS = {"leader": LEADER, "volunteer": VOLUNTEER, "resident": RESIDENT}
CSRF_COOKIE = "hub_csrf"
TIMEOUT = httpx.Timeout(30.0)


# Photos -----------------------------------------------------------------------------------------


def photo(width: int, height: int, seed: int) -> bytes:
    """A JPEG that weighs what a phone's photo of a stairwell does: shapes, light and grain."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        size = rng.randrange(40, width // 3)
        colour = tuple(rng.randrange(40, 230) for _ in range(3))
        draw.rectangle((x, y, x + size, y + size // 2), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(3))
    grain = Image.effect_noise((width, height), 28).convert("RGB")
    image = Image.blend(image, grain, 0.18)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


# Forms as a browser reads them ------------------------------------------------------------------


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._current: Form | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = Form(a.get("action", ""))
            self.forms.append(self._current)
        if self._current is None or ("name" not in a and tag != "option"):
            return
        if tag == "input" and a.get("type") not in {"file", "submit", "button"}:
            if a.get("type") in {"checkbox", "radio"}:
                if "checked" in a:
                    self._current.fields[a["name"]] = a.get("value", "on")
            else:
                self._current.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._current.fields[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and self._select not in self._current.fields:
            self._current.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._current is not None and self._textarea:
            self._current.fields[self._textarea] += data


def forms_of(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Person:
    """One signed-in browser: cookies, the CSRF token, and forms filled in as a person would."""

    def __init__(self, base_url: str, login: str, language: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=TIMEOUT, follow_redirects=False)
        self.get("/login")
        self.post("/login", {"login": login, "password": PASSWORD})
        self.post("/preferences/language", {"language": language, "next": "/"})

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path)

    def post(
        self, path: str, data: dict[str, str], files: dict[str, Any] | None = None
    ) -> httpx.Response:
        token = self.client.cookies.get(CSRF_COOKIE) or ""
        response = self.client.post(
            path, data={"_csrf_token": token, **data}, files=files, headers={"x-csrftoken": token}
        )
        if response.status_code >= 400:
            raise RuntimeError(f"POST {path}: {response.status_code}\n{response.text[:2000]}")
        return response

    def submit(
        self, page: str, action: str, values: dict[str, str], files: dict[str, Any] | None = None
    ) -> str:
        """Fill in the form posting to `action` on `page`; returns where it sent us."""
        found = [f for f in forms_of(self.get(page).text) if f.action == action]
        if not found:
            raise RuntimeError(f"no form posting to {action} on {page}")
        response = self.post(action, {**found[0].fields, **values}, files)
        return response.headers.get("location", "")

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.client.cookies.items())


# The data ---------------------------------------------------------------------------------------


async def _patrol_now() -> dict[str, int]:
    """A shift on now with the volunteer walking it, one check-in and an observation; a shift
    that ended an hour ago that nobody walked."""
    from hub.accounts.tables import User
    from hub.areas import install
    from hub.db import database_lifespan
    from hub.patrols import actions, observations
    from hub.patrols.tables import Checkpoint, PatrolRoute, Shift

    install()  # the actions below queue notifications of the areas' kinds
    async with database_lifespan():
        route = await PatrolRoute.select(PatrolRoute.id, PatrolRoute.building).first()
        assert route is not None, "hub demo made no patrol route"
        building_id, route_id = int(route["building"]), int(route["id"])
        checkpoints = await (
            Checkpoint.select(Checkpoint.id)
            .where(Checkpoint.route == route_id)
            .order_by(Checkpoint.position)
        )
        user = await User.select(User.id).where(User.phone == VOLUNTEER).first()
        assert user is not None
        volunteer = int(user["id"])
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        shifts = await Shift.insert(
            Shift(
                route=route_id,
                starts_at=now - timedelta(minutes=10),
                ends_at=now + timedelta(minutes=50),
                volunteers=2,
            ),
            Shift(
                route=route_id,
                starts_at=now - timedelta(hours=2),
                ends_at=now - timedelta(hours=1),
                volunteers=2,
            ),
        ).returning(Shift.id)
        on_now = int(shifts[0]["id"])
        await actions.do_sign_up(volunteer, building_id, on_now)
        round_id = await actions.do_start_round(volunteer, building_id, route_id, shift_id=on_now)
        _round, check_in = await actions.do_check_in(
            volunteer,
            building_id,
            int(checkpoints[0]["id"]),
            actions.CheckInInput(client_uuid=str(uuid.uuid4()), device_time=None, manual=True),
        )
        await observations.do_observe(
            volunteer,
            building_id,
            check_in,
            kind=next(iter(observations.KINDS)),
            severity="medium",
            note="大堂的灯不亮了 / The lobby light is out",
        )
    return {"building": building_id, "route": route_id, "round": round_id}


@dataclass
class Site:
    url: str
    building_id: int
    round_id: int
    route_id: int
    event_id: int
    task_id: int
    notice_id: int
    checkpoint_id: int
    people: dict[tuple[str, str], Person]

    def person(self, who: str, language: str) -> Person:
        key = (who, language)
        if key not in self.people:
            self.people[key] = Person(self.url, LOGINS[who], language)
        return self.people[key]


def _id_in(location: str, kind: str) -> int:
    match = re.search(rf"/{kind}/(\d+)", location)
    if not match:
        raise RuntimeError(f"no {kind} id in {location!r}")
    return int(match.group(1))


def _seed_through_forms(url: str, ids: dict[str, int]) -> Site:
    b = ids["building"]
    leader = Person(url, LEADER, "zh")
    resident = Person(url, RESIDENT, "zh")
    starts = (datetime.now(UTC) + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT19:00")
    ends = starts[:-5] + "21:00"
    where = leader.submit(
        f"/b/{b}/events/new",
        f"/b/{b}/events",
        {
            "title": "楼道大扫除 Stairwell clean-up",
            "description": "带上手套。Bring gloves.",
            "place": "一楼大堂 Lobby",
            "starts_at": starts,
            "ends_at": ends,
            "capacity": "30",
            "max_guests": "2",
            "guests_allowed": "on",
        },
        files={"cover": ("cover.jpg", photo(1600, 900, 1), "image/jpeg")},
    )
    event_id = _id_in(where, "events")
    leader.submit(
        f"/b/{b}/notices/new",
        f"/b/{b}/notices",
        {
            "title": "周六停水 Water off on Saturday",
            "text": "周六上午9点到12点停水。Water is off on Saturday 9:00-12:00.",
            "pinned": "on",
        },
        files={"photo": ("notice.jpg", photo(1600, 1200, 2), "image/jpeg")},
    )
    notices = leader.get(f"/b/{b}/notices").text
    notice_id = int(re.findall(rf"/b/{b}/notices/(\d+)/", notices)[0])
    where = resident.submit(
        f"/b/{b}/tasks/new",
        f"/b/{b}/tasks/new",
        {
            "title": "6楼楼梯灯坏了 Stair light broken on 6F",
            "description": "晚上很黑。It is dark at night.",
            "place": "6楼楼梯间 Stairwell 6F",
            "place_kind": "stairwell",
            "category": "lighting",
            "client_uuid": str(uuid.uuid4()),
            "confirmed_new": "1",
        },
        files=[
            ("photos", ("one.jpg", photo(1600, 1200, 3), "image/jpeg")),
            ("photos", ("two.jpg", photo(1600, 1200, 4), "image/jpeg")),
        ],  # type: ignore[arg-type]
    )
    task_id = _id_in(where, "tasks")
    route = leader.get(f"/b/{b}/routes/{ids['route']}").text
    checkpoint_id = int(re.findall(rf"/b/{b}/checkpoints/(\d+)/", route)[0])
    return Site(
        url=url,
        building_id=b,
        round_id=ids["round"],
        route_id=ids["route"],
        event_id=event_id,
        task_id=task_id,
        notice_id=notice_id,
        checkpoint_id=checkpoint_id,
        people={("leader", "zh"): leader, ("resident", "zh"): resident},
    )


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def running_site(data_dir: Path, port: int) -> Iterator[Site]:
    """A fresh data dir with the demo and the pages' data, served on 127.0.0.1:port."""
    if data_dir.exists() and any(data_dir.iterdir()):
        raise SystemExit(f"{data_dir} is not empty: give a new data dir")
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HUB_DATA_DIR": str(data_dir), "HUB_WORKER": "0"}
    env.pop("HUB_DATABASE_URL", None)
    subprocess.run(  # noqa: S603 - our own command
        [str(HUB), "demo"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    os.environ.update(HUB_DATA_DIR=str(data_dir))
    ids = asyncio.run(_patrol_now())
    log = (data_dir / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own command
        [str(HUB), "run", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a loaded machine takes a while to import Hub
        while not _healthy(url):
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"Hub did not start; see {data_dir / 'server.log'}")
            time.sleep(0.2)
        yield _seed_through_forms(url, ids)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


# The pages --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageCase:
    name: str
    path: str
    who: str  # "anonymous", "resident", "volunteer" or "leader"


def lighthouse_pages(site: Site) -> list[PageCase]:
    """The pages the issue names: what a phone opens first."""
    b = site.building_id
    return [
        PageCase("sign-in", "/login", "anonymous"),
        PageCase("today", "/", "resident"),
        PageCase("patrol-week", f"/b/{b}/patrols/week", "volunteer"),
        PageCase("round", f"/b/{b}/rounds/{site.round_id}", "volunteer"),
        PageCase("task-list", f"/b/{b}/tasks", "resident"),
        PageCase("task", f"/b/{b}/tasks/{site.task_id}", "resident"),
        PageCase("event", f"/b/{b}/events/{site.event_id}", "resident"),
        PageCase("notices", f"/b/{b}/notices", "resident"),
    ]


def every_page(site: Site) -> list[PageCase]:
    """Every full page of Hub that answers a GET with HTML, each as someone who may open it."""
    b = site.building_id
    return [
        *lighthouse_pages(site),
        PageCase("offline", "/offline", "anonymous"),
        PageCase("not-found", "/no-such-page", "anonymous"),
        PageCase("today-volunteer", "/", "volunteer"),
        PageCase("today-leader", "/", "leader"),
        PageCase("profile", "/profile", "resident"),
        PageCase("password", "/password", "resident"),
        PageCase("notification-settings", "/settings/notifications", "resident"),
        PageCase("calendar", "/calendar", "resident"),
        PageCase("events", f"/b/{b}/events", "resident"),
        PageCase("event-new", f"/b/{b}/events/new", "leader"),
        PageCase("event-edit", f"/b/{b}/events/{site.event_id}/edit", "leader"),
        PageCase("event-people", f"/b/{b}/events/{site.event_id}/people", "leader"),
        PageCase("notice-new", f"/b/{b}/notices/new", "leader"),
        PageCase("notice-edit", f"/b/{b}/notices/{site.notice_id}/edit", "leader"),
        PageCase("task-new", f"/b/{b}/tasks/new", "resident"),
        PageCase("tasks-mine", f"/b/{b}/tasks/mine", "volunteer"),
        PageCase("task-leader", f"/b/{b}/tasks/{site.task_id}", "leader"),
        PageCase("task-assign", f"/b/{b}/tasks/{site.task_id}/assign", "leader"),
        PageCase("task-board", f"/b/{b}/tasks", "leader"),
        PageCase("patrols", f"/b/{b}/patrols", "volunteer"),
        PageCase("patrol-week-leader", f"/b/{b}/patrols/week", "leader"),
        PageCase("logbook", f"/b/{b}/logbook", "leader"),
        PageCase("coverage", f"/b/{b}/coverage", "leader"),
        PageCase("routes", f"/b/{b}/routes", "leader"),
        PageCase("route", f"/b/{b}/routes/{site.route_id}", "leader"),
        PageCase("checkpoint-poster", f"/b/{b}/checkpoints/{site.checkpoint_id}/poster", "leader"),
        PageCase("members", f"/b/{b}/members", "leader"),
        PageCase("invite", f"/b/{b}/invite", "leader"),
        PageCase("join-poster", f"/b/{b}/invite/poster", "leader"),
    ]


def fetch(site: Site, case: PageCase, language: str) -> httpx.Response:
    if case.who == "anonymous":
        return httpx.get(
            site.url + case.path, headers={"Accept-Language": language}, timeout=TIMEOUT
        )
    return site.person(case.who, language).get(case.path)


if __name__ == "__main__":
    # Start the site and keep it up, to look at by hand: bench/demo_site.py DATA_DIR PORT
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stops the server on the way out
    with running_site(Path(sys.argv[1]), int(sys.argv[2])) as site:
        print(site)
        for case in every_page(site):
            print(f"{site.url}{case.path}  ({case.who})")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
