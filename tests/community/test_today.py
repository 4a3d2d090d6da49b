"""Today: the building and one's role, and the member list for leaders."""

from __future__ import annotations

import pytest

from tests.accounts.pages import assert_full_page, assert_page, en, location
from tests.factories import World, make_person
from tests.web_client import Web, text_of


def test_today_needs_sign_in(web: Web) -> None:
    target = location(web.get("/"))
    assert target in {"/login?next=/", "/login?next=%2F"}


@pytest.mark.parametrize(("who", "role"), [("resident", "Resident"), ("volunteer", "Volunteer")])
def test_members_see_building_and_role_but_no_member_list(
    web: Web, world: World, who: str, role: str
) -> None:
    web.sign_in(world.people[who].login)
    response = web.get("/", headers=en())
    assert_full_page(response)
    text = text_of(response)
    assert "Building 2" in text
    assert "Dekang Garden" in text
    assert f"Your role: {role}" in text
    assert "Manage members" not in text
    assert world.leader.name not in text
    assert f"/b/{world.building_id}/members" not in response.text


@pytest.mark.parametrize("htmx", [False, True])
def test_leader_sees_the_member_list(web: Web, world: World, htmx: bool) -> None:
    web.sign_in(world.leader.login)
    response = web.get("/", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    text = text_of(response)
    assert "Your role: Leader" in text
    for person in (world.leader, world.volunteer, world.resident):
        assert person.name in text
    assert world.other_leader.name not in text
    assert "Manage members" in text
    assert f'href="/b/{world.building_id}/members"' in response.text
    assert f'href="/b/{world.building_id}/invite"' in response.text


def test_admin_sees_their_building_as_community_admin(web: Web, world: World) -> None:
    web.sign_in(world.admin.login)
    text = text_of(web.get("/", headers=en()))
    assert "Building 2" in text
    assert "community admin" in text
    assert world.resident.name in text


@pytest.mark.parametrize("htmx", [False, True])
def test_someone_in_no_building_is_told_how_to_join(web: Web, htmx: bool) -> None:
    person = web.run(make_person, "Lonely Zhou")
    web.sign_in(person.login)
    response = web.get("/", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    text = text_of(response)
    assert "You are not in a building yet" in text
    assert "Add a building" not in text
    # No way into a building (the layout's list of queueable routes names no building).
    assert '="/b/' not in response.text


def test_htmx_history_restore_gets_the_whole_page(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    response = web.get("/", htmx=True, headers={"HX-History-Restore-Request": "true"})
    assert_full_page(response)


def test_a_big_building_shows_its_leader_only_the_newest_members(web: Web, world: World) -> None:
    """Today stays light in a building of hundreds: the five who joined last, the counts, and
    the way to the full list."""
    from hub.community.roles import Role
    from tests.factories import add_member

    async def seven_more() -> list[str]:
        names = []
        for n in range(7):
            person = await make_person(f"Newcomer {n}")
            await add_member(person, world.building_id, Role.RESIDENT)
            names.append(person.name)
        return names

    newcomers = web.run(seven_more)
    web.sign_in(world.leader.login)
    text = text_of(web.get("/", headers=en()))
    for name in newcomers[-5:]:
        assert name in text
    for name in [*newcomers[:2], world.resident.name]:
        assert name not in text
    assert "8 residents" in text
    assert "Manage members" in text
