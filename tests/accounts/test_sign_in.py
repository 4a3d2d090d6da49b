"""Sign in with a phone number or an email, `next`, sign out, and the session behind them."""

from __future__ import annotations

import pytest

from hub.accounts.tables import User
from tests.accounts.pages import (
    assert_fragment,
    assert_full_page,
    assert_page,
    en,
    input_value,
    location,
    query_of,
)
from tests.factories import World
from tests.web_client import PASSWORD, Web, text_of

NO_MATCH = "That phone number or email and password do not match."


def spaced(phone: str, prefix: str = "+86 ") -> str:
    """13900000001 as people type it: +86 139 0000 0001."""
    return f"{prefix}{phone[:3]} {phone[3:7]} {phone[7:]}"


def test_login_page_full_load(web: Web) -> None:
    response = web.get("/login", headers=en())
    assert_full_page(response)
    assert "Sign in" in text_of(response)
    assert input_value(response, "login") == ""
    assert input_value(response, "next") == "/"


def test_login_page_as_htmx_fragment(web: Web) -> None:
    response = web.get("/login", htmx=True, headers=en())
    assert_fragment(response)
    assert "<title>Sign in · Hub</title>" in response.text


@pytest.mark.parametrize(
    ("asked", "kept"),
    [
        ("/profile", "/profile"),
        ("/b/1/members", "/b/1/members"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_login_page_keeps_only_local_next(web: Web, asked: str, kept: str) -> None:
    response = web.get("/login", params={"next": asked})
    assert input_value(response, "next") == kept


def test_sign_in_with_phone_as_typed(web: Web, world: World) -> None:
    phone = world.leader.login
    for login in [phone, spaced(phone), spaced(phone, "+86"), spaced(phone, "0086 ")]:
        response = web.post("/login", {"login": login, "password": PASSWORD})
        assert location(response) == "/", login
        today = web.get("/", headers=en())
        assert today.status_code == 200, login
        assert "Building 2" in text_of(today)
        web.sign_out()


def test_sign_in_with_email_in_any_case(web: Web, world: World) -> None:
    for login in ["admin@example.org", "ADMIN@Example.ORG", "  Admin@example.org "]:
        response = web.post("/login", {"login": login, "password": PASSWORD})
        assert location(response) == "/", login
        assert web.get("/admin").status_code == 200, login
        web.sign_out()


@pytest.mark.parametrize("htmx", [False, True])
def test_wrong_password_keeps_login_but_not_password(web: Web, world: World, htmx: bool) -> None:
    typed = spaced(world.leader.login)
    response = web.post(
        "/login", {"login": typed, "password": "wrong-secret-42"}, htmx=htmx, headers=en()
    )
    assert_page(response, 422, htmx=htmx)
    assert NO_MATCH in text_of(response)
    assert input_value(response, "login") == typed
    assert input_value(response, "password") is None
    assert "wrong-secret-42" not in response.text
    assert web.get("/").status_code == 303, "a refused sign-in must not sign in"


def test_unknown_login_and_inactive_user_get_the_same_answer(web: Web, world: World) -> None:
    async def deactivate() -> None:
        await User.update({User.active: False}).where(User.id == world.volunteer.id)

    web.run(deactivate)
    answers = []
    for login, password in [
        ("13811112222", PASSWORD),  # nobody
        ("nobody@example.org", PASSWORD),
        (world.volunteer.login, PASSWORD),  # inactive, right password
        (world.resident.login, "not the password"),
    ]:
        response = web.post("/login", {"login": login, "password": password}, headers=en())
        assert response.status_code == 422
        answers.append(text_of(response).replace(login, "LOGIN"))
    assert NO_MATCH in answers[0]
    assert len(set(answers)) == 1


def test_empty_fields_are_asked_for(web: Web) -> None:
    response = web.post("/login", {"login": "  ", "password": ""}, headers=en())
    assert response.status_code == 422
    assert text_of(response).count("Please fill this in.") == 2


def test_not_a_phone_or_email_is_a_plain_refusal(web: Web) -> None:
    response = web.post("/login", {"login": "hello", "password": PASSWORD}, headers=en())
    assert response.status_code == 422
    assert NO_MATCH in text_of(response)


def test_next_is_honoured_only_for_local_paths(web: Web, world: World) -> None:
    for next_path, expected in [
        ("/profile", "/profile"),
        ("/b/7/members?tab=1", "/b/7/members?tab=1"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
    ]:
        response = web.post(
            "/login", {"login": world.resident.login, "password": PASSWORD, "next": next_path}
        )
        assert location(response) == expected, next_path
        web.sign_out()


def test_a_page_that_needs_sign_in_comes_back_after_it(web: Web, world: World) -> None:
    sent = web.get("/profile")
    target = location(sent)
    assert target.startswith("/login?")
    assert query_of(target)["next"] == ["/profile"]
    page = web.get(target)
    assert input_value(page, "next") == "/profile"
    response = web.post(
        "/login", {"login": world.resident.login, "password": PASSWORD, "next": "/profile"}
    )
    assert location(response) == "/profile"


def test_sign_in_without_csrf_token_is_forbidden(web: Web, world: World) -> None:
    response = web.post("/login", {"login": world.resident.login, "password": PASSWORD}, csrf=False)
    assert response.status_code == 403


def test_sign_in_is_rate_limited(web: Web, world: World) -> None:
    for _attempt in range(10):
        response = web.post("/login", {"login": world.resident.login, "password": "wrong"})
        assert response.status_code == 422
    response = web.post(
        "/login", {"login": world.resident.login, "password": PASSWORD}, headers=en()
    )
    assert response.status_code == 429
    assert "Too many attempts" in text_of(response)


@pytest.mark.parametrize("htmx", [False, True])
def test_sign_out_clears_the_session(web: Web, world: World, htmx: bool) -> None:
    web.sign_in(world.resident.login)
    assert web.get("/").status_code == 200
    old_session = web.client.cookies.get("hub_session")
    assert old_session
    response = web.post("/logout", htmx=htmx)
    assert location(response) == "/login"
    after = web.get("/")
    target = location(after)
    assert target.split("?")[0] == "/login"
    assert query_of(target)["next"] == ["/"]
    # The old cookie, kept by someone who copied it, no longer signs anyone in.
    web.client.cookies.clear()
    web.client.cookies.set("hub_session", old_session)
    assert location(web.get("/")).startswith("/login")


def test_sign_out_keeps_the_chosen_language(web: Web, world: World) -> None:
    web.post("/preferences/language", {"language": "en", "next": "/login"})
    web.sign_in(world.resident.login)
    web.post("/logout")
    page = web.get("/login", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en"' in page.text


def test_sign_out_needs_a_signed_in_user(web: Web) -> None:
    assert location(web.post("/logout")).startswith("/login")


def test_signing_in_gives_a_new_session_id(web: Web, world: World) -> None:
    planted = "planted-by-someone-else"
    web.csrf_token()
    web.client.cookies.set("hub_session", planted, domain="hub.test")
    web.sign_in(world.resident.login)
    # Whoever planted the cookie must not now be signed in as the resident.
    web.client.cookies.clear()
    web.client.cookies.set("hub_session", planted, domain="hub.test")
    assert location(web.get("/")).startswith("/login")


def test_a_deactivated_user_is_signed_out_at_the_next_request(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    assert web.get("/").status_code == 200

    async def deactivate() -> None:
        await User.update({User.active: False}).where(User.id == world.resident.id)

    web.run(deactivate)
    assert location(web.get("/")).startswith("/login")
    assert location(web.get("/profile")).startswith("/login")
