"""First start: the one-time setup link makes the first community, building and admin."""

from __future__ import annotations

import pytest

from hub.accounts.tables import User
from hub.community import actions
from hub.community.tables import Building, Community, CommunityAdmin
from tests.accounts.pages import (
    assert_page,
    en,
    field_error,
    input_value,
    location,
)
from tests.audit_rows import audit
from tests.factories import World
from tests.web_client import Web, text_of

SETUP = {
    "community_name": "Dekang Garden",
    "building_name": "Building 2",
    "display_name": "Admin Liu",
    "contact": "+86 138 1234 5678",
    "password": "first admin secret",
}


def setup_token(web: Web) -> str:
    token = web.run(actions.do_issue_setup_token)
    assert token
    return token


def counts(web: Web) -> tuple[int, int, int]:
    async def read() -> tuple[int, int, int]:
        return (await User.count(), await Community.count(), await Building.count())

    return web.run(read)


@pytest.mark.parametrize("htmx", [False, True])
def test_setup_page_opens_with_the_token(web: Web, htmx: bool) -> None:
    token = setup_token(web)
    response = web.get(f"/setup/{token}", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    assert "Set up Hub" in text_of(response)


@pytest.mark.parametrize("htmx", [False, True])
def test_setup_page_without_the_right_token_is_not_found(web: Web, htmx: bool) -> None:
    setup_token(web)
    response = web.get("/setup/not-the-token", htmx=htmx, headers=en())
    assert response.status_code == 404
    assert "Not found" in text_of(response)
    post = web.post("/setup/not-the-token", SETUP)
    assert post.status_code == 404
    assert counts(web) == (0, 0, 0)


def test_no_token_once_someone_has_an_account(web: Web, world: World) -> None:
    assert web.run(actions.do_issue_setup_token) is None


def test_a_new_token_replaces_the_old_one(web: Web) -> None:
    old = setup_token(web)
    new = setup_token(web)
    assert web.get(f"/setup/{old}").status_code == 404
    assert web.get(f"/setup/{new}").status_code == 200


def test_setup_creates_community_building_and_admin(web: Web) -> None:
    token = setup_token(web)
    response = web.post(f"/setup/{token}", SETUP, headers=en())
    assert location(response) == "/admin"

    admin_page = web.get("/admin", headers=en())
    assert admin_page.status_code == 200
    assert "Dekang Garden" in text_of(admin_page)
    assert "Building 2" in text_of(admin_page)
    today = text_of(web.get("/", headers=en()))
    assert "Building 2" in today
    assert "community admin" in today

    async def read() -> tuple[dict, int]:
        user = await User.select(User.id, User.phone, User.language).first()
        assert user is not None
        admins = await CommunityAdmin.count().where(CommunityAdmin.user == user["id"])
        return user, admins

    user, admins = web.run(read)
    assert user["phone"] == "13812345678"
    assert user["language"] == "en"
    assert admins == 1
    assert counts(web) == (1, 1, 1)
    actions_logged = [(row["action"], row["actor"]) for row in audit(web)]
    assert ("community.created", user["id"]) in actions_logged
    assert ("building.created", user["id"]) in actions_logged

    # The token is spent.
    assert web.get(f"/setup/{token}").status_code == 404
    assert web.post(f"/setup/{token}", SETUP).status_code == 404
    assert counts(web) == (1, 1, 1)

    # The admin signs in again with the phone number as typed.
    web.sign_out()
    web.sign_in("138-1234-5678", SETUP["password"])
    assert web.get("/admin").status_code == 200


@pytest.mark.parametrize("htmx", [False, True])
def test_missing_fields_are_asked_for_and_typed_values_kept(web: Web, htmx: bool) -> None:
    token = setup_token(web)
    form = {**SETUP, "community_name": "", "building_name": "  ", "display_name": ""}
    response = web.post(f"/setup/{token}", form, htmx=htmx, headers=en())
    assert_page(response, 422, htmx=htmx)
    for name in ("community_name", "building_name", "display_name"):
        assert field_error(response, f"f-{name}") == "Please fill this in."
    assert input_value(response, "contact") == SETUP["contact"]
    assert input_value(response, "password") is None
    assert SETUP["password"] not in response.text
    assert counts(web) == (0, 0, 0)
    assert web.get(f"/setup/{token}").status_code == 200, "a refused form does not spend the token"


@pytest.mark.parametrize(
    ("contact", "password", "field", "message"),
    [
        (
            "12345",
            "long enough secret",
            "f-contact",
            "Please give a mobile number such as 13812345678, or an email address.",
        ),
        (
            "admin@",
            "long enough secret",
            "f-contact",
            "Please give a mobile number such as 13812345678, or an email address.",
        ),
        ("", "long enough secret", "f-contact", "Please fill this in."),
        ("13812345678", "short", "f-password", "Please use at least 8 characters."),
    ],
)
def test_bad_contact_or_password_is_refused(
    web: Web, contact: str, password: str, field: str, message: str
) -> None:
    token = setup_token(web)
    form = {**SETUP, "contact": contact, "password": password}
    response = web.post(f"/setup/{token}", form, headers=en())
    assert response.status_code == 422
    assert field_error(response, field) == message
    assert input_value(response, "community_name") == SETUP["community_name"]
    assert input_value(response, "building_name") == SETUP["building_name"]
    assert input_value(response, "display_name") == SETUP["display_name"]
    assert input_value(response, "contact") == contact
    assert input_value(response, "password") is None
    assert counts(web) == (0, 0, 0)


def test_over_long_names_are_refused(web: Web) -> None:
    token = setup_token(web)
    form = {**SETUP, "community_name": "c" * 121, "display_name": "d" * 81}
    response = web.post(f"/setup/{token}", form, headers=en())
    assert response.status_code == 422
    assert field_error(response, "f-community_name") == "Please keep this under 120 characters."
    assert field_error(response, "f-display_name") == "Please keep this under 80 characters."
    assert counts(web) == (0, 0, 0)
