"""The installable app: the manifest in the viewer's language, its icons, the service worker
script and its headers, the offline page, and the short links of the manifest's shortcuts."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from hub.web.pwa import SHELL_FILES
from hub.web.static import static_url
from tests.accounts.pages import assert_page, en
from tests.factories import World
from tests.web_client import Web


def manifest(web: Web, **kwargs: object) -> dict:
    response = web.get("/manifest.webmanifest", **kwargs)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    assert response.headers["cache-control"] == "no-cache"
    return json.loads(response.text)


def test_the_manifest_is_in_chinese_by_default_and_has_what_installing_needs(web: Web) -> None:
    data = manifest(web)
    assert data["short_name"] == "邻里通"
    assert data["lang"] == "zh-Hans"
    assert data["name"].startswith("邻里通")
    assert data["display"] == "standalone"
    assert data["start_url"] == "/"
    assert data["scope"] == "/"
    assert data["id"] == "/"
    assert data["theme_color"] == "#0f5c4c"
    assert data["background_color"].startswith("#")
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    shortcuts = {shortcut["url"]: shortcut["name"] for shortcut in data["shortcuts"]}
    assert shortcuts == {"/go/round": "开始巡逻", "/go/report": "我要报修"}


def test_the_manifest_follows_the_browser_and_the_persons_choice(web: Web, world: World) -> None:
    english = manifest(web, headers=en())
    assert english["short_name"] == "Hub"
    assert english["lang"] == "en"
    assert {s["name"] for s in english["shortcuts"]} == {"Start round", "Report a problem"}
    web.sign_in(world.volunteer.login)
    web.post("/preferences/language", {"language": "en", "next": "/"})
    assert manifest(web)["short_name"] == "Hub"


def test_the_icons_are_pngs_of_their_stated_size(web: Web) -> None:
    for icon in manifest(web)["icons"]:
        response = web.get(icon["src"])
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        image = Image.open(io.BytesIO(response.content))
        assert f"{image.width}x{image.height}" == icon["sizes"]


def test_the_service_worker_is_served_from_the_root_and_always_checked(web: Web) -> None:
    response = web.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["service-worker-allowed"] == "/"
    first_line, script = response.text.split("\n", 1)
    settings = json.loads(first_line.removeprefix("self.HUB = ").removesuffix(";"))
    assert len(settings["version"]) == 12
    assert settings["texts"]["zh"]["title"] == "邻里通"
    assert settings["texts"]["en"]["title"] == "Hub"
    assert 'addEventListener("push"' in script
    assert 'addEventListener("sync"' in script
    assert settings["shell"] == [static_url(name) for name in SHELL_FILES]
    for path in settings["shell"]:
        assert web.get(path).status_code == 200, path


@pytest.mark.parametrize("htmx", [False, True])
def test_the_offline_page_is_a_page_in_each_language(web: Web, htmx: bool) -> None:
    response = web.get("/offline", htmx=htmx)
    assert_page(response, htmx=htmx)
    assert "你现在没有网络" in response.text
    assert response.headers["content-language"] == "zh"
    english = web.get("/offline", htmx=htmx, headers=en())
    assert "You are offline" in english.text
    assert english.headers["content-language"] == "en"


def test_every_page_links_the_manifest_and_the_scripts(web: Web, world: World) -> None:
    web.sign_in(world.volunteer.login)
    text = web.get("/").text
    assert '<link rel="manifest" href="/manifest.webmanifest"' in text
    assert 'crossorigin="use-credentials">' in text
    icon = static_url("icons/apple-touch-icon.png")
    assert f'<link rel="apple-touch-icon" href="{icon}">' in text
    assert '<meta name="apple-mobile-web-app-capable" content="yes">' in text
    assert f'<script src="{static_url("pwa.js")}" defer></script>' in text
    assert 'id="outbox"' in text


@pytest.mark.parametrize(
    ("role", "round_target", "report_target"),
    [
        ("resident", "/", "/b/{b}/tasks/new"),
        ("volunteer", "/b/{b}/patrols", "/b/{b}/tasks/new"),
        ("leader", "/b/{b}/patrols", "/b/{b}/tasks/new"),
    ],
)
def test_the_shortcuts_lead_to_the_viewers_building(
    web: Web, world: World, role: str, round_target: str, report_target: str
) -> None:
    web.sign_in(world.people[role].login)
    b = world.building_id
    for path, target in [("/go/round", round_target), ("/go/report", report_target)]:
        response = web.get(path)
        assert response.status_code in {302, 303}
        assert response.headers["location"] == target.format(b=b)


def test_the_shortcuts_ask_a_stranger_to_sign_in_first(web: Web) -> None:
    response = web.get("/go/round")
    assert response.headers["location"].startswith("/login?next=")
