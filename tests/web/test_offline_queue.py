"""The offline queue's contract with the server: which forms may wait on the phone (listed from
the routes' marker, given to the service worker and to every page), and what a refused replay
answers (a code the queue acts on, and a message in the person's language)."""

from __future__ import annotations

import html
import json
import re
import uuid

from httpx import Response
from litestar.routes import HTTPRoute

from hub.patrols.tables import CheckIn
from tests.accounts.pages import en, location
from tests.factories import World
from tests.patrols.world import make_route
from tests.web_client import Web, shared_app

QUEUEABLE = [
    ["^/b/\\d+/checkins$", "check-in"],
    ["^/b/\\d+/checkins/\\d+/note$", "note"],
    ["^/b/\\d+/checkins/\\d+/photos$", "photo"],
    ["^/b/\\d+/tasks/new$", "report"],
    ["^/c/[^/]+$", "check-in"],
]


def worker_settings(web: Web) -> dict:
    first_line = web.get("/sw.js").text.split("\n", 1)[0]
    return json.loads(first_line.removeprefix("self.HUB = ").removesuffix(";"))


def worker_list(web: Web) -> list[list[str]]:
    return worker_settings(web)["queueable"]


def page_list(text: str) -> list[list[str]]:
    found = re.search(r"<meta name=\"hub-queueable\" content='([^']*)'>", text)
    assert found, "no list in the page"
    return json.loads(html.unescape(found.group(1)))


def kind_of(path: str, listed: list[list[str]]) -> str | None:
    return next((kind for pattern, kind in listed if re.search(pattern, path)), None)


def test_the_worker_and_every_page_get_the_queueable_routes_from_the_server(
    web: Web, world: World
) -> None:
    assert worker_list(web) == QUEUEABLE
    assert page_list(web.get("/login").text) == QUEUEABLE
    web.sign_in(world.volunteer.login)
    assert page_list(web.get("/").text) == QUEUEABLE


def test_the_worker_keeps_the_pages_of_a_round_as_the_server_lists_them(web: Web) -> None:
    kept = worker_settings(web)["kept"]
    assert kept == [
        "^/$",
        "^/b/\\d+/patrols$",
        "^/b/\\d+/rounds/\\d+$",
        "^/b/\\d+/tasks/new$",
        "^/c/[^/]+$",
    ]
    for page in ["/b/3/patrols", "/b/3/rounds/44", "/c/AbC-d_9", "/b/3/tasks/new", "/"]:
        assert any(re.search(pattern, page) for pattern in kept), page
    for other in ["/b/3/events", "/b/3/rounds/x", "/b/3/patrols/plan", "/profile", "/b/3"]:
        assert not any(re.search(pattern, other) for pattern in kept), other


def test_every_marked_post_route_is_listed_and_no_other() -> None:
    marked = {
        route.path: handler.opt["queueable"]
        for route in shared_app().routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        if "queueable" in handler.opt
    }
    assert marked == {
        "/b/{building_id:int}/checkins": "check-in",
        "/b/{building_id:int}/checkins/{check_in_id:int}/note": "note",
        "/b/{building_id:int}/checkins/{check_in_id:int}/photos": "photo",
        "/b/{building_id:int}/tasks/new": "report",
        "/c/{poster:str}": "check-in",
    }
    posts = [
        route.path
        for route in shared_app().routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        if "POST" in handler.http_methods and "queueable" not in handler.opt
    ]
    assert "/b/{building_id:int}/rounds/{round_id:int}/finish" in posts
    for path in posts:
        sample = re.sub(r"\{[^}]*\}", "7", path)
        assert kind_of(sample, QUEUEABLE) is None, path


def test_the_patterns_are_exact() -> None:
    assert kind_of("/b/12/checkins", QUEUEABLE) == "check-in"
    assert kind_of("/c/AbC-d_9", QUEUEABLE) == "check-in"
    assert kind_of("/b/12/checkins/345/note", QUEUEABLE) == "note"
    assert kind_of("/b/12/checkins/345/photos", QUEUEABLE) == "photo"
    assert kind_of("/b/12/tasks/new", QUEUEABLE) == "report"
    for other in [
        "/b/12/checkins/",
        "/b/x/checkins",
        "/b/-1/checkins",
        "/b/12/checkins/3a/note",
        "/b/12/checkins/345/observations",
        "/b/12/checkins/photos/3",
        "/c/",
        "/c/a/b",
        "/x/b/12/tasks/new",
        "/b/12/tasks/new/",
        "/b/12/tasks/3",
    ]:
        assert kind_of(other, QUEUEABLE) is None, other


def replay(
    web: Web, path: str, data: dict[str, str], headers: dict[str, str] | None = None
) -> Response:
    headers = headers or {}
    return web.post(path, data, headers={**headers, "X-Hub-Replay": "1"})


def refusal(response: Response, status: int) -> tuple[str, str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["refusal"] == response.headers["x-hub-refusal"]
    return body["refusal"], body["message"]


def check_in(world: World, checkpoint_id: int) -> tuple[str, dict[str, str]]:
    return f"/b/{world.building_id}/checkins", {
        "checkpoint_id": str(checkpoint_id),
        "client_uuid": str(uuid.uuid4()),
    }


def test_a_replayed_check_in_with_no_round_running_is_over_in_both_languages(
    web: Web, world: World
) -> None:
    patrol = web.run(make_route, world)
    web.sign_in(world.volunteer.login)
    path, data = check_in(world, patrol.checkpoint_ids[0])
    assert refusal(replay(web, path, data), 409) == (
        "over",
        "您在这条路线上没有正在进行的巡逻。请先开始巡逻。",
    )
    assert refusal(replay(web, path, data, headers=en()), 409) == (
        "over",
        "You have no round running on this route. Start one first.",
    )
    # Not a replay: the person's form, answered as before.
    assert web.post(path, data, headers=en()).status_code == 409


def test_a_replay_already_saved_is_answered_as_saved(web: Web, world: World) -> None:
    patrol = web.run(make_route, world)
    web.sign_in(world.volunteer.login)
    first = web.post(f"/c/{patrol.tokens[0]}", {"client_uuid": str(uuid.uuid4()), "start": "1"})
    path, data = check_in(world, patrol.checkpoint_ids[1])
    assert replay(web, path, data).status_code == 303
    assert replay(web, path, data).status_code == 303
    assert location(first) == location(replay(web, path, data))
    assert web.run(CheckIn.count) == 2


def test_a_replay_by_someone_who_may_no_longer_is_forbidden_in_both_languages(
    web: Web, world: World
) -> None:
    patrol = web.run(make_route, world)
    web.sign_in(world.resident.login)
    path, data = check_in(world, patrol.checkpoint_ids[0])
    assert refusal(replay(web, path, data), 403) == (
        "forbidden",
        "您的角色无权这样做，或者表单打开太久了。请刷新页面后重试。",
    )
    code, message = refusal(replay(web, path, data, headers=en()), 403)
    assert (code, message.split(",")[0]) == ("forbidden", "Your role does not allow this")


def test_a_replay_after_signing_out_waits_for_a_sign_in(web: Web, world: World) -> None:
    patrol = web.run(make_route, world)
    path, data = check_in(world, patrol.checkpoint_ids[0])
    assert refusal(replay(web, path, data), 401) == ("sign-in", "请重新登录，登录后即会发送。")
    assert refusal(replay(web, path, data, headers=en()), 401) == (
        "sign-in",
        "Please sign in again to send it.",
    )
    assert location(web.post(path, data)).startswith("/login")


def test_a_replayed_report_that_cannot_be_saved_is_invalid_in_both_languages(
    web: Web, world: World
) -> None:
    web.sign_in(world.resident.login)
    path = f"/b/{world.building_id}/tasks/new"
    data = {"title": "", "client_uuid": str(uuid.uuid4()), "confirmed_new": "1"}
    code, message = refusal(replay(web, path, data), 422)
    assert (code, "请填写此项。" in message) == ("invalid", True)
    code, message = refusal(replay(web, path, data, headers=en()), 422)
    assert (code, "Please fill this in." in message) == ("invalid", True)
