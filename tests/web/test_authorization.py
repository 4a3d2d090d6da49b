"""The authorization matrix: every route, every method, every role, against the policy's rules.

The expected outcome is worked out here from the rules in `hub.web.policy`'s docstring, not by
calling the policy, so a route that declares the wrong access, or a policy that drifts from its
rules, both show up as a failing route by name.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from httpx import Response

from hub.web.policy import access_of
from tests.events.support import path_values_in
from tests.factories import World
from tests.patrols.world import path_values_in as patrol_path_values
from tests.tasks.support import path_values_in as task_path_values
from tests.web.app_routes import ROUTES, RouteCase
from tests.web.conftest import ROLES, act_as
from tests.web_client import Web

ALLOWED = "allowed"
SIGN_IN = "sign in"

# The place each role has in building A, and the rank of each building role.
PLACE_IN_A: dict[str, str | None] = {
    "anonymous": None,
    "resident": "resident",
    "volunteer": "volunteer",
    "leader": "leader",
    "admin": "leader",  # a community admin acts as leader in each building of the community
    "other_leader": None,  # leader of building B, in another community
}
ADMINS_OF_A = {"admin"}
RANK = {"resident": 1, "volunteer": 2, "leader": 3}

# Routes whose outcome does not follow from their access alone, with the reason.
NOT_FOUND_FOR_EVERYONE = {
    # the first-start page exists only while nobody has an account, and the world has several
    "/setup/{token:str}",
}

ROUTE_PARAMS = [pytest.param(case, id=case.id) for case in ROUTES]
SCOPED_PARAMS = [pytest.param(case, id=case.id) for case in ROUTES if case.building_scoped]


def expected_outcome(access: str, role: str, path: str) -> str | int:
    """What the policy's rules promise this role on a route of building A or community A."""
    if path in NOT_FOUND_FOR_EVERYONE:
        return 404
    if access == "public":
        return ALLOWED
    if role == "anonymous":
        return SIGN_IN
    if access == "signed_in":
        return ALLOWED
    place = PLACE_IN_A[role]
    if access == "admin":
        if "{community_id" in path:
            return ALLOWED if role in ADMINS_OF_A else 404
        if "{building_id" in path:
            if place is None:
                return 404
            return ALLOWED if role in ADMINS_OF_A else 403
        return ALLOWED if role in ADMINS_OF_A else 403
    if place is None:
        return 404
    if RANK[place] < RANK[access]:
        return 403
    return ALLOWED


def actual_outcome(response: Response) -> str | int:
    status = response.status_code
    if status in {401, 403, 404}:
        return status
    if status in {302, 303, 307} and response.headers["location"].startswith("/login?next="):
        return SIGN_IN
    return ALLOWED


def values_for(case: RouteCase, path_values: dict[str, Any]) -> dict[str, Any]:
    values = dict(path_values)
    if case.path.startswith("/setup/"):
        values["token"] = path_values["setup_token"]
    return values


def form_for(case: RouteCase, role: str, world: World) -> dict[str, Any]:
    """Empty forms, except where a route needs one field to reach past its own 404."""
    if case.path == "/switch":
        own = world.other_building_id if role == "other_leader" else world.building_id
        return {"building_id": str(own)}
    return {}


def request(web: Web, case: RouteCase, url: str, data: dict[str, Any]) -> Response:
    if case.method == "GET":
        return web.get(url)
    if case.method == "POST":
        return web.post(url, data)
    raise AssertionError(f"no way to request {case.id} yet: teach this test the method")


@pytest.mark.parametrize("case", ROUTE_PARAMS)
def test_every_route_follows_the_policy_for_every_role(
    web: Web, world: World, path_values: dict[str, Any], case: RouteCase
) -> None:
    access = access_of(case.handler).value
    url = case.url(values_for(case, path_values))
    mismatches = []
    for role in ROLES:
        act_as(web, world, role)
        response = request(web, case, url, form_for(case, role, world))
        assert response.status_code < 500, f"{role}: {response.status_code} on {case.id}"
        expected = expected_outcome(access, role, case.path)
        actual = actual_outcome(response)
        if actual != expected:
            mismatches.append(f"{role}: expected {expected}, got {response.status_code}")
        elif actual == SIGN_IN:
            next_path = url if case.method == "GET" else "/"
            assert response.status_code == 303
            assert response.headers["location"] == f"/login?next={quote(next_path)}"
    assert not mismatches, f"{case.id} (access {access}): " + "; ".join(mismatches)


@pytest.mark.parametrize("case", SCOPED_PARAMS)
def test_another_place_is_not_found(web: Web, world: World, case: RouteCase) -> None:
    """Building A's leader and community A's admin see no trace of building B or community B,
    and a building that does not exist looks exactly the same."""
    access_of(case.handler)
    foreign = {
        "building_id": world.other_building_id,
        "community_id": world.other_community_id,
        "membership_id": world.membership_of(world.other_leader),
        **web.run(
            path_values_in, world.other_building_id, world.other_community_id, world.other_leader.id
        ),
        **web.run(task_path_values, world.other_building_id, world.other_leader.id),
        **web.run(patrol_path_values, world.other_building_id, world.other_leader.id),
    }
    missing = {"building_id": 999_999, "community_id": 999_999, "membership_id": 999_999}
    missing |= {"event_id": 999_999, "notice_id": 999_999}
    patrol_ids = ["route_id", "checkpoint_id", "schedule_id", "shift_id", "round_id"]
    missing |= dict.fromkeys(
        [*patrol_ids, "check_in_id", "check_in_photo_id", "observation_id"], 999_999
    )
    missing |= {"task_id": 999_999, "photo_id": 999_999}
    for role in ("leader", "admin"):
        act_as(web, world, role)
        pages = []
        for values in (foreign, missing):
            url = case.url(values)
            response = request(web, case, url, {})
            assert response.status_code == 404, f"{role}: {response.status_code} on {case.id}"
            pages.append(response.text.replace(url, "{url}"))
        assert pages[0] == pages[1]


def test_every_route_declares_its_access() -> None:
    """The same check as the matrix, as one list, so a missing declaration is easy to read."""
    undeclared = []
    for case in ROUTES:
        if case.path.startswith("/schema"):
            continue  # the known OpenAPI routes, reported by the matrix as expected failures
        try:
            access_of(case.handler)
        except LookupError:
            undeclared.append(case.id)
    assert not undeclared


def test_healthz_is_public() -> None:
    [health] = [case for case in ROUTES if case.path == "/healthz"]
    assert access_of(health.handler).value == "public"


def test_the_automatic_options_answers_give_nothing_away(web: Web, world: World) -> None:
    """Litestar's own OPTIONS handlers are left out of the matrix: they declare no access, so
    they must answer the same, with no body, for a building that exists and one that does not."""
    answers = [
        web.client.options(f"/b/{building_id}/members")
        for building_id in (world.building_id, world.other_building_id, 999_999)
    ]
    assert {response.status_code for response in answers} == {204}
    assert {response.content for response in answers} == {b""}
    assert len({response.headers.get("allow") for response in answers}) == 1


def test_first_start_setup_is_public_while_nobody_has_an_account(web: Web) -> None:
    """The other side of NOT_FOUND_FOR_EVERYONE: with no users, the setup token opens the page."""
    from hub.community.actions import do_issue_setup_token

    token = web.run(do_issue_setup_token)
    assert token
    assert web.get(f"/setup/{token}").status_code == 200
    assert web.get("/setup/not-the-token").status_code == 404
