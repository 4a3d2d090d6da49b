"""Every form leaves an address that shows the same page again when reloaded or shared.

Each POST route is posted the way its form is in the pages: boosted by htmx (most forms), the
plain way (forms with hx-boost="false"), or by htmx into a part of the page (hx-post). The
address the browser is then left at is worked out as the browser would: a redirect's target;
for htmx, the address the answer names (HX-Push-Url, HX-Replace-Url), the page's own when it
names "false", else the form's; for a plain form, the form's. That address is then loaded as a
reload would, and must answer 200 with the same page, never "Not allowed" (405) or any 4xx.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from httpx import Response

from tests.factories import World
from tests.media.images import small_jpeg
from tests.web.app_routes import POST_ROUTES
from tests.web.conftest import act_as
from tests.web_client import Web, text_of

BASE = "http://hub.test"
BOOSTED, PLAIN, PART = "boosted", "plain", "part"
# Routes that no form in the pages posts to, with the reason.
NOT_FORMS = {
    "POST /settings/notifications/devices": "static/push.js sends the subscription as JSON",
    "POST /setup/{token:str}": "first start, while nobody has an account: its own test below",
}
Values = dict[str, Any]


@dataclass(frozen=True)
class Walk:
    """One way through one form: who posts what, from which page, and how the page sends it."""

    name: str
    role: str
    page: str  # the page the form is on, a path with {names} of the path values
    how: str
    data: Callable[[Values], dict[str, Any]] = lambda values: {}
    files: Callable[[], dict[str, Any]] | None = None
    path: Callable[[Values], Values] = lambda values: {}  # path values of its own


def jpeg() -> dict[str, Any]:
    return {"photo": ("door.jpg", small_jpeg(), "image/jpeg")}


def not_a_photo() -> dict[str, Any]:
    return {"photo": ("notes.jpg", b"not a picture", "image/jpeg")}


ROUND = "/b/{building_id}/rounds/{round_id}"
ROUTE = "/b/{building_id}/routes/{route_id}"
TASK = "/b/{building_id}/tasks/{task_id}"
EVENT = "/b/{building_id}/events/{event_id}"
WEEK = "/b/{building_id}/patrols/week"
SCHEDULE = {
    "weekdays": ["1", "3"],
    "start": "19:00",
    "end": "20:00",
    "volunteers": "2",
    "starts_on": "2027-01-04",
}
EVENT_FORM = {"title": "Tea", "starts_at": "2027-05-01T14:30", "ends_at": "2027-05-01T16:00"}

WALKS: dict[str, list[Walk]] = {
    "POST /admin/c/{community_id:int}/buildings": [
        Walk("added", "admin", "/admin", BOOSTED, lambda v: {"name": "B9", "timezone": "UTC"}),
        Walk("refused", "admin", "/admin", BOOSTED, lambda v: {"name": ""}),
    ],
    "POST /admin/communities": [
        Walk("added", "admin", "/admin", BOOSTED, lambda v: {"name": "Lujiazui"}),
        Walk("refused", "admin", "/admin", BOOSTED),
    ],
    "POST /b/{building_id:int}/leaders": [
        Walk("appointed", "admin", "/admin", BOOSTED, lambda v: {"contact": v["volunteer"]}),
        Walk("no account", "admin", "/admin", BOOSTED, lambda v: {"contact": "13800000000"}),
    ],
    "POST /b/{building_id:int}/members/{membership_id:int}/role": [
        Walk(
            "changed",
            "leader",
            "/b/{building_id}/members",
            BOOSTED,
            lambda v: {"role": "volunteer"},
        ),
        Walk("refused", "leader", "/b/{building_id}/members", BOOSTED, lambda v: {"role": "king"}),
        Walk(
            "last leader",
            "leader",
            "/b/{building_id}/members",
            BOOSTED,
            lambda v: {"role": "resident"},
            path=lambda v: {"membership_id": v["leader_membership"]},
        ),
    ],
    "POST /b/{building_id:int}/members/{membership_id:int}/remove": [
        Walk("removed", "leader", "/b/{building_id}/members", BOOSTED),
        Walk(
            "last leader",
            "leader",
            "/b/{building_id}/members",
            BOOSTED,
            path=lambda v: {"membership_id": v["leader_membership"]},
        ),
    ],
    "POST /b/{building_id:int}/invite/reset": [
        Walk("new link", "leader", "/b/{building_id}/invite", BOOSTED),
    ],
    # Patrols: the plan
    "POST /b/{building_id:int}/routes": [
        Walk("made", "leader", "/b/{building_id}/routes", BOOSTED, lambda v: {"name": "South"}),
        Walk("refused", "leader", "/b/{building_id}/routes", BOOSTED),
    ],
    "POST /b/{building_id:int}/routes/{route_id:int}": [
        Walk("saved", "leader", ROUTE, BOOSTED, lambda v: {"name": "North 2"}),
        Walk("refused", "leader", ROUTE, BOOSTED, lambda v: {"name": ""}),
    ],
    "POST /b/{building_id:int}/routes/{route_id:int}/checkpoints": [
        Walk("added", "leader", ROUTE, BOOSTED, lambda v: {"name": "Roof"}),
        Walk("refused", "leader", ROUTE, BOOSTED),
    ],
    "POST /b/{building_id:int}/checkpoints/{checkpoint_id:int}/move": [
        Walk("moved", "leader", ROUTE, BOOSTED, lambda v: {"direction": "up"}),
    ],
    "POST /b/{building_id:int}/checkpoints/{checkpoint_id:int}/retire": [
        Walk("retired", "leader", ROUTE, BOOSTED),
    ],
    "POST /b/{building_id:int}/checkpoints/{checkpoint_id:int}/token": [
        Walk("new code", "leader", ROUTE, BOOSTED),
    ],
    "POST /b/{building_id:int}/routes/{route_id:int}/schedules": [
        Walk("saved", "leader", ROUTE, BOOSTED, lambda v: SCHEDULE),
        Walk("refused", "leader", ROUTE, BOOSTED),
    ],
    "POST /b/{building_id:int}/routes/{route_id:int}/schedules/{schedule_id:int}": [
        Walk("saved", "leader", ROUTE, BOOSTED, lambda v: SCHEDULE),
        Walk("refused", "leader", ROUTE, BOOSTED),
    ],
    "POST /b/{building_id:int}/routes/{route_id:int}/schedules/{schedule_id:int}/retire": [
        Walk("stopped", "leader", ROUTE, BOOSTED),
    ],
    "POST /b/{building_id:int}/routes/{route_id:int}/shifts": [
        Walk(
            "added",
            "leader",
            ROUTE,
            BOOSTED,
            lambda v: {"day": "2027-01-05", "start": "19:00", "minutes": "60", "volunteers": "1"},
        ),
        Walk("refused", "leader", ROUTE, BOOSTED),
    ],
    # Patrols: the week
    "POST /b/{building_id:int}/shifts/{shift_id:int}/signup": [
        Walk("signed up", "volunteer", WEEK, PART, lambda v: {"back": WEEK.format(**v)}),
    ],
    "POST /b/{building_id:int}/shifts/{shift_id:int}/withdraw": [
        Walk("withdrawn", "volunteer", WEEK, PART, lambda v: {"back": WEEK.format(**v)}),
    ],
    "POST /b/{building_id:int}/shifts/{shift_id:int}/assign": [
        Walk("assigned", "leader", WEEK, PART, lambda v: {"user_id": v["volunteer_id"]}),
        Walk("refused", "leader", WEEK, PART, lambda v: {"user_id": v["resident_id"]}),
    ],
    "POST /b/{building_id:int}/shifts/{shift_id:int}/unassign": [
        Walk("taken off", "leader", WEEK, PART, lambda v: {"user_id": v["volunteer_id"]}),
    ],
    # Patrols: rounds
    "POST /b/{building_id:int}/routes/{route_id:int}/rounds": [
        Walk("started", "volunteer", "/b/{building_id}/patrols", PLAIN),
        Walk(
            "not on the shift",
            "volunteer",
            "/b/{building_id}/patrols",
            PLAIN,
            lambda v: {"shift_id": v["shift_id"]},
        ),
    ],
    "POST /b/{building_id:int}/checkins": [
        Walk(
            "checked in",
            "volunteer",
            ROUND,
            PLAIN,
            lambda v: {
                "checkpoint_id": v["checkpoint_id"],
                "client_uuid": str(uuid.uuid4()),
                "manual": "1",
            },
        ),
        Walk(
            "photo refused",
            "volunteer",
            ROUND,
            PLAIN,
            lambda v: {"checkpoint_id": v["checkpoint_id"], "client_uuid": str(uuid.uuid4())},
            files=not_a_photo,
        ),
        Walk("unreadable", "volunteer", ROUND, PLAIN, lambda v: {"checkpoint_id": "x"}),
    ],
    "POST /b/{building_id:int}/checkins/{check_in_id:int}/note": [
        Walk(
            "saved", "volunteer", ROUND, PLAIN, lambda v: {"note": "Wet", "round_id": v["round_id"]}
        ),
        Walk(
            "refused", "volunteer", ROUND, PLAIN, lambda v: {"note": "", "round_id": v["round_id"]}
        ),
    ],
    "POST /b/{building_id:int}/checkins/{check_in_id:int}/photos": [
        Walk("added", "volunteer", ROUND, PLAIN, lambda v: {"round_id": v["round_id"]}, files=jpeg),
        Walk("refused", "volunteer", ROUND, PLAIN, lambda v: {"round_id": v["round_id"]}),
    ],
    "POST /b/{building_id:int}/checkins/{check_in_id:int}/observations": [
        Walk(
            "reported",
            "volunteer",
            ROUND,
            PLAIN,
            lambda v: {
                "kind": "repair",
                "severity": "low",
                "note": "Bulb",
                "round_id": v["round_id"],
            },
        ),
        Walk("refused", "volunteer", ROUND, PLAIN, lambda v: {"round_id": v["round_id"]}),
    ],
    "POST /b/{building_id:int}/rounds/{round_id:int}/finish": [
        Walk("finished", "volunteer", ROUND, PLAIN),
    ],
    "POST /b/{building_id:int}/observations/{observation_id:int}/task": [
        Walk("made", "leader", "/", PLAIN),
    ],
    "POST /c/{poster:str}": [
        Walk(
            "checked in",
            "volunteer",
            "/c/{poster}",
            PLAIN,
            lambda v: {"client_uuid": str(uuid.uuid4())},
        ),
        Walk(
            "photo refused",
            "volunteer",
            "/c/{poster}",
            PLAIN,
            lambda v: {"client_uuid": str(uuid.uuid4())},
            files=not_a_photo,
        ),
        Walk(
            "not a volunteer",
            "resident",
            "/c/{poster}",
            PLAIN,
            lambda v: {"client_uuid": str(uuid.uuid4())},
        ),
    ],
    # Repairs
    "POST /b/{building_id:int}/tasks/new": [
        Walk(
            "reported",
            "resident",
            "/b/{building_id}/tasks/new",
            BOOSTED,
            lambda v: {
                "title": "Tap drips",
                "place_kind": "other",
                "category": "water",
                "confirmed_new": "1",
            },
        ),
        Walk("refused", "resident", "/b/{building_id}/tasks/new", BOOSTED),
    ],
    "POST /b/{building_id:int}/tasks/{task_id:int}/status": [
        Walk("accepted", "leader", TASK, BOOSTED, lambda v: {"move": "accept"}),
        Walk("no reason", "leader", TASK, BOOSTED, lambda v: {"move": "reject"}),
        Walk(
            "from Today",
            "leader",
            "/",
            BOOSTED,
            lambda v: {"move": "reject", "next": "/"},
        ),
    ],
    "POST /b/{building_id:int}/tasks/{task_id:int}/comments": [
        Walk("said", "resident", TASK, BOOSTED, lambda v: {"text": "Still dripping"}),
        Walk("refused", "resident", TASK, BOOSTED),
    ],
    "POST /b/{building_id:int}/tasks/{task_id:int}/follow": [
        Walk("followed", "volunteer", TASK, BOOSTED),
    ],
    "POST /b/{building_id:int}/tasks/{task_id:int}/plan": [
        Walk("planned", "leader", TASK, BOOSTED, lambda v: {"priority": "high"}),
        Walk("refused", "leader", TASK, BOOSTED, lambda v: {"priority": "high", "due_on": "soon"}),
    ],
    "POST /b/{building_id:int}/tasks/{task_id:int}/assign": [
        Walk(
            "assigned", "leader", TASK + "/assign", BOOSTED, lambda v: {"people": v["volunteer_id"]}
        ),
        Walk(
            "refused", "leader", TASK + "/assign", BOOSTED, lambda v: {"people": v["resident_id"]}
        ),
    ],
    # Events and notices
    "POST /b/{building_id:int}/events": [
        Walk("made", "leader", "/b/{building_id}/events/new", BOOSTED, lambda v: EVENT_FORM),
        Walk("refused", "leader", "/b/{building_id}/events/new", BOOSTED),
    ],
    "POST /b/{building_id:int}/events/{event_id:int}/edit": [
        Walk("saved", "leader", EVENT + "/edit", BOOSTED, lambda v: EVENT_FORM),
        Walk("refused", "leader", EVENT + "/edit", BOOSTED),
    ],
    "POST /b/{building_id:int}/events/{event_id:int}/cancel": [
        Walk("cancelled", "leader", EVENT, BOOSTED),
    ],
    "POST /b/{building_id:int}/events/{event_id:int}/answer": [
        Walk("going", "resident", EVENT, PART, lambda v: {"status": "going"}),
    ],
    "POST /b/{building_id:int}/events/{event_id:int}/attendance": [
        Walk(
            "ticked",
            "leader",
            EVENT + "/people",
            PART,
            lambda v: {"answer_id": "1", "attended": "on"},
        ),
    ],
    "POST /b/{building_id:int}/notices": [
        Walk(
            "posted",
            "leader",
            "/b/{building_id}/notices/new",
            BOOSTED,
            lambda v: {"title": "Lift", "text": "Off"},
        ),
        Walk("refused", "leader", "/b/{building_id}/notices/new", BOOSTED),
    ],
    "POST /b/{building_id:int}/notices/{notice_id:int}/edit": [
        Walk(
            "saved",
            "leader",
            "/b/{building_id}/notices/{notice_id}/edit",
            BOOSTED,
            lambda v: {"title": "Lift", "text": "Off"},
        ),
        Walk("refused", "leader", "/b/{building_id}/notices/{notice_id}/edit", BOOSTED),
    ],
    "POST /b/{building_id:int}/notices/{notice_id:int}/retire": [
        Walk("taken down", "leader", "/b/{building_id}/notices", BOOSTED),
    ],
    "POST /calendar/reset": [Walk("new address", "resident", "/calendar", BOOSTED)],
    "POST /today/dismiss": [Walk("dismissed", "resident", "/", BOOSTED)],
    # Accounts
    "POST /join/{token:str}": [
        Walk(
            "joined",
            "anonymous",
            "/join/{token}",
            PLAIN,
            lambda v: {
                "display_name": "Wang Fang",
                "contact": "13912340000",
                "password": "long enough password",
            },
        ),
        Walk("refused", "anonymous", "/join/{token}", PLAIN),
    ],
    "POST /login": [
        Walk(
            "signed in",
            "anonymous",
            "/login",
            PLAIN,
            lambda v: {"login": v["resident"], "password": v["password"]},
        ),
        Walk("refused", "anonymous", "/login", PLAIN, lambda v: {"login": "x", "password": "y"}),
    ],
    "POST /logout": [Walk("signed out", "resident", "/profile", PLAIN)],
    "POST /sessions/end-others": [Walk("other sessions ended", "resident", "/profile", BOOSTED)],
    "POST /profile": [
        Walk("saved", "resident", "/profile", BOOSTED, lambda v: {"display_name": "Chen"}),
        Walk("refused", "resident", "/profile", BOOSTED, lambda v: {"display_name": ""}),
    ],
    "POST /password": [
        Walk(
            "changed",
            "resident",
            "/password",
            BOOSTED,
            lambda v: {
                "current": v["password"],
                "new": "another long password",
                "confirm": "another long password",
            },
        ),
        Walk("refused", "resident", "/password", BOOSTED, lambda v: {"current": "wrong"}),
    ],
    "POST /preferences/language": [
        Walk(
            "English",
            "resident",
            "/profile",
            PLAIN,
            lambda v: {"language": "en", "next": "/profile"},
        ),
    ],
    "POST /preferences/text-size": [
        Walk(
            "large", "anonymous", "/login", PLAIN, lambda v: {"large_text": "1", "next": "/login"}
        ),
    ],
    "POST /switch": [
        Walk("switched", "resident", "/", PLAIN, lambda v: {"building_id": v["building_id"]}),
    ],
    # Notifications
    "POST /settings/notifications": [
        Walk("saved", "resident", "/settings/notifications", PLAIN),
        Walk(
            "refused",
            "resident",
            "/settings/notifications",
            PLAIN,
            lambda v: {"quiet": "on", "quiet_start": "25:00", "quiet_end": "07:00"},
        ),
    ],
    "POST /settings/notifications/devices/{subscription_id:int}/remove": [
        Walk("removed", "resident", "/settings/notifications", PART),
    ],
    "POST /settings/notifications/test": [
        Walk("sent", "resident", "/settings/notifications", PART),
    ],
}


def title_of(response: Response) -> str:
    found = re.search(r"<title>(.*?)</title>", response.text, re.S)
    assert found, response.text[:500]
    return " ".join(found.group(1).split())


def test_every_form_route_is_walked() -> None:
    routes = {case.id for case in POST_ROUTES}
    assert routes - set(WALKS) - set(NOT_FORMS) == set(), "a form route nobody walks"
    assert set(WALKS) - routes == set(), "a walk of a route that no longer exists"


@dataclass
class Reached:
    """Where the browser is left after a form: the address, and the page it was shown."""

    address: str
    shown: Response | None = None  # the page answered in place of a redirect
    notes: list[str] = field(default_factory=list)


def address_after(walk: Walk, response: Response, post_path: str, page_path: str) -> Reached:
    status = response.status_code
    assert status < 500, response.text[:2000]
    if 300 <= status < 400:
        return Reached(response.headers["location"])
    if walk.how == PLAIN:
        return Reached(post_path, response)
    named = response.headers.get("hx-push-url") or response.headers.get("hx-replace-url")
    if walk.how == PART:
        assert named in (None, "false", page_path), f"a part of a page moved the address to {named}"
        return Reached(page_path)
    if named == "false":
        return Reached(page_path, response)
    return Reached(named or post_path, response)


def post(web: Web, walk: Walk, post_path: str, page_path: str, data: dict[str, Any]) -> Response:
    headers = {"Accept-Language": "en"}
    if walk.how == PLAIN:
        headers["Referer"] = f"{BASE}{page_path}"
    else:
        headers["HX-Request"] = "true"
        headers["HX-Current-URL"] = f"{BASE}{page_path}"
        if walk.how == BOOSTED:
            headers["HX-Boosted"] = "true"
    files = walk.files() if walk.files else None
    return web.post(post_path, data, headers=headers, files=files)


WALK_CASES = [
    pytest.param(case, walk, id=f"{case.id} {walk.name}")
    for case in POST_ROUTES
    for walk in WALKS.get(case.id, [])
]


@pytest.fixture
def walk_values(web: Web, world: World, path_values: dict[str, Any]) -> Values:
    from tests.web_client import PASSWORD

    return {
        **path_values,
        "poster": path_values["poster"],
        "volunteer": world.volunteer.login,
        "resident": world.resident.login,
        "password": PASSWORD,
        "volunteer_id": world.volunteer.id,
        "resident_id": world.resident.id,
        "leader_membership": world.membership_of(world.leader),
    }


@pytest.mark.parametrize(("case", "walk"), WALK_CASES)
def test_the_address_a_form_leaves_shows_the_same_page_again(
    web: Web, world: World, walk_values: Values, case: Any, walk: Walk
) -> None:
    values = {**walk_values, **walk.path(walk_values)}
    act_as(web, world, walk.role)
    page_path = walk.page.format(**values)
    post_path = case.url(values)
    response = post(web, walk, post_path, page_path, walk.data(values))
    reached = address_after(walk, response, post_path, page_path)

    reloaded = web.get(reached.address, headers={"Accept-Language": "en"})
    assert reloaded.status_code == 200, (
        f"{walk.how} form answered {response.status_code}, left at {reached.address}, "
        f"which answers {reloaded.status_code}: {text_of(reloaded)[:300]}"
    )
    if reached.shown is not None:
        assert title_of(reloaded) == title_of(reached.shown), (
            f"answered with a page at {reached.address} that shows another one when reloaded"
        )


def test_the_first_start_form_leaves_a_reloadable_address(web: Web) -> None:
    from hub.community.actions import do_issue_setup_token

    token = web.run(do_issue_setup_token)
    walk = Walk("refused", "anonymous", f"/setup/{token}", PLAIN)
    refused = post(web, walk, f"/setup/{token}", f"/setup/{token}", {})
    reached = address_after(walk, refused, f"/setup/{token}", f"/setup/{token}")
    assert reached.shown is not None
    reloaded = web.get(reached.address, headers={"Accept-Language": "en"})
    assert reloaded.status_code == 200
    assert title_of(reloaded) == title_of(refused)
    done = post(
        web,
        walk,
        f"/setup/{token}",
        f"/setup/{token}",
        {
            "community_name": "Dekang",
            "building_name": "Building 2",
            "display_name": "Admin",
            "contact": "admin@example.org",
            "password": "long enough password",
        },
    )
    assert web.get(address_after(walk, done, "", "").address).status_code == 200
