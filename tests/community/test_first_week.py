"""Leaders are told what their saves did (issue 13, item 9): a change of role or a removal on
the members page, an appointment on the community page, which names each building's leaders."""

from __future__ import annotations

import pytest

from tests.accounts.pages import en, location
from tests.factories import World
from tests.web_client import Web, text_of


@pytest.mark.parametrize("htmx", [False, True])
def test_a_change_of_role_says_who_is_now_what(web: Web, world: World, htmx: bool) -> None:
    web.sign_in(world.leader.login)
    b = world.building_id
    resident = world.membership_of(world.resident)
    response = web.post(
        f"/b/{b}/members/{resident}/role", {"role": "volunteer"}, htmx=htmx, headers=en()
    )
    page = response if htmx else web.get(location(response), headers=en())
    assert "Resident Chen is now a volunteer of Building 2." in text_of(page)
    assert "is now a" not in text_of(web.get(f"/b/{b}/members", headers=en())), "said once"


def test_a_removal_says_who_left(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    b = world.building_id
    response = web.post(
        f"/b/{b}/members/{world.membership_of(world.resident)}/remove", headers=en()
    )
    page = web.get(location(response), headers=en())
    assert "Resident Chen is no longer a member of Building 2." in text_of(page)


def test_an_appointment_names_the_new_leader(web: Web, world: World) -> None:
    """The notice is the same whether the contact has an account (issue 10 item 8); a member
    who became leader is named in the building's list of leaders at once."""
    web.sign_in(world.admin.login)
    before = text_of(web.get("/admin", headers=en()))
    assert "Leaders: Leader Wang" in before
    response = web.post(
        f"/b/{world.building_id}/leaders", {"contact": world.volunteer.login}, headers=en()
    )
    page = text_of(web.get(location(response), headers=en()))
    assert "Saved. A member of this building with that phone number or email is a leader" in page
    assert "Leaders: Leader Wang, Volunteer Li" in page
    assert "2 leaders" in page


def test_a_building_without_a_leader_says_so(web: Web, world: World) -> None:
    web.sign_in(world.admin.login)
    response = web.post(
        f"/admin/c/{world.community_id}/buildings",
        {"name": "Building 7", "timezone": "Asia/Shanghai"},
        headers=en(),
    )
    page = text_of(web.get(location(response), headers=en()))
    assert "The building Building 7 is added." in page
    assert "No leader yet: appoint one below." in page


def test_a_new_join_link_says_the_old_one_stopped(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    response = web.post(f"/b/{world.building_id}/invite/reset", headers=en())
    page = text_of(web.get(location(response), headers=en()))
    assert "Here is a new join link. The old link and the old posters no longer work." in page
