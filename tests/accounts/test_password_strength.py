"""Common and guessable passwords are refused wherever a password is chosen, with the reason in
the person's language (zxcvbn estimates the strength)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub.accounts.passwords import ADVICE, WEAK_BECAUSE, password_weakness
from hub.accounts.tables import User
from hub.i18n import translations
from tests.accounts.pages import en, field_error, location
from tests.community.records import join_token
from tests.factories import World
from tests.web_client import PASSWORD, Web

GUESSABLE = {
    "12345678": "passwords",
    "password": "passwords",
    "qwertyuiop": "passwords",
    "zzzzzzzzzz": "repeat",
    "Aunt Wang 6F": "user_inputs",
    "+86 137 0000 1234": "user_inputs",
}


def reason(key: str, language: str = "en") -> str:
    catalogue = translations(language)
    return f"{catalogue.gettext(WEAK_BECAUSE[key])} {catalogue.gettext(ADVICE)}"


@pytest.mark.parametrize(("password", "key"), GUESSABLE.items())
def test_the_join_form_refuses_a_guessable_password_and_says_why(
    web: Web, world: World, password: str, key: str
) -> None:
    form = {"display_name": "Aunt Wang, 6F", "contact": "+86 137 0000 1234", "password": password}
    token = join_token(web, world.building_id)
    response = web.post(f"/join/{token}", form, headers=en())
    assert response.status_code == 422
    assert field_error(response, "f-password") == reason(key)
    assert not web.run(User.exists().where(User.phone == "13700001234").run)


def test_the_reason_is_in_chinese_for_a_chinese_page(web: Web, world: World) -> None:
    form = {"display_name": "王阿姨", "contact": "13700001234", "password": "12345678"}
    token = join_token(web, world.building_id)
    response = web.post(f"/join/{token}", form, headers={"Accept-Language": "zh-CN"})
    assert field_error(response, "f-password") == reason("passwords", "zh")
    assert reason("passwords", "zh") != reason("passwords", "en")


def test_a_new_password_must_be_strong_too(web: Web, world: World) -> None:
    web.sign_in(world.volunteer.login)
    for weak in ("password", "12345678", "Volunteer Li", world.volunteer.login):
        form = {"current": PASSWORD, "new": weak, "confirm": weak}
        response = web.post("/password", form, headers=en())
        assert response.status_code == 422, weak
        assert field_error(response, "f-new").endswith(translations("en").gettext(ADVICE))
    web.sign_out()
    web.sign_in(world.volunteer.login, PASSWORD)  # unchanged
    form = {"current": PASSWORD, "new": "lantern under the stairs", "confirm": ""}
    form["confirm"] = form["new"]
    assert location(web.post("/password", form)) == "/password?saved=1"


def test_the_first_admin_chooses_a_strong_password(web: Web) -> None:
    from hub.community.actions import do_issue_setup_token

    token = web.run(do_issue_setup_token)
    form = {
        "community_name": "Dekang Garden",
        "building_name": "Building 2",
        "display_name": "Admin",
        "contact": "admin@example.org",
        "password": "password1",
    }
    response = web.post(f"/setup/{token}", form, headers=en())
    assert response.status_code == 422
    assert field_error(response, "f-password") == reason("passwords")
    assert web.run(User.count) == 0


def test_create_admin_refuses_a_guessable_password(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env["HUB_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "hub", "create-admin", "--login", "13812345678"],
        env=env,
        input="password\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "hub:" in result.stderr


@pytest.mark.parametrize("strong", [PASSWORD, "lantern under the stairs", "hub-demo-2026"])
def test_strong_passwords_pass(strong: str) -> None:
    assert asyncio.run(password_weakness(strong, ["Leader Wang", "13900000001"])) is None
