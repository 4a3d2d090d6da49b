"""Helpers for the web tests: acting as each role of the world, and filling route parameters."""

from __future__ import annotations

from typing import Any

import pytest

from hub.community import queries
from tests.factories import World
from tests.web_client import Web

ROLES = ("anonymous", "resident", "volunteer", "leader", "admin", "other_leader")


def reset_rate_limit(web: Web) -> None:
    """Forget the sign-in and join attempts counted so far, as if a minute had passed."""
    from hub.accounts.attempts import forget_attempts

    web.run(forget_attempts)


def act_as(web: Web, world: World, role: str) -> None:
    """Drop every cookie, then sign in as the person with this role (none for anonymous)."""
    web.client.cookies.clear()
    reset_rate_limit(web)
    if role != "anonymous":
        web.sign_in(world.people[role].login)


def join_token(web: Web, building_id: int) -> str:
    building = web.run(queries.building, building_id)
    assert building is not None
    return str(building["join_token"])


@pytest.fixture
def path_values(web: Web, world: World) -> dict[str, Any]:
    """A value for every path parameter, all pointing into building A."""
    from hub.community.actions import do_issue_setup_token, new_token
    from hub.events.actions import do_calendar_token
    from tests.events.support import path_values_in
    from tests.notifications.support import path_values_in as notification_path_values
    from tests.patrols.world import path_values_in as patrol_path_values
    from tests.tasks.support import path_values_in as task_path_values

    assert web.run(do_issue_setup_token) is None, (
        "setup tokens exist only while nobody has signed up"
    )
    return {
        "building_id": world.building_id,
        "community_id": world.community_id,
        "membership_id": world.membership_of(world.resident),
        "token": join_token(web, world.building_id),
        "setup_token": new_token(),
        **web.run(path_values_in, world.building_id, world.community_id, world.leader.id),
        "feed_token": web.run(do_calendar_token, world.resident.id),
        **web.run(patrol_path_values, world.building_id, world.volunteer.id),
        **web.run(task_path_values, world.building_id, world.resident.id),
        **web.run(notification_path_values, world.resident.id),
    }
