"""What travels to the phone (issue 14): text compressed with brotli or gzip, photos as they
are, static files under versioned URLs kept for a year, and a service worker that precaches
those very URLs without fetching them a second time."""

from __future__ import annotations

import gzip
import json
import re

import brotli
import pytest

from hub.web.static import IMMUTABLE, static_url, static_version
from tests.factories import World
from tests.media.images import small_jpeg
from tests.tasks.support import report
from tests.web_client import Web

STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"#]+)')


def raw_get(web: Web, path: str, encodings: str) -> tuple[dict[str, str], bytes]:
    """The answer as it travels: headers and the undecoded body."""
    with web.client.stream("GET", path, headers={"Accept-Encoding": encodings}) as answer:
        assert answer.status_code == 200, path
        return dict(answer.headers), b"".join(answer.iter_raw())


def test_pages_travel_as_brotli_where_the_browser_takes_it(web: Web) -> None:
    headers, body = raw_get(web, "/login", "gzip, deflate, br")
    assert headers["content-encoding"] == "br"
    assert "accept-encoding" in headers["vary"].lower()
    page = brotli.decompress(body)
    assert b"<!doctype html>" in page
    assert len(body) < len(page) / 2


def test_pages_travel_as_gzip_for_a_browser_without_brotli(web: Web) -> None:
    headers, body = raw_get(web, "/login", "gzip")
    assert headers["content-encoding"] == "gzip"
    assert b"<!doctype html>" in gzip.decompress(body)


def test_a_browser_that_takes_no_compression_gets_plain_text(web: Web) -> None:
    headers, body = raw_get(web, "/login", "identity")
    assert "content-encoding" not in headers
    assert body.startswith(b"<!doctype html>")


@pytest.mark.parametrize(
    "name", ["hub.css", "hub.js", "vendor/htmx-2.0.11/htmx.min.js", "icons.svg"]
)
def test_stylesheets_scripts_and_icons_are_compressed(web: Web, name: str) -> None:
    headers, body = raw_get(web, static_url(name), "br")
    assert headers["content-encoding"] == "br"
    assert brotli.decompress(body) == (web.client.get(static_url(name)).content)


def test_photos_and_png_icons_travel_as_they_are(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    assert (
        report(web, world.building_id, {}, [("p.jpg", small_jpeg(), "image/jpeg")]).status_code
        == 303
    )
    page = web.get(f"/b/{world.building_id}/tasks/1").text
    photo = re.search(r'src="(/b/\d+/tasks/photos/\d+\?size=480)"', page)
    assert photo
    headers, body = raw_get(web, photo.group(1), "gzip, br")
    assert "content-encoding" not in headers
    assert body.startswith(b"\xff\xd8")  # a JPEG, not compressed again
    headers, body = raw_get(web, static_url("icons/icon-192.png"), "gzip, br")
    assert "content-encoding" not in headers


def test_every_static_file_of_a_page_has_a_versioned_url(web: Web) -> None:
    page = web.get("/login").text
    urls = STATIC_URL.findall(page)
    assert len(urls) >= 5
    for url in urls:
        path, _, query = url.replace("&amp;", "&").partition("?")
        assert query == f"v={static_version(path.removeprefix('/static/'))}", url


def test_a_static_file_under_its_version_is_kept_a_year(web: Web) -> None:
    answer = web.get(static_url("hub.css"))
    assert answer.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("query", ["", "?v=0123456789ab", "?v="])
def test_a_static_file_under_another_url_is_asked_for_again(web: Web, query: str) -> None:
    answer = web.get(f"/static/hub.css{query}")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-cache"


def test_the_service_worker_precaches_the_versioned_urls_without_reloading_them(web: Web) -> None:
    script = web.get("/sw.js").text
    first_line, _, body = script.partition("\n")
    settings = json.loads(first_line.removeprefix("self.HUB = ").removesuffix(";"))
    assert settings["shell"], "the shell is listed"
    for url in settings["shell"]:
        assert re.fullmatch(r"/static/[\w./-]+\?v=[0-9a-f]{12}", url), url
        assert web.get(url).headers["cache-control"] == IMMUTABLE
    assert static_url("hub.css") in settings["shell"]
    assert settings["queue"] == static_url("offline-queue.js")
    assert "importScripts(self.HUB.queue)" in body
    assert 'cache: "reload"' not in body, "the install takes the shell from the browser's cache"


def test_the_manifest_names_its_icons_by_versioned_urls(web: Web) -> None:
    manifest = web.get("/manifest.webmanifest").json()
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/icons/")
        assert "?v=" in icon["src"]
