"""Language, from the browser or chosen, and the large-text setting."""

from __future__ import annotations

import re

import pytest

from hub.accounts.tables import User
from tests.accounts.pages import (
    assert_fragment,
    html_classes,
    html_lang,
    input_value,
    location,
)
from tests.factories import World
from tests.web_client import Web, text_of

ZH = "zh-CN,zh;q=0.9"


def user_row(web: Web, user_id: int) -> dict:
    async def read() -> dict:
        row = await User.select(User.language, User.large_text).where(User.id == user_id).first()
        assert row is not None
        return row

    return web.run(read)


def pressed(response, value: str) -> bool:
    """Whether the language button `value` in the top bar is shown as the current one."""
    match = re.search(rf'value="{value}"[^>]*aria-pressed="(true|false)"', response.text)
    assert match, f"no language button {value}"
    return match.group(1) == "true"


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("zh-CN", "zh-Hans"),
        ("zh-TW,zh;q=0.9", "zh-Hans"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR,en;q=0.5,zh;q=0.4", "en"),
        ("de-DE", "zh-Hans"),
        (None, "zh-Hans"),
    ],
)
def test_language_follows_the_browser(web: Web, header: str | None, lang: str) -> None:
    headers = {"Accept-Language": header} if header else {}
    page = web.get("/login", headers=headers)
    assert html_lang(page) == lang
    assert pressed(page, lang[:2])


def test_english_page_is_in_english(web: Web) -> None:
    page = web.get("/login", headers={"Accept-Language": "en-US"})
    assert "Phone number or email" in text_of(page)
    assert "中文" in text_of(page), "the switch names each language in itself"


def test_anonymous_choice_is_kept_in_the_session(web: Web) -> None:
    response = web.post("/preferences/language", {"language": "en", "next": "/login"})
    assert location(response) == "/login"
    page = web.get("/login", headers={"Accept-Language": ZH})
    assert html_lang(page) == "en"
    assert pressed(page, "en")
    back = web.post("/preferences/language", {"language": "zh", "next": "/login"})
    assert location(back) == "/login"
    assert html_lang(web.get("/login", headers={"Accept-Language": "en"})) == "zh-Hans"


def test_anonymous_choice_survives_signing_in(web: Web, world: World) -> None:
    web.post("/preferences/language", {"language": "en", "next": "/login"})
    web.sign_in(world.resident.login)
    assert html_lang(web.get("/", headers={"Accept-Language": ZH})) == "en"


def test_signed_in_choice_is_saved_on_the_profile(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    response = web.post("/preferences/language", {"language": "en", "next": "/profile"})
    assert location(response) == "/profile"
    assert user_row(web, world.resident.id)["language"] == "en"
    # A new browser session: the profile's language still beats the browser's.
    web.client.cookies.clear()
    web.sign_in(world.resident.login)
    page = web.get("/", headers={"Accept-Language": ZH})
    assert html_lang(page) == "en"
    assert "Today" in text_of(page)


def test_users_own_language_beats_the_session_and_the_header(web: Web, world: World) -> None:
    async def prefer_chinese() -> None:
        await User.update({User.language: "zh"}).where(User.id == world.resident.id)

    web.run(prefer_chinese)
    web.post("/preferences/language", {"language": "en", "next": "/login"})
    web.sign_in(world.resident.login)
    assert html_lang(web.get("/", headers={"Accept-Language": "en"})) == "zh-Hans"


def test_unknown_language_changes_nothing(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    for language in ["fr", "", "zh-Hans"]:
        response = web.post("/preferences/language", {"language": language, "next": "/"})
        assert location(response) == "/"
        assert user_row(web, world.resident.id)["language"] == "", language
        assert html_lang(web.get("/", headers={"Accept-Language": "en"})) == "en", language


def test_switches_go_back_only_to_local_pages(web: Web) -> None:
    for target in ["//evil.example", "https://evil.example/x", "/\\evil.example", ""]:
        language = web.post("/preferences/language", {"language": "en", "next": target})
        assert location(language) == "/", target
        size = web.post("/preferences/text-size", {"large_text": "1", "next": target})
        assert location(size) == "/", target


def test_switches_point_back_to_the_page_they_are_on(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    page = web.get("/profile")
    assert input_value(page, "next", form="/preferences/language") == "/profile"
    assert input_value(page, "next", form="/preferences/text-size") == "/profile"
    assert input_value(page, "large_text", form="/preferences/text-size") == "1"


def test_switches_need_the_csrf_token(web: Web) -> None:
    assert web.post("/preferences/language", {"language": "en"}, csrf=False).status_code == 403
    assert web.post("/preferences/text-size", {"large_text": "1"}, csrf=False).status_code == 403


def test_large_text_for_anonymous_is_kept_in_the_session(web: Web) -> None:
    assert "large-text" not in html_classes(web.get("/login"))
    response = web.post("/preferences/text-size", {"large_text": "1", "next": "/login"})
    assert location(response) == "/login"
    page = web.get("/login")
    assert "large-text" in html_classes(page)
    assert input_value(page, "large_text", form="/preferences/text-size") == "0"
    web.post("/preferences/text-size", {"large_text": "0", "next": "/login"})
    assert "large-text" not in html_classes(web.get("/login"))


def test_large_text_for_a_user_is_saved_on_the_profile(web: Web, world: World) -> None:
    web.sign_in(world.volunteer.login)
    web.post("/preferences/text-size", {"large_text": "1", "next": "/"})
    assert user_row(web, world.volunteer.id)["large_text"] is True
    web.client.cookies.clear()
    web.sign_in(world.volunteer.login)
    assert "large-text" in html_classes(web.get("/"))
    web.post("/preferences/text-size", {"large_text": "0", "next": "/"})
    assert user_row(web, world.volunteer.id)["large_text"] is False
    assert "large-text" not in html_classes(web.get("/"))


def test_switches_from_htmx_redirect_to_a_fragment(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    response = web.post("/preferences/language", {"language": "en", "next": "/profile"}, htmx=True)
    assert location(response) == "/profile"
    response = web.post("/preferences/text-size", {"large_text": "1", "next": "/"}, htmx=True)
    assert location(response) == "/"
    fragment = web.get("/", htmx=True)
    assert_fragment(fragment)
    assert "Today" in text_of(fragment)


def test_control_characters_in_next_cannot_leave_the_site(web: Web) -> None:
    for target in ["/\t/evil.example", "/\n/evil.example", "/\r\nSet-Cookie: a=b"]:
        response = web.post("/preferences/language", {"language": "en", "next": target})
        sent_to = location(response)
        assert sent_to.startswith("/"), target
        assert not sent_to.startswith("//"), target
        assert not any(char in sent_to for char in "\t\r\n"), target
        assert not any(c.startswith("a=") for c in response.headers.get_list("set-cookie"))
