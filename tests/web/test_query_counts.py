"""Every page runs a fixed, small number of queries: the same for a community of one building and
of fifty with their history, for each role that may open it.

A count that grows with the data is a query per row somewhere (a page that slows down as the
building ages); a count over the budget is a page that pays round trips it need not.
"""

from __future__ import annotations

from typing import Any

from hub.community import actions as community
from hub.community.roles import Role
from hub.web.policy import Access, access_of
from tests.events.support import path_values_in as event_path_values
from tests.factories import World, add_member
from tests.patrols.world import path_values_in as patrol_path_values
from tests.query_count import counting_queries
from tests.tasks.support import path_values_in as task_path_values
from tests.web.app_routes import ROUTES, RouteCase
from tests.web.conftest import act_as
from tests.web_client import Web

BUDGET = 8
# Pages allowed more than BUDGET, with the reason.
OVER_BUDGET: dict[str, int] = {
    # Up to seven sections from three areas (for a leader: the running round, missed rounds, what
    # was seen on patrol, shifts, notices, events, repairs), read at the same time, each on its own
    # connection: the page waits for the slowest section, not for the sum.
    "/": 19,
}
# Routes that are not pages: files and feeds for machines, and shortcuts that redirect.
NOT_PAGES = (
    "/healthz",
    "/sw.js",
    "/manifest.webmanifest",
    "/photos/",
    "/cover",
    "/photo",
    "/qr.svg",
    "/go/",
)
ROLES = ("resident", "volunteer", "leader", "admin")
MORE_BUILDINGS = 49


def pages() -> list[RouteCase]:
    return [
        case
        for case in ROUTES
        if case.method == "GET"
        and access_of(case.handler) != Access.PUBLIC
        and not any(part in case.path for part in NOT_PAGES)
    ]


def counts(web: Web, world: World, path_values: dict[str, Any]) -> dict[str, int]:
    """Queries per page and role, for every page the role may open (answers 200)."""
    seen: dict[str, int] = {}
    for role in ROLES:
        act_as(web, world, role)
        for case in pages():
            url = case.url(path_values)
            if web.get(url).status_code != 200:  # not this role's page; a first view may write
                continue
            with counting_queries() as queries:
                assert web.get(url).status_code == 200
            seen[f"{role} {case.path}"] = len(queries)
    return seen


async def grow(world: World) -> None:
    """Forty-nine more buildings in the community, each with a patrol route with a schedule and
    a round walked, a reported task and an event, the world's leader and volunteer members of
    each; and more of the same history in the world's own building."""
    for number in range(MORE_BUILDINGS):
        building_id = await community.do_create_building(
            world.admin.id,
            world.community_id,
            name=f"Building {number + 10}",
            address="",
            timezone="Asia/Shanghai",
        )
        await add_member(world.leader, building_id, Role.LEADER)
        await add_member(world.volunteer, building_id, Role.VOLUNTEER)
        await patrol_path_values(building_id, world.volunteer.id)
        await task_path_values(building_id, world.volunteer.id)
        await event_path_values(building_id, world.community_id, world.leader.id)
    for _ in range(3):
        await patrol_path_values(world.building_id, world.volunteer.id)
        await task_path_values(world.building_id, world.resident.id)
        await event_path_values(world.building_id, world.community_id, world.leader.id)


def test_every_page_runs_the_same_few_queries_at_one_building_and_at_fifty(
    web: Web, world: World, path_values: dict[str, Any]
) -> None:
    small = counts(web, world, path_values)
    assert {key.split(" ", 1)[1] for key in small} >= {case.path for case in pages()}, (
        "every page is opened by some role"
    )
    web.run(grow, world)
    large = counts(web, world, path_values)
    grown = {key: (small[key], large.get(key)) for key in small if small[key] != large.get(key)}
    assert not grown, f"query counts that grow with the data (one building, fifty): {grown}"
    over = {
        key: count
        for key, count in small.items()
        if count > OVER_BUDGET.get(key.split(" ", 1)[1], BUDGET)
    }
    assert not over, f"pages over {BUDGET} queries: {over}"
