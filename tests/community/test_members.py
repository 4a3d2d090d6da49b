"""A leader manages the building's members: roles, removal, and the last-leader rule."""

from __future__ import annotations

import html
import re

import pytest

from hub.accounts.actions import do_update_profile
from tests.accounts.pages import (
    assert_fragment,
    assert_page,
    en,
    location,
    selected,
)
from tests.audit_rows import audit
from tests.community.records import memberships, roles
from tests.factories import World
from tests.web_client import Web, text_of

LAST_LEADER = "A building needs at least one leader. Appoint another first."
GONE = "This member is no longer in the building."


def members_url(world: World) -> str:
    return f"/b/{world.building_id}/members"


def role_url(world: World, membership_id: int) -> str:
    return f"/b/{world.building_id}/members/{membership_id}/role"


def remove_url(world: World, membership_id: int) -> str:
    return f"/b/{world.building_id}/members/{membership_id}/remove"


@pytest.mark.parametrize("htmx", [False, True])
def test_leader_sees_members_with_their_skills(web: Web, world: World, htmx: bool) -> None:
    web.run(
        do_update_profile,
        world.volunteer.id,
        display_name="Volunteer Li",
        language="",
        large_text=False,
        skills=["plumbing", "electrics"],
    )
    web.sign_in(world.leader.login)
    response = web.get(members_url(world), htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    text = text_of(response)
    for person in (world.leader, world.volunteer, world.resident):
        assert person.name in text
        assert person.login in text
    assert "Electrics, Plumbing" in text
    assert world.other_leader.name not in text
    resident = world.membership_of(world.resident)
    assert selected(response, f"role-{resident}") == ["resident"]
    assert selected(response, f"role-{world.membership_of(world.leader)}") == ["leader"]


def test_only_the_buildings_leaders_manage_members(web: Web, world: World) -> None:
    resident = world.membership_of(world.resident)
    for who, status in [("resident", 403), ("volunteer", 403), ("other_leader", 404)]:
        web.sign_in(world.people[who].login)
        assert web.get(members_url(world)).status_code == status, who
        assert web.post(role_url(world, resident), {"role": "leader"}).status_code == status
        assert web.post(remove_url(world, resident)).status_code == status
        web.sign_out()
    assert roles(web, world.building_id)[world.resident.id] == "resident"


def test_members_page_needs_sign_in(web: Web, world: World) -> None:
    assert location(web.get(members_url(world))) == f"/login?next={members_url(world)}"


def test_promote_resident_to_volunteer(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    resident = world.membership_of(world.resident)
    response = web.post(role_url(world, resident), {"role": "volunteer"})
    assert location(response) == members_url(world)
    assert roles(web, world.building_id)[world.resident.id] == "volunteer"
    assert selected(web.get(members_url(world)), f"role-{resident}") == ["volunteer"]
    changes = audit(web, "member.role")
    assert [(row["actor"], row["building"], row["detail"]) for row in changes] == [
        (world.leader.id, world.building_id, f"user={world.resident.id} role=volunteer")
    ]


def test_promote_as_htmx_answers_the_updated_list(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    resident = world.membership_of(world.resident)
    response = web.post(role_url(world, resident), {"role": "volunteer"}, htmx=True, headers=en())
    assert_fragment(response)
    assert "Members" in text_of(response)
    assert selected(response, f"role-{resident}") == ["volunteer"]
    assert roles(web, world.building_id)[world.resident.id] == "volunteer"


def test_a_second_leader_can_be_made_and_the_first_stepped_down(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    volunteer = world.membership_of(world.volunteer)
    leader = world.membership_of(world.leader)
    assert location(web.post(role_url(world, volunteer), {"role": "leader"}))
    assert location(web.post(role_url(world, leader), {"role": "resident"}))
    assert roles(web, world.building_id)[world.leader.id] == "resident"
    assert roles(web, world.building_id)[world.volunteer.id] == "leader"
    assert len(audit(web, "member.role")) == 2
    # No longer a leader: the members page is closed to them now.
    assert web.get(members_url(world)).status_code == 403


@pytest.mark.parametrize("htmx", [False, True])
def test_remove_a_member(web: Web, world: World, htmx: bool) -> None:
    web.sign_in(world.leader.login)
    resident = world.membership_of(world.resident)
    response = web.post(remove_url(world, resident), htmx=htmx, headers=en())
    if htmx:
        assert_fragment(response)
        page = response
    else:
        assert location(response) == members_url(world)
        page = web.get(members_url(world), headers=en())
    listed = page.text.split('id="members"', 1)[1]
    assert world.resident.name not in listed
    assert world.volunteer.name in listed
    assert f"{world.resident.name} is no longer a member of Building 2." in text_of(page)
    assert world.resident.id not in roles(web, world.building_id)
    removals = audit(web, "member.removed")
    assert [(row["actor"], row["building"], row["detail"]) for row in removals] == [
        (world.leader.id, world.building_id, f"user={world.resident.id}")
    ]
    # The removed resident no longer sees the building.
    web.sign_out()
    web.sign_in(world.resident.login)
    assert "You are not in a building yet" in text_of(web.get("/", headers=en()))


@pytest.mark.parametrize("change", ["demote", "remove"])
@pytest.mark.parametrize("htmx", [False, True])
def test_the_last_leader_stays(web: Web, world: World, change: str, htmx: bool) -> None:
    web.sign_in(world.leader.login)
    leader = world.membership_of(world.leader)
    before = memberships(web)
    if change == "demote":
        response = web.post(role_url(world, leader), {"role": "volunteer"}, htmx=htmx, headers=en())
    else:
        response = web.post(remove_url(world, leader), htmx=htmx, headers=en())
    assert_page(response, 409, htmx=htmx)
    assert LAST_LEADER in text_of(response)
    assert selected(response, f"role-{leader}") == ["leader"]
    assert memberships(web) == before
    assert audit(web, "member.role") == []
    assert audit(web, "member.removed") == []


def test_a_member_not_in_this_building_is_refused(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    before = memberships(web)
    audit_before = audit(web)
    for membership_id in (999999, world.membership_of(world.other_leader)):
        demote = web.post(role_url(world, membership_id), {"role": "resident"}, headers=en())
        remove = web.post(remove_url(world, membership_id), headers=en())
        for response in (demote, remove):
            assert response.status_code == 409, membership_id
            assert GONE in text_of(response)
    assert memberships(web) == before
    assert audit(web) == audit_before


def test_a_membership_id_that_is_not_a_number_is_not_a_server_error(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    response = web.post(f"/b/{world.building_id}/members/abc/role", {"role": "resident"})
    assert 400 <= response.status_code < 500


def test_an_unknown_role_is_refused(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    resident = world.membership_of(world.resident)
    for role in ["king", "", "LEADER"]:
        response = web.post(role_url(world, resident), {"role": role}, headers=en())
        assert response.status_code == 422, role
        assert "Please choose one of the options." in text_of(response)
    assert roles(web, world.building_id)[world.resident.id] == "resident"


def test_a_community_admin_manages_members_without_being_one(web: Web, world: World) -> None:
    web.sign_in(world.admin.login)
    resident = world.membership_of(world.resident)
    assert web.get(members_url(world)).status_code == 200
    assert location(web.post(role_url(world, resident), {"role": "leader"}))
    changes = audit(web, "member.role")
    assert [row["actor"] for row in changes] == [world.admin.id]
    # With a second leader, the first one may step down.
    leader = world.membership_of(world.leader)
    assert location(web.post(remove_url(world, leader)))
    assert set(roles(web, world.building_id)) == {world.volunteer.id, world.resident.id}


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("change", ["step down", "leave"])
def test_a_leader_who_steps_down_or_leaves_goes_back_to_today(
    web: Web, world: World, change: str, htmx: bool
) -> None:
    web.sign_in(world.leader.login)
    web.post(role_url(world, world.membership_of(world.volunteer)), {"role": "leader"})
    own = world.membership_of(world.leader)
    if change == "step down":
        response = web.post(role_url(world, own), {"role": "volunteer"}, htmx=htmx)
    else:
        response = web.post(remove_url(world, own), htmx=htmx)
    assert location(response) == "/"
    assert web.get("/").status_code == 200


def role_grants(response_text: str) -> dict[str, list[str]]:
    """The members page's "what each role may do": role -> its lines."""
    block = re.search(r'<details class="card role-grants">(.*?)</details>', response_text, re.S)
    assert block is not None, "no role descriptions on the page"
    return {
        html.unescape(role.strip()): [
            html.unescape(line.strip()) for line in re.findall(r"<li>(.*?)</li>", lines, re.S)
        ]
        for role, lines in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", block.group(1), re.S)
    }


@pytest.mark.parametrize(
    ("language", "roles", "walk", "appoint"),
    [
        (
            "en",
            ("Resident", "Volunteer", "Leader"),
            "Sign up for patrol shifts and walk rounds",
            "Appoint a building's leaders",
        ),
        (
            "zh",
            ("居民", "志愿者", "楼组长"),
            "报名巡逻班次并巡逻",
            "任命楼组长",
        ),
    ],
)
def test_the_members_page_says_what_each_role_may_do(
    web: Web, world: World, language: str, roles: tuple[str, str, str], walk: str, appoint: str
) -> None:
    """Read from the grants, in the page's language, each role with what it adds to the one
    above it: volunteers walk rounds, residents do not; appointing leaders is a community
    admin's, no role's here."""
    web.sign_in(world.leader.login)
    page = web.get(members_url(world), headers={"Accept-Language": language}).text
    grants = role_grants(page)
    resident, volunteer, leader = roles
    assert list(grants) == [resident, volunteer, leader]
    assert walk not in grants[resident]
    assert walk in grants[volunteer]
    assert walk not in grants[leader]  # said once, where it is first granted
    assert all(grants.values())
    assert not any(appoint in line for lines in grants.values() for line in lines)
    above = "Everything above, and:" if language == "en" else "以上各项，另加："
    assert page.count(above) == 2
