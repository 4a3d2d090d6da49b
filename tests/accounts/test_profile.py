"""The profile: display name, language, large text and skills."""

from __future__ import annotations

import pytest

from hub.accounts.tables import User, UserSkill
from tests.accounts.pages import (
    assert_fragment,
    assert_page,
    checked,
    en,
    field_error,
    html_classes,
    html_lang,
    input_value,
    location,
    selected,
)
from tests.factories import World
from tests.web_client import Web, text_of


def profile_form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {"display_name": "Resident Chen", "language": "", "skills": []}
    form.update(changes)
    return form


def saved_user(web: Web, user_id: int) -> dict:
    async def read() -> dict:
        user = await User.select().where(User.id == user_id).first()
        skills = await UserSkill.select(UserSkill.skill).where(UserSkill.user == user_id)
        assert user is not None
        return {**user, "skills": sorted(row["skill"] for row in skills)}

    return web.run(read)


def test_profile_needs_sign_in(web: Web) -> None:
    assert location(web.get("/profile")) == "/login?next=/profile"


@pytest.mark.parametrize("htmx", [False, True])
def test_profile_page_shows_what_is_saved(web: Web, world: World, htmx: bool) -> None:
    web.sign_in(world.resident.login)
    response = web.get("/profile", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    assert "My profile" in text_of(response)
    assert input_value(response, "display_name") == "Resident Chen"
    assert selected(response, "f-language") == [""]
    assert checked(response, "skills") == []
    assert checked(response, "large_text") == []
    assert "Your profile is saved." not in text_of(response)


def test_saving_the_profile(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    response = web.post(
        "/profile",
        profile_form(
            display_name="  Aunt   Chen, 6F ",
            language="en",
            large_text="on",
            skills=["locks", "electrics"],
        ),
    )
    assert location(response) == "/profile?saved=1"
    user = saved_user(web, world.resident.id)
    assert user["display_name"] == "Aunt Chen, 6F"
    assert user["language"] == "en"
    assert user["large_text"] is True
    assert user["skills"] == ["electrics", "locks"]

    page = web.get("/profile?saved=1", headers={"Accept-Language": "zh-CN"})
    assert html_lang(page) == "en", "the user's own language beats the browser's"
    assert "large-text" in html_classes(page)
    assert "Your profile is saved." in text_of(page)
    assert input_value(page, "display_name") == "Aunt Chen, 6F"
    assert selected(page, "f-language") == ["en"]
    assert checked(page, "large_text") == ["on"]
    assert checked(page, "skills") == ["electrics", "locks"]


def test_saving_again_replaces_skills_and_large_text(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    web.post("/profile", profile_form(skills=["plumbing", "it"], large_text="on"))
    response = web.post("/profile", profile_form(skills=["first_aid"]))
    assert location(response) == "/profile?saved=1"
    user = saved_user(web, world.resident.id)
    assert user["skills"] == ["first_aid"]
    assert user["large_text"] is False
    page = web.get("/profile")
    assert checked(page, "skills") == ["first_aid"]
    assert "large-text" not in html_classes(page)


@pytest.mark.parametrize("htmx", [False, True])
def test_unknown_skill_is_refused_and_what_was_typed_is_kept(
    web: Web, world: World, htmx: bool
) -> None:
    web.sign_in(world.resident.login)
    response = web.post(
        "/profile",
        profile_form(display_name="New Name", skills=["plumbing", "juggling"], large_text="on"),
        htmx=htmx,
        headers=en(),
    )
    assert_page(response, 422, htmx=htmx)
    assert "Please choose one of the options." in text_of(response)
    assert input_value(response, "display_name") == "New Name"
    assert checked(response, "skills") == ["plumbing"]
    assert checked(response, "large_text") == ["on"]
    user = saved_user(web, world.resident.id)
    assert user["display_name"] == "Resident Chen"
    assert user["skills"] == []


def test_over_long_name_is_refused(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    long_name = "x" * 81
    response = web.post("/profile", profile_form(display_name=long_name), headers=en())
    assert response.status_code == 422
    assert field_error(response, "f-display_name") == "Please keep this under 80 characters."
    assert input_value(response, "display_name") == long_name
    assert saved_user(web, world.resident.id)["display_name"] == "Resident Chen"


def test_empty_name_and_unknown_language_are_refused(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    response = web.post("/profile", profile_form(display_name="   ", language="fr"), headers=en())
    assert response.status_code == 422
    assert field_error(response, "f-display_name") == "Please fill this in."
    assert "Please choose one of the options." in text_of(response)
    assert saved_user(web, world.resident.id)["language"] == ""


def test_same_as_my_browser_follows_the_browser_again(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    web.post("/profile", profile_form(language="en"))
    web.post("/profile", profile_form(language=""))
    assert saved_user(web, world.resident.id)["language"] == ""
    page = web.get("/profile", headers={"Accept-Language": "zh-CN"})
    assert html_lang(page) == "zh-Hans"


def test_saving_from_htmx_redirects_to_the_saved_fragment(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    response = web.post("/profile", profile_form(display_name="Chen Ayi"), htmx=True)
    assert location(response) == "/profile?saved=1"
    page = web.get("/profile?saved=1", htmx=True, headers=en())
    assert_fragment(page)
    assert "Your profile is saved." in text_of(page)
    assert input_value(page, "display_name") == "Chen Ayi"
