"""The authorization matrix: every route, every method, every role, against the policy's rules.

The expected outcome is worked out here from the permission each route declares and the grants
of each role (`hub.community.roles.GRANTS`), following the rules in `hub.web.policy`'s docstring
without calling the policy, so a route that declares the wrong permission, or a policy that
drifts from its rules, both show up as a failing route by name.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from httpx import Response

from hub.areas import permissions
from hub.community.roles import ADMIN, GRANTS
from hub.community.tables import Membership
from hub.db import write_transaction
from hub.web.policy import Access, access_of
from tests.events.support import path_values_in
from tests.factories import Person, World, make_person
from tests.patrols.world import path_values_in as patrol_path_values
from tests.tasks.support import path_values_in as task_path_values
from tests.web.app_routes import ROUTES, RouteCase
from tests.web.conftest import ROLES, act_as, reset_rate_limit
from tests.web_client import Web

ALLOWED = "allowed"
SIGN_IN = "sign in"

# The role (a key of GRANTS) each person acts in, in building A and community A...
ROLE_IN_A: dict[str, str | None] = {
    "anonymous": None,
    "resident": "resident",
    "volunteer": "volunteer",
    "leader": "leader",
    "admin": ADMIN,  # a community admin acts in each building of the community
    "other_leader": None,
}
# ... and elsewhere: the leader of building B, in another community.
ROLE_ELSEWHERE: dict[str, str | None] = {"other_leader": "leader"}

# Routes whose outcome does not follow from their access alone, with the reason.
NOT_FOUND_FOR_EVERYONE = {
    # the first-start page exists only while nobody has an account, and the world has several
    "/setup/{token:str}",
}

ROUTE_PARAMS = [pytest.param(case, id=case.id) for case in ROUTES]
SCOPED_PARAMS = [pytest.param(case, id=case.id) for case in ROUTES if case.building_scoped]


def expected_outcome(access: str, role: str, path: str, roles: dict[str, str | None]) -> str | int:
    """What the policy's rules promise this role on a route of building A or community A, for
    a route that asks for `access` (an Access or a permission); `roles` gives the role each
    person holds in building A."""
    if path in NOT_FOUND_FOR_EVERYONE:
        return 404
    if access == Access.PUBLIC:
        return ALLOWED
    if role == "anonymous":
        return SIGN_IN
    if access == Access.SIGNED_IN:
        return ALLOWED
    held = roles.get(role)
    if "{building_id" in path:
        if held is None:
            return 404
        return ALLOWED if access in GRANTS[held] else 403
    if "{community_id" in path:  # only the community's admins have a place in it
        if held != ADMIN:
            return 404
        return ALLOWED if access in GRANTS[ADMIN] else 403
    anywhere = [key for key in (held, ROLE_ELSEWHERE.get(role)) if key is not None]
    return ALLOWED if any(access in GRANTS[key] for key in anywhere) else 403


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
    access = access_of(case.handler)
    url = case.url(values_for(case, path_values))
    mismatches = []
    for role in ROLES:
        act_as(web, world, role)
        response = request(web, case, url, form_for(case, role, world))
        assert response.status_code < 500, f"{role}: {response.status_code} on {case.id}"
        expected = expected_outcome(access, role, case.path, ROLE_IN_A)
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


def test_every_route_asks_for_a_declared_permission() -> None:
    """A route is public, for anyone signed in, or asks for a permission an area declares: a
    misspelt one would refuse everyone, and the matrix, reading the same name, would agree."""
    declared = set(permissions()) | set(Access)
    unknown = [
        f"{case.id}: {access_of(case.handler)}"
        for case in ROUTES
        if access_of(case.handler) not in declared
    ]
    assert not unknown


def test_healthz_is_public() -> None:
    [health] = [case for case in ROUTES if case.path == "/healthz"]
    assert access_of(health.handler) == Access.PUBLIC


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


# Who manages the answers to a community-wide event ------------------------------------------------

# Residents of every building answer a community-wide event, so only the community's admins see
# and change those answers; a building's leaders manage the answers to their building's events.
COMMUNITY_EVENT_ANSWERS = {
    "anonymous": SIGN_IN,
    "resident": 403,
    "volunteer": 403,
    "leader": 403,
    "admin": ALLOWED,
    "other_leader": 404,
}
ANSWER_ROUTES = [
    case
    for case in ROUTES
    if case.path.startswith("/b/{building_id:int}/events/{event_id:int}/")
    and case.path.rsplit("/", 1)[-1] in {"people", "people.csv", "attendance"}
]


def test_the_answer_routes_are_found() -> None:
    assert len(ANSWER_ROUTES) == 3


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in ANSWER_ROUTES])
def test_only_admins_manage_answers_to_a_community_wide_event(
    web: Web, world: World, path_values: dict[str, Any], case: RouteCase
) -> None:
    from tests.events.support import make_event

    event_id = web.run(make_event, world.admin.id, world.community_id, None)
    url = case.url({**path_values, "event_id": event_id})
    outcomes = {}
    for role in ROLES:
        act_as(web, world, role)
        outcomes[role] = actual_outcome(request(web, case, url, {}))
    assert outcomes == COMMUNITY_EVENT_ANSWERS


def test_a_buildings_leader_manages_the_answers_to_its_own_events(
    web: Web, world: World, path_values: dict[str, Any]
) -> None:
    for case in ANSWER_ROUTES:
        act_as(web, world, "leader")
        response = request(web, case, case.url(path_values), {})
        assert actual_outcome(response) == ALLOWED, case.id


# A role that is not a rank -------------------------------------------------------------------

# Reads what was seen on patrol (every round, the coverage) and walks and plans nothing: one row
# of GRANTS, and nothing else changed anywhere.
AUDITOR = "auditor"


async def join_as(person: Person, building_id: int, role_key: str) -> None:
    async with write_transaction():
        await Membership.insert(Membership(user=person.id, building=building_id, role=role_key))


def test_a_role_off_the_ladder_reaches_exactly_what_it_grants(
    web: Web, world: World, path_values: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(GRANTS, AUDITOR, frozenset({"patrols.review"}))
    auditor = web.run(make_person, "Auditor Sun")
    web.run(join_as, auditor, world.building_id, AUDITOR)
    web.client.cookies.clear()
    reset_rate_limit(web)
    web.sign_in(auditor.login)
    assert web.get("/").status_code == 200  # Today, for a role the pages have never seen
    roles = {**ROLE_IN_A, AUDITOR: AUDITOR}
    reached, mismatches = [], []
    for case in ROUTES:
        access = access_of(case.handler)
        if access in set(Access):
            continue  # open to everyone, or to everyone signed in, whatever their role
        url = case.url(values_for(case, path_values))
        response = request(web, case, url, form_for(case, AUDITOR, world))
        assert response.status_code < 500, f"{response.status_code} on {case.id}"
        actual = actual_outcome(response)
        if actual != expected_outcome(access, AUDITOR, case.path, roles):
            mismatches.append(f"{case.id}: got {response.status_code}")
        if actual == ALLOWED:
            reached.append(case.id)
    assert not mismatches
    assert reached == [case.id for case in ROUTES if access_of(case.handler) == "patrols.review"]
    assert {"GET /b/{building_id:int}/coverage"} < set(reached)


def test_a_controller_s_guard_is_the_access_of_each_of_its_routes() -> None:
    """The plan section declares `patrols.plan` once, on its controller: the matrix reads it
    for each of the section's routes, none of which declares a guard of its own."""
    planned = [
        case
        for case in ROUTES
        if getattr(case.handler.fn, "__qualname__", "").startswith("PlanController.")
    ]
    assert len(planned) > 10
    assert all(not case.handler.guards for case in planned)
    assert {access_of(case.handler) for case in planned} == {"patrols.plan"}
