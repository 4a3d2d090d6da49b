"""The invite page, its QR code and the printable join poster."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET

import pytest

import hub.web.pages
from hub.community.qr import qr_svg
from hub.settings import get_settings
from tests.accounts.pages import assert_fragment, assert_full_page, assert_page, en, location
from tests.community.records import join_token
from tests.factories import World
from tests.web_client import Web, text_of


def invite_url(world: World) -> str:
    return f"/b/{world.building_id}/invite"


@pytest.fixture
def public_url(monkeypatch: pytest.MonkeyPatch) -> str:
    """HUB_PUBLIC_URL set, without touching the cached settings other tests share."""
    url = "https://hub.example.cn"
    settings = dataclasses.replace(get_settings(), public_url=url)
    monkeypatch.setattr(hub.web.pages, "get_settings", lambda: settings)
    return url


@pytest.mark.parametrize("htmx", [False, True])
def test_invite_page_shows_the_absolute_join_link(web: Web, world: World, htmx: bool) -> None:
    web.sign_in(world.leader.login)
    response = web.get(invite_url(world), htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    join_url = f"http://hub.test/join/{join_token(web, world.building_id)}"
    assert f'href="{join_url}"' in response.text
    assert "Invite neighbours" in text_of(response)
    assert "Building 2" in text_of(response)
    assert f'src="{invite_url(world)}/qr.svg"' in response.text


def test_invite_page_uses_the_public_url_when_set(web: Web, world: World, public_url: str) -> None:
    web.sign_in(world.leader.login)
    response = web.get(invite_url(world))
    join_url = f"{public_url}/join/{join_token(web, world.building_id)}"
    assert f'href="{join_url}"' in response.text
    assert "http://hub.test/join/" not in response.text


def test_qr_code_is_an_svg_of_the_join_link(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    response = web.get(f"{invite_url(world)}/qr.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "private" in response.headers["cache-control"]
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    join_url = f"http://hub.test/join/{join_token(web, world.building_id)}"
    assert response.content == qr_svg(join_url)


def test_qr_code_follows_the_public_url(web: Web, world: World, public_url: str) -> None:
    web.sign_in(world.leader.login)
    response = web.get(f"{invite_url(world)}/qr.svg")
    assert response.content == qr_svg(f"{public_url}/join/{join_token(web, world.building_id)}")


def test_qr_code_changes_with_a_new_link(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    before = web.get(f"{invite_url(world)}/qr.svg").content
    web.post(f"{invite_url(world)}/reset")
    after = web.get(f"{invite_url(world)}/qr.svg").content
    assert before != after


@pytest.mark.parametrize("htmx", [False, True])
def test_poster_is_bilingual_with_building_and_link(web: Web, world: World, htmx: bool) -> None:
    web.sign_in(world.leader.login)
    response = web.get(f"{invite_url(world)}/poster", htmx=htmx, headers=en())
    # A print page of its own (the invite page links to it with data-hx-boost="false"), so htmx or
    # not, it is the whole page.
    assert_full_page(response)
    text = text_of(response)
    assert "Building 2" in text
    assert "Dekang Garden" in text
    assert f"http://hub.test/join/{join_token(web, world.building_id)}" in text
    calls = re.findall(r'<p class="poster-call[^"]*" lang="([^"]+)">([^<]+)</p>', response.text)
    assert [lang for lang, _ in calls] == ["zh-Hans", "en"]
    assert calls[1][1].strip() == "Scan to join our building on Hub"
    assert calls[0][1].strip(), "the Chinese line is there"
    assert calls[0][1].strip() != calls[1][1].strip(), "the Chinese line is translated"
    hows = re.findall(r'<p class="poster-how" lang="([^"]+)">', response.text)
    assert hows == ["zh-Hans", "en"]
    assert f'src="{invite_url(world)}/qr.svg"' in response.text


def test_members_below_leader_cannot_invite(web: Web, world: World) -> None:
    token = join_token(web, world.building_id)
    for who in ("resident", "volunteer"):
        web.sign_in(world.people[who].login)
        for path in ("", "/poster", "/qr.svg"):
            assert web.get(invite_url(world) + path).status_code == 403, (who, path)
        assert web.post(f"{invite_url(world)}/reset").status_code == 403
        web.sign_out()
    assert join_token(web, world.building_id) == token


def test_another_buildings_leader_sees_nothing(web: Web, world: World) -> None:
    token = join_token(web, world.building_id)
    web.sign_in(world.other_leader.login)
    for path in ("", "/poster", "/qr.svg"):
        response = web.get(invite_url(world) + path)
        assert response.status_code == 404
        assert token not in response.text
    assert web.post(f"{invite_url(world)}/reset").status_code == 404
    assert join_token(web, world.building_id) == token


def test_invite_needs_sign_in(web: Web, world: World) -> None:
    assert location(web.get(invite_url(world))).startswith("/login?next=")
    assert location(web.get(f"{invite_url(world)}/qr.svg")).startswith("/login?next=")


def test_reset_from_htmx_redirects_to_the_invite_fragment(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    old = join_token(web, world.building_id)
    response = web.post(f"{invite_url(world)}/reset", htmx=True)
    assert location(response) == invite_url(world)
    page = web.get(invite_url(world), htmx=True)
    assert_fragment(page)
    new = join_token(web, world.building_id)
    assert new != old
    assert f"/join/{new}" in page.text
    assert f"/join/{old}" not in page.text
