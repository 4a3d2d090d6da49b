"""Joining a building by its link, switching between buildings, and resetting the link."""

from __future__ import annotations

import pytest

from hub.accounts.tables import User
from tests.accounts.pages import (
    assert_fragment,
    assert_page,
    en,
    field_error,
    input_value,
    location,
    selected,
)
from tests.audit_rows import audit
from tests.community.records import join_token, roles
from tests.factories import World
from tests.web_client import PASSWORD, Web, text_of

NEWCOMER = {
    "display_name": "Aunt Wang, 6F",
    "contact": "+86 137 0000 1234",
    "password": "my own secret",
}


def user_count(web: Web) -> int:
    return web.run(User.count)


@pytest.mark.parametrize("htmx", [False, True])
def test_join_page_shows_the_building(web: Web, world: World, htmx: bool) -> None:
    token = join_token(web, world.building_id)
    response = web.get(f"/join/{token}", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    text = text_of(response)
    assert "Join Building 2" in text
    assert "Dekang Garden" in text
    assert input_value(response, "display_name") == ""


def test_unknown_join_link_is_not_found(web: Web, world: World) -> None:
    assert web.get("/join/not-a-token").status_code == 404
    assert web.post("/join/not-a-token", NEWCOMER).status_code == 404
    assert web.get("/join/not-a-token", htmx=True).status_code == 404


@pytest.mark.parametrize("htmx", [False, True])
def test_joining_makes_a_resident_and_signs_in(web: Web, world: World, htmx: bool) -> None:
    token = join_token(web, world.building_id)
    response = web.post(f"/join/{token}", NEWCOMER, htmx=htmx, headers=en())
    assert location(response) == "/"

    today = web.get("/", htmx=htmx, headers=en())
    if htmx:
        assert_fragment(today)
    text = text_of(today)
    assert "Building 2" in text
    assert "Resident" in text
    assert "Resident Chen" not in text, "residents see no member list"

    async def new_user() -> dict:
        row = await User.select(User.id, User.phone, User.display_name).where(
            User.phone == "13700001234"
        )
        assert len(row) == 1
        return row[0]

    user = web.run(new_user)
    assert user["display_name"] == "Aunt Wang, 6F"
    assert roles(web, world.building_id)[user["id"]] == "resident"
    joined = audit(web, "member.joined")
    assert [(row["actor"], row["building"]) for row in joined] == [(user["id"], world.building_id)]

    web.sign_out()
    web.sign_in("13700001234", NEWCOMER["password"])


def test_joining_with_an_email_in_capitals(web: Web, world: World) -> None:
    token = join_token(web, world.building_id)
    form = {**NEWCOMER, "contact": "Aunt.Wang@Example.ORG"}
    assert location(web.post(f"/join/{token}", form)) == "/"
    web.sign_out()
    web.sign_in("aunt.wang@example.org", NEWCOMER["password"])


NO_MATCH = "That phone number or email and password do not match."


@pytest.mark.parametrize("htmx", [False, True])
def test_a_phone_already_used_is_refused(web: Web, world: World, htmx: bool) -> None:
    token = join_token(web, world.building_id)
    before = user_count(web)
    form = {**NEWCOMER, "contact": world.other_leader.login}
    response = web.post(f"/join/{token}", form, htmx=htmx, headers=en())
    assert_page(response, 422, htmx=htmx)
    assert field_error(response, "f-password") == NO_MATCH
    assert input_value(response, "display_name") == NEWCOMER["display_name"]
    assert input_value(response, "contact") == world.other_leader.login
    assert input_value(response, "password") is None
    assert NEWCOMER["password"] not in response.text
    assert user_count(web) == before
    assert web.get("/").status_code == 303, "a refused join does not sign in"


def test_the_join_form_does_not_say_whether_an_account_exists(web: Web, world: World) -> None:
    """A taken phone or email gets the sign-in form's answer to a wrong password: nothing says
    that an account exists, and the same words answer a wrong sign-in for an unknown login."""
    token = join_token(web, world.building_id)
    for contact in (world.other_leader.login, "ADMIN@example.org"):
        response = web.post(f"/join/{token}", {**NEWCOMER, "contact": contact}, headers=en())
        page = text_of(response).lower()
        assert "exist" not in page, contact
        assert "account with this" not in page, contact
        assert field_error(response, "f-password") == NO_MATCH
    unknown = web.post("/login", {"login": "13700009999", "password": "x"}, headers=en())
    assert NO_MATCH in text_of(unknown)


def test_someone_with_an_account_joins_with_its_password(web: Web, world: World) -> None:
    token = join_token(web, world.building_id)
    before = user_count(web)
    form = {**NEWCOMER, "contact": world.other_leader.login, "password": PASSWORD}
    assert location(web.post(f"/join/{token}", form)) == "/"
    assert user_count(web) == before
    assert roles(web, world.building_id)[world.other_leader.id] == "resident"
    assert web.get("/").status_code == 200


def test_bad_join_input_is_refused(web: Web, world: World) -> None:
    token = join_token(web, world.building_id)
    before = user_count(web)
    not_a_contact = "Please give a mobile number such as 13812345678, or an email address."
    for changes, field, message in [
        ({"contact": "1234"}, "f-contact", not_a_contact),
        ({"contact": "wang@@example"}, "f-contact", not_a_contact),
        ({"contact": ""}, "f-contact", "Please fill this in."),
        ({"display_name": ""}, "f-display_name", "Please fill this in."),
        ({"display_name": "n" * 81}, "f-display_name", "Please keep this under 80 characters."),
        ({"password": "1234567"}, "f-password", "Please use at least 8 characters."),
    ]:
        response = web.post(f"/join/{token}", {**NEWCOMER, **changes}, headers=en())
        assert response.status_code == 422, changes
        assert field_error(response, field) == message
    assert user_count(web) == before


def test_signed_in_user_joins_with_one_post_and_switches(web: Web, world: World) -> None:
    token = join_token(web, world.building_id)
    web.sign_in(world.other_leader.login)
    page = web.get(f"/join/{token}", headers=en())
    assert "Join this building" in text_of(page)
    assert 'name="password"' not in page.text, "no account form for a signed-in user"

    response = web.post(f"/join/{token}")
    assert location(response) == "/"
    assert roles(web, world.building_id)[world.other_leader.id] == "resident"
    assert roles(web, world.other_building_id)[world.other_leader.id] == "leader"
    joined = audit(web, "member.joined")
    assert [(row["actor"], row["building"]) for row in joined] == [
        (world.other_leader.id, world.building_id)
    ]

    today = web.get("/", headers=en())
    assert "Resident" in text_of(today)
    assert selected(today, "building-switch") == [str(world.building_id)]

    switched = web.post("/switch", {"building_id": str(world.other_building_id)})
    assert location(switched) == "/"
    today = web.get("/", headers=en())
    assert "Block 4" in text_of(today)
    assert "Leader" in text_of(today)
    assert selected(today, "building-switch") == [str(world.other_building_id)]

    back = web.post("/switch", {"building_id": str(world.building_id)}, htmx=True)
    assert location(back) == "/"
    assert selected(web.get("/"), "building-switch") == [str(world.building_id)]

    assert "You are already a member of this building." in text_of(
        web.get(f"/join/{token}", headers=en())
    )


def test_switching_to_a_building_one_is_not_in_is_not_found(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    for value in [str(world.other_building_id), "999999", "Block 4", "", "-1"]:
        response = web.post("/switch", {"building_id": value})
        assert response.status_code == 404, value
    assert "Building 2" in text_of(web.get("/"))


def test_switch_needs_sign_in(web: Web, world: World) -> None:
    response = web.post("/switch", {"building_id": str(world.building_id)})
    assert location(response).startswith("/login")


def test_joining_again_keeps_a_higher_role(web: Web, world: World) -> None:
    token = join_token(web, world.building_id)
    web.sign_in(world.volunteer.login)
    assert location(web.post(f"/join/{token}")) == "/"
    assert roles(web, world.building_id)[world.volunteer.id] == "volunteer"
    assert audit(web, "member.joined") == []


def test_reset_link_stops_the_old_one(web: Web, world: World) -> None:
    old = join_token(web, world.building_id)
    web.sign_in(world.leader.login)
    response = web.post(f"/b/{world.building_id}/invite/reset")
    assert location(response) == f"/b/{world.building_id}/invite"
    new = join_token(web, world.building_id)
    assert new != old
    resets = audit(web, "invite.reset")
    assert [(row["actor"], row["building"]) for row in resets] == [
        (world.leader.id, world.building_id)
    ]
    web.sign_out()
    assert web.get(f"/join/{old}").status_code == 404
    assert web.post(f"/join/{old}", NEWCOMER).status_code == 404
    assert web.get(f"/join/{new}").status_code == 200


def test_joining_is_rate_limited(web: Web, world: World) -> None:
    token = join_token(web, world.building_id)
    before = user_count(web)
    for _attempt in range(10):
        response = web.post(f"/join/{token}", {**NEWCOMER, "contact": "1"})
        assert response.status_code == 422
    response = web.post(f"/join/{token}", NEWCOMER, headers=en())
    assert response.status_code == 429
    assert "Too many attempts" in text_of(response)
    assert user_count(web) == before


def test_names_are_shown_as_text_not_markup(web: Web, world: World) -> None:
    token = join_token(web, world.building_id)
    form = {**NEWCOMER, "display_name": "<b>Wang</b><script>x()</script>"}
    assert location(web.post(f"/join/{token}", form)) == "/"
    web.sign_out()
    web.sign_in(world.leader.login)
    page = web.get(f"/b/{world.building_id}/members")
    assert "<script>x()" not in page.text
    assert "&lt;b&gt;Wang&lt;/b&gt;&lt;script&gt;x()&lt;/script&gt;" in page.text
