"""The community admin: communities, buildings and appointing leaders."""

from __future__ import annotations

import re

import pytest

from hub.community.tables import Building, Community, CommunityAdmin
from tests.accounts.pages import (
    assert_fragment,
    assert_full_page,
    assert_page,
    en,
    field_error,
    input_value,
    location,
)
from tests.audit_rows import audit
from tests.community.records import roles
from tests.factories import World, make_person
from tests.web_client import Web, text_of

NOT_A_CONTACT = "Please give a mobile number such as 13812345678, or an email address."


def spaced(phone: str) -> str:
    return f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}"


def buildings_of(web: Web, community_id: int) -> list[dict]:
    async def read() -> list[dict]:
        return await Building.select(Building.name, Building.address, Building.timezone).where(
            Building.community == community_id
        )

    return web.run(read)


@pytest.mark.parametrize("htmx", [False, True])
def test_admin_sees_communities_buildings_and_counts(web: Web, world: World, htmx: bool) -> None:
    web.sign_in(world.admin.login)
    response = web.get("/admin", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    text = text_of(response)
    assert "Dekang Garden" in text
    assert "Building 2" in text
    assert "1 leader · 1 volunteer · 1 resident" in text
    assert "Chenyang" not in text
    assert "Block 4" not in text


def test_only_admins_open_the_admin_page(web: Web, world: World) -> None:
    building = {"name": "B9", "timezone": "Asia/Shanghai"}
    appoint = {"contact": world.volunteer.login}
    for who, on_building in [("leader", 403), ("resident", 403), ("other_leader", 404)]:
        web.sign_in(world.people[who].login)
        assert web.get("/admin").status_code == 403, who
        assert web.post("/admin/communities", {"name": "Mine"}).status_code == 403
        response = web.post(f"/admin/c/{world.community_id}/buildings", building)
        assert response.status_code == 404
        response = web.post(f"/b/{world.building_id}/leaders", appoint)
        assert response.status_code == on_building, who
        web.sign_out()
    assert [b["name"] for b in buildings_of(web, world.community_id)] == ["Building 2"]
    assert roles(web, world.building_id)[world.volunteer.id] == "volunteer"


def test_admin_page_needs_sign_in(web: Web, world: World) -> None:
    assert location(web.get("/admin")) == "/login?next=/admin"


def test_create_a_community(web: Web, world: World) -> None:
    web.sign_in(world.admin.login)
    response = web.post("/admin/communities", {"name": "  Sunny   Court "})
    assert location(response) == "/admin"
    assert "Sunny Court" in text_of(web.get("/admin", headers=en()))

    async def read() -> tuple[int, int]:
        community = await Community.select(Community.id).where(Community.name == "Sunny Court")
        assert len(community) == 1
        community_id = community[0]["id"]
        admins = await CommunityAdmin.select(CommunityAdmin.user).where(
            CommunityAdmin.community == community_id
        )
        assert [row["user"] for row in admins] == [world.admin.id]
        return community_id, len(admins)

    community_id, _ = web.run(read)
    created = [row for row in audit(web, "community.created") if row["actor"] == world.admin.id]
    assert len(created) == 2  # Dekang Garden in the world, and this one
    # The new community takes buildings from its admin straight away.
    response = web.post(
        f"/admin/c/{community_id}/buildings", {"name": "Tower 1", "timezone": "Asia/Shanghai"}
    )
    assert location(response) == "/admin"


@pytest.mark.parametrize("htmx", [False, True])
def test_community_needs_a_name(web: Web, world: World, htmx: bool) -> None:
    web.sign_in(world.admin.login)
    response = web.post("/admin/communities", {"name": " "}, htmx=htmx, headers=en())
    assert_page(response, 422, htmx=htmx)
    assert field_error(response, "community-name") == "Please fill this in."
    too_long = web.post("/admin/communities", {"name": "n" * 121}, headers=en())
    assert too_long.status_code == 422
    assert field_error(too_long, "community-name") == "Please keep this under 120 characters."
    assert input_value(too_long, "name", form="/admin/communities") == "n" * 121


def test_create_a_building_with_its_time_zone(web: Web, world: World) -> None:
    web.sign_in(world.admin.login)
    response = web.post(
        f"/admin/c/{world.community_id}/buildings",
        {"name": "Building 7", "address": "7 Dekang Road", "timezone": "Europe/Berlin"},
    )
    assert location(response) == "/admin"
    created = [b for b in buildings_of(web, world.community_id) if b["name"] == "Building 7"]
    assert created == [
        {"name": "Building 7", "address": "7 Dekang Road", "timezone": "Europe/Berlin"}
    ]
    text = text_of(web.get("/admin", headers=en()))
    assert "Building 7" in text
    assert "7 Dekang Road" in text
    assert "building.created" in [
        row["action"] for row in audit(web) if row["detail"] == "Building 7"
    ]


def test_a_bad_time_zone_is_refused(web: Web, world: World) -> None:
    web.sign_in(world.admin.login)
    action = f"/admin/c/{world.community_id}/buildings"
    for timezone in ["Mars/Olympus_Mons", "", "asia/shanghai"]:
        form = {"name": "Building 8", "address": "8 Dekang Road", "timezone": timezone}
        response = web.post(action, form, headers=en())
        assert_full_page(response, 422)
        assert input_value(response, "name", form=action) == "Building 8"
        assert input_value(response, "address", form=action) == "8 Dekang Road"
        prefix = f"building-{world.community_id}-"
        assert field_error(response, f"{prefix}timezone") == "Please choose one of the options."
        assert re.search(rf'<select id="{prefix}timezone"[^>]*aria-invalid="true"', response.text)
    assert [b["name"] for b in buildings_of(web, world.community_id)] == ["Building 2"]


def test_building_needs_a_name(web: Web, world: World) -> None:
    web.sign_in(world.admin.login)
    form = {"name": "", "timezone": "Asia/Shanghai"}
    response = web.post(f"/admin/c/{world.community_id}/buildings", form, headers=en())
    assert response.status_code == 422
    assert field_error(response, f"building-{world.community_id}-name") == "Please fill this in."


def test_no_building_in_another_admins_community(web: Web, world: World) -> None:
    web.sign_in(world.admin.login)
    form = {"name": "Intruder", "timezone": "Asia/Shanghai"}
    response = web.post(f"/admin/c/{world.other_community_id}/buildings", form)
    assert response.status_code == 404
    assert [b["name"] for b in buildings_of(web, world.other_community_id)] == ["Block 4"]


def test_appoint_a_leader_by_phone(web: Web, world: World) -> None:
    web.sign_in(world.admin.login)
    response = web.post(
        f"/b/{world.building_id}/leaders", {"contact": spaced(world.resident.login)}
    )
    assert location(response) == f"/admin?appointed={world.building_id}"
    assert roles(web, world.building_id)[world.resident.id] == "leader"
    changes = audit(web, "member.role")
    assert [(row["actor"], row["detail"]) for row in changes] == [
        (world.admin.id, f"user={world.resident.id} role=leader")
    ]
    assert "2 leaders · 1 volunteer · 0 residents" in text_of(web.get("/admin", headers=en()))

    web.sign_out()
    web.sign_in(world.resident.login)
    today = web.get("/", headers=en())
    assert f'href="/b/{world.building_id}/members"' in today.text
    assert web.get(f"/b/{world.building_id}/members").status_code == 200


def test_someone_outside_the_building_is_invited_and_takes_it_on_signing_in(
    web: Web, world: World
) -> None:
    newcomer = web.run(make_person, "Newcomer Sun", email="sun@example.org")
    web.sign_in(world.admin.login)
    response = web.post(f"/b/{world.building_id}/leaders", {"contact": "SUN@example.org"})
    assert location(response) == f"/admin?appointed={world.building_id}"
    assert newcomer.id not in roles(web, world.building_id)  # not before they sign in
    assert [row["detail"] for row in audit(web, "leader.invited")] == ["sun@example.org"]
    web.sign_out()
    web.sign_in(newcomer.login)
    assert roles(web, world.building_id)[newcomer.id] == "leader"
    joined = audit(web, "member.joined")
    assert [(row["actor"], row["detail"]) for row in joined] == [
        (world.admin.id, f"user={newcomer.id} role=leader")
    ]
    web.sign_out()
    web.sign_in(newcomer.login)  # taken once
    assert len(audit(web, "member.joined")) == 1


def test_an_invitation_waits_for_an_account_made_later(web: Web, world: World) -> None:
    from tests.community.records import join_token

    web.sign_in(world.admin.login)
    web.post(f"/b/{world.building_id}/leaders", {"contact": "13811119999"})
    web.sign_out()
    form = {"display_name": "Uncle Qian", "contact": "13811119999", "password": "my own secret"}
    token = join_token(web, world.other_building_id)
    assert location(web.post(f"/join/{token}", form)) == "/"
    [user_id] = [
        uid
        for uid, role in roles(web, world.building_id).items()
        if role == "leader" and uid != world.leader.id
    ]
    assert roles(web, world.other_building_id)[user_id] == "resident"


def test_the_answer_is_the_same_whether_an_account_exists_or_not(web: Web, world: World) -> None:
    web.sign_in(world.admin.login)
    answers = set()
    for contact in (world.other_leader.login, "13811119999", "other-admin@example.org", "x@y.org"):
        response = web.post(f"/b/{world.building_id}/leaders", {"contact": contact})
        page = web.get(response.headers["location"], headers=en())
        answers.add((response.status_code, response.headers["location"], text_of(page)))
    assert len(answers) == 1
    assert world.other_leader.id not in roles(web, world.building_id)


@pytest.mark.parametrize("htmx", [False, True])
def test_appointing_needs_a_phone_or_email(web: Web, world: World, htmx: bool) -> None:
    web.sign_in(world.admin.login)
    before = roles(web, world.building_id)
    action = f"/b/{world.building_id}/leaders"
    for contact, message in [
        ("not a contact", NOT_A_CONTACT),
        ("", "Please fill this in."),
    ]:
        response = web.post(action, {"contact": contact}, htmx=htmx, headers=en())
        assert_page(response, 422, htmx=htmx)
        assert field_error(response, f"leader-{world.building_id}-contact") == message, contact
        assert input_value(response, "contact", form=action) == contact
    assert roles(web, world.building_id) == before


def test_no_leader_appointed_in_another_admins_building(web: Web, world: World) -> None:
    web.sign_in(world.admin.login)
    response = web.post(f"/b/{world.other_building_id}/leaders", {"contact": world.resident.login})
    assert response.status_code == 404
    assert world.resident.id not in roles(web, world.other_building_id)


def test_admin_forms_from_htmx(web: Web, world: World) -> None:
    web.sign_in(world.admin.login)
    action = f"/admin/c/{world.community_id}/buildings"
    refused = web.post(action, {"name": "B5", "timezone": "Nowhere"}, htmx=True, headers=en())
    assert_fragment(refused, 422)
    assert "Please choose one of the options." in text_of(refused)
    building = {"name": "B5", "timezone": "Asia/Shanghai"}
    assert location(web.post(action, building, htmx=True)) == "/admin"
    assert location(web.post("/admin/communities", {"name": "C5"}, htmx=True)) == "/admin"
    page = web.get("/admin", htmx=True, headers=en())
    assert_fragment(page)
    assert "B5" in text_of(page)
    assert "C5" in text_of(page)
