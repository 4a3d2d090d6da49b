"""Changing one's password."""

from __future__ import annotations

import pytest

from tests.accounts.pages import (
    assert_fragment,
    assert_full_page,
    assert_page,
    en,
    field_error,
    input_value,
    location,
)
from tests.factories import World
from tests.web_client import PASSWORD, Web, text_of

NEW_PASSWORD = "a brand new secret"


def change(current: str = PASSWORD, new: str = NEW_PASSWORD, confirm: str | None = None) -> dict:
    return {"current": current, "new": new, "confirm": new if confirm is None else confirm}


def assert_no_password_shown(response, *secrets: str) -> None:
    for secret in secrets:
        if len(secret) >= 8:
            assert secret not in response.text
    for name in ("current", "new", "confirm"):
        assert input_value(response, name) is None


def test_password_page_needs_sign_in(web: Web) -> None:
    assert location(web.get("/password")) == "/login?next=/password"
    assert location(web.post("/password", change())).startswith("/login")


@pytest.mark.parametrize("htmx", [False, True])
def test_password_page(web: Web, world: World, htmx: bool) -> None:
    web.sign_in(world.volunteer.login)
    response = web.get("/password", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    assert "Change password" in text_of(response)
    assert "Your password is changed." not in text_of(response)


def test_refused_changes_say_why_and_change_nothing(web: Web, world: World) -> None:
    web.sign_in(world.volunteer.login)
    for form, field, message in [
        (change(current="not my password"), "f-current", "Your current password is not right."),
        (
            change(confirm="a brand new secreT"),
            "f-confirm",
            "The two new passwords are not the same.",
        ),
        (change(new="short", confirm="short"), "f-new", "Please use at least 8 characters."),
        (change(current=""), "f-current", "Please fill this in."),
    ]:
        response = web.post("/password", form, headers=en())
        assert_full_page(response, 422)
        assert field_error(response, field) == message
        assert_no_password_shown(response, form["current"], form["new"], form["confirm"])
    web.sign_out()
    web.sign_in(world.volunteer.login, PASSWORD)


def test_refusal_as_htmx_fragment(web: Web, world: World) -> None:
    web.sign_in(world.volunteer.login)
    response = web.post("/password", change(current="nope nope"), htmx=True, headers=en())
    assert_fragment(response, 422)
    assert "Your current password is not right." in text_of(response)


@pytest.mark.parametrize("htmx", [False, True])
def test_changed_password_works_and_old_one_does_not(web: Web, world: World, htmx: bool) -> None:
    web.sign_in(world.volunteer.login)
    response = web.post("/password", change(), htmx=htmx)
    assert location(response) == "/password?saved=1"
    assert "Your password is changed." in text_of(web.get("/password?saved=1", headers=en()))
    web.sign_out()
    old = web.post("/login", {"login": world.volunteer.login, "password": PASSWORD})
    assert old.status_code == 422
    web.sign_in(world.volunteer.login, NEW_PASSWORD)
    assert web.get("/").status_code == 200
