"""CSRF, security headers, templates fit for the CSP, cookies, rate limits, sign-in answers that
give nothing away, and the health check."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from httpx import Response
from litestar.testing import TestClient

from hub.accounts.tables import User
from hub.app import create_app
from hub.db import write_transaction
from hub.i18n import translations
from hub.settings import get_settings
from hub.web import health
from hub.web.errors import MESSAGES
from tests.factories import World, make_world
from tests.web.conftest import join_token
from tests.web_client import Web, text_of

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
WRONG_LOGIN = "That phone number or email and password do not match."


def csp_directives(response: Response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    directives = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        directives[name.lower()] = sources
    return directives


def assert_safe_headers(response: Response) -> None:
    directives = csp_directives(response)
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src, "no script-src nor default-src"
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert directives.get("frame-ancestors") == ["'none'"]
    assert directives.get("object-src") == ["'none'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]


def cookie_attributes(response: Response, name: str) -> set[str]:
    """The attributes of the Set-Cookie that sets `name`, lower-cased, without their values."""
    for header in response.headers.get_list("set-cookie"):
        first, *attributes = (part.strip() for part in header.split(";"))
        if first.startswith(f"{name}="):
            return {attribute.lower() for attribute in attributes}
    raise AssertionError(f"no {name} cookie in {response.headers.get_list('set-cookie')}")


# (a) CSRF ---------------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(web: Web, world: World) -> None:
    assert web.post("/login", {"login": world.leader.login}, csrf=False).status_code == 403
    web.sign_in(world.leader.login)
    response = web.post("/profile", {"display_name": "Changed"}, csrf=False)
    assert response.status_code == 403
    assert web.post("/logout", csrf=False).status_code == 403
    assert web.get("/profile").status_code == 200  # still signed in: nothing happened


def test_a_post_with_a_wrong_csrf_token_is_refused(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    response = web.post(
        "/profile", {"display_name": "Changed"}, csrf=False, headers={"x-csrftoken": "forged"}
    )
    assert response.status_code == 403


# (b) Security headers ---------------------------------------------------------------------------


@pytest.fixture
def tolerant_web() -> Iterator[Web]:
    """A client that shows a server error as the browser would see it instead of raising it."""
    app = create_app()
    with TestClient(app, base_url="http://hub.test", raise_server_exceptions=False) as client:
        yield Web(client)


def _server_error(web: Web, world: World, monkeypatch: pytest.MonkeyPatch) -> Response:
    async def broken(_building_id: int) -> dict[str, int]:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("hub.community.queries.role_counts", broken)
    response = web.get("/")
    assert "the database went away" not in response.text
    return response


def _rate_limited(web: Web, world: World, _: pytest.MonkeyPatch) -> Response:
    for _attempt in range(10):
        web.post("/login", {"login": "nobody@example.org", "password": "wrong"})
    return web.post("/login", {"login": "nobody@example.org", "password": "wrong"})


PageMaker = Callable[[Web, World, pytest.MonkeyPatch], Response]
PAGES: list[tuple[str, str, int, PageMaker]] = [
    # name, who asks, the status, how to get the page
    ("sign in", "anonymous", 200, lambda web, world, _: web.get("/login")),
    ("redirect to sign in", "anonymous", 303, lambda web, world, _: web.get("/profile")),
    ("today", "leader", 200, lambda web, world, _: web.get("/")),
    ("profile", "leader", 200, lambda web, world, _: web.get("/profile")),
    ("htmx fragment", "leader", 200, lambda web, world, _: web.get("/profile", htmx=True)),
    ("form refused", "leader", 422, lambda web, world, _: web.post("/profile", {})),
    ("role too low", "resident", 403, lambda web, world, _: web.get("/admin")),
    (
        "foreign building",
        "leader",
        404,
        lambda web, world, _: web.get(f"/b/{world.other_building_id}/members"),
    ),
    ("server error", "leader", 500, _server_error),
    ("unknown page", "anonymous", 404, lambda web, world, _: web.get("/no-such-page")),
    ("not a building id", "leader", 404, lambda web, world, _: web.get("/b/abc/members")),
    ("method not allowed", "anonymous", 405, lambda web, world, _: web.get("/logout")),
    ("csrf refused", "anonymous", 403, lambda web, world, _: web.post("/login", csrf=False)),
    ("rate limited", "anonymous", 429, _rate_limited),
]


@pytest.mark.parametrize(
    ("name", "role", "status", "make"),
    [pytest.param(*page, id=page[0]) for page in PAGES],
)
def test_every_kind_of_html_page_carries_the_security_headers(
    tolerant_web: Web,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    role: str,
    status: int,
    make: PageMaker,
) -> None:
    web = tolerant_web
    world = web.run(make_world)
    if role != "anonymous":
        web.sign_in(world.people[role].login)
    response = make(web, world, monkeypatch)
    assert response.status_code == status
    if status != 303:
        assert response.headers["content-type"].startswith("text/html")
    assert "content-security-policy" in response.headers, "no Content-Security-Policy"
    assert_safe_headers(response)


def test_static_files_and_health_carry_the_security_headers(web: Web) -> None:
    assert_safe_headers(web.get("/static/hub.js"))
    assert_safe_headers(web.get("/healthz"))


# (c) Templates that fit the CSP -----------------------------------------------------------------

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[a-zA-Z][^>]*>", re.DOTALL)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
TEMPLATE_FILES = sorted(TEMPLATES.glob("**/*.html"))


def test_there_are_templates_to_scan() -> None:
    assert len(TEMPLATE_FILES) >= 10
    assert TEMPLATES / "layout" / "base.html" in TEMPLATE_FILES


@pytest.mark.parametrize(
    "template", TEMPLATE_FILES, ids=[str(p.relative_to(TEMPLATES)) for p in TEMPLATE_FILES]
)
def test_templates_have_no_inline_script(template: Path) -> None:
    source = template.read_text(encoding="utf-8")
    for attributes, body in SCRIPT.findall(source):
        assert not body.strip(), f"inline script in {template.name}: {body.strip()[:80]}"
        assert "src=" in attributes, f"script without src in {template.name}"
    for tag in TAG.findall(source):
        assert not HANDLER_ATTRIBUTE.search(tag), f"event handler attribute: {tag}"
        assert "javascript:" not in tag.lower(), f"javascript: URL: {tag}"
        assert not re.search(r"\sstyle\s*=", tag), f"inline style (blocked by style-src): {tag}"
    assert not re.search(r"<style\b", source, re.IGNORECASE), "inline <style> element"


def test_the_scanner_finds_what_it_looks_for() -> None:
    bad = '<script>alert(1)</script><button onclick="x()">'
    assert SCRIPT.findall(bad)[0][1] == "alert(1)"
    assert any(HANDLER_ATTRIBUTE.search(tag) for tag in TAG.findall(bad))
    assert not any(HANDLER_ATTRIBUTE.search(t) for t in TAG.findall('<a class="one" data-on="x">'))


# (d) Cookies ------------------------------------------------------------------------------------


@pytest.fixture
def https_web() -> Iterator[Web]:
    with TestClient(create_app(), base_url="https://hub.test") as client:
        yield Web(client)


def test_session_cookie_is_httponly_and_lax_and_not_secure_over_http(
    web: Web, world: World
) -> None:
    attributes = cookie_attributes(web.sign_in(world.leader.login), "hub_session")
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "secure" not in attributes
    web.client.cookies.clear()
    csrf = cookie_attributes(web.get("/login"), "hub_csrf")
    assert "samesite=lax" in csrf


def test_cookies_are_secure_over_https(https_web: Web) -> None:
    world = https_web.run(make_world)
    csrf = cookie_attributes(https_web.get("/login"), "hub_csrf")
    assert "secure" in csrf
    response = https_web.sign_in(world.leader.login)
    attributes = cookie_attributes(response, "hub_session")
    assert {"httponly", "samesite=lax", "secure"} <= attributes
    for header in response.headers.get_list("set-cookie"):
        assert header.lower().count("secure") == 1, header  # added once, not twice
    assert https_web.get("/profile").status_code == 200  # the secure cookie comes back over TLS


def test_signing_out_ends_the_session_on_the_server(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    stolen = web.client.cookies.get("hub_session")
    web.sign_out()
    web.client.cookies.set("hub_session", stolen, domain="hub.test")
    assert web.get("/profile").status_code == 303


# (e) Rate limits --------------------------------------------------------------------------------


def expected_message(language: str, status: int) -> list[str]:
    catalogue = translations(language)
    return [catalogue.gettext(message) for message in MESSAGES[status]]


@pytest.mark.parametrize(("header", "language"), [("en", "en"), ("zh-CN,zh;q=0.9", "zh")])
def test_eleven_wrong_sign_ins_in_a_minute_are_limited(
    web: Web, world: World, header: str, language: str
) -> None:
    headers = {"Accept-Language": header}
    form = {"login": world.leader.login, "password": "not the password"}
    for _ in range(10):
        assert web.post("/login", form, headers=headers).status_code == 422
    response = web.post("/login", form, headers=headers)
    assert response.status_code == 429
    page = html.unescape(text_of(response))
    for message in expected_message(language, 429):
        assert message in page
    assert web.get("/login", headers=headers).status_code == 200  # reading the page is not


def test_even_the_right_password_waits_once_limited(web: Web, world: World) -> None:
    for _ in range(10):
        web.post("/login", {"login": world.leader.login, "password": "wrong"})
    response = web.post(
        "/login", {"login": world.leader.login, "password": "correct horse battery"}
    )
    assert response.status_code == 429
    assert "hub_session" not in response.headers.get("set-cookie", "")


def test_join_posts_are_limited(web: Web, world: World) -> None:
    url = f"/join/{join_token(web, world.building_id)}"
    form = {"display_name": "", "contact": "not a contact", "password": "short"}
    for _ in range(10):
        assert web.post(url, form).status_code == 422
    response = web.post(url, form, headers={"Accept-Language": "en"})
    assert response.status_code == 429
    assert expected_message("en", 429)[1] in html.unescape(text_of(response))


def test_a_made_up_join_link_is_limited_too(web: Web) -> None:
    statuses = [web.post("/join/guess", {}).status_code for _ in range(11)]
    assert statuses == [404] * 10 + [429]


# (f) Wrong sign-ins all look the same -----------------------------------------------------------


def test_wrong_sign_ins_answer_the_same_whatever_was_wrong(web: Web, world: World) -> None:
    async def deactivate(user_id: int) -> None:
        async with write_transaction():
            await User.update({User.active: False}).where(User.id == user_id)

    web.run(deactivate, world.volunteer.id)
    attempts = {
        "unknown login": ("13700000000", "correct horse battery"),
        "wrong password": (world.leader.login, "not the password"),
        "inactive user": (world.volunteer.login, "correct horse battery"),
        "unknown email": ("nobody@example.org", "correct horse battery"),
        "wrong password, email": (world.admin.login, "not the password"),
    }
    answers = {}
    for name, (login, password) in attempts.items():
        response = web.post(
            "/login", {"login": login, "password": password}, headers={"Accept-Language": "en"}
        )
        assert WRONG_LOGIN in html.unescape(text_of(response)), name
        assert "hub_session" not in response.headers.get("set-cookie", ""), name
        answers[name] = (response.status_code, text_of(response).replace(login, "LOGIN"))
    assert len(set(answers.values())) == 1, answers
    assert next(iter(answers.values()))[0] == 422


# (g) Health -------------------------------------------------------------------------------------


def test_health_is_ok_with_the_database_kind(web: Web) -> None:
    response = web.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": get_settings().database_kind}
    assert response.json()["database"] in {"sqlite", "postgresql"}
    assert "set-cookie" not in response.headers


def test_health_is_503_when_the_database_does_not_answer(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refused() -> bool:
        return False

    monkeypatch.setattr(health, "ping", refused)
    response = web.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] != "ok"


def test_health_is_503_when_the_database_hangs(web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    async def hangs() -> bool:
        await asyncio.sleep(30)
        return True

    monkeypatch.setattr(health, "ping", hangs)
    monkeypatch.setattr(health, "PING_TIMEOUT_SECONDS", 0.05)
    response = web.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": get_settings().database_kind}


# Where a form goes on to --------------------------------------------------------------------------

TRICKY_NEXT = [
    "//evil.example",
    "https://evil.example/",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\nSet-Cookie: stolen=1",
    " //evil.example",
    "/%2F/evil.example",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", TRICKY_NEXT)
def test_next_never_leads_off_the_site(web: Web, world: World, target: str) -> None:
    answers = [
        web.post("/preferences/language", {"language": "en", "next": target}),
        web.post("/preferences/text-size", {"large_text": "1", "next": target}),
        web.post(
            "/login",
            {"login": world.leader.login, "password": "correct horse battery", "next": target},
        ),
    ]
    for response in answers:
        assert response.status_code == 303
        location = response.headers["location"]
        assert location.isprintable(), location
        assert " " not in location, location
        assert location.startswith("/"), location
        assert not location.startswith(("//", "/\\")), location
    assert "stolen" not in answers[-1].headers.get("set-cookie", "")


# Transport, caching and signing out -----------------------------------------------------------

HSTS = "strict-transport-security"


def test_https_answers_carry_strict_transport_security(https_web: Web) -> None:
    # One client for both schemes: two apps alive at once would share one PostgreSQL pool
    # between two event loops.
    for path in ("/login", "/healthz", "/static/hub.js", "/no-such-page"):
        assert https_web.get(path).headers[HSTS].startswith("max-age=31536000"), path
        plain = https_web.client.get(f"http://hub.test{path}", follow_redirects=False)
        assert HSTS not in plain.headers, path  # plain http: nothing to pin


def test_a_signed_in_persons_pages_are_never_cached(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    for path in ("/", "/profile", f"/b/{world.building_id}/members", "/b/999999/members"):
        assert web.get(path).headers["cache-control"] == "private, no-store", path
    assert web.get("/profile", htmx=True).headers["cache-control"] == "private, no-store"
    assert web.post("/profile", {}).headers["cache-control"] == "private, no-store"
    # What says otherwise keeps its own: static files are the same for everyone.
    assert web.get("/static/hub.js").headers["cache-control"] == "no-cache"


def test_downloads_are_never_cached_and_name_their_charset_once(web: Web, world: World) -> None:
    from hub.events.actions import do_calendar_token
    from tests.events.support import make_event

    event_id = web.run(make_event, world.leader.id, world.community_id, world.building_id)
    feed_token = web.run(do_calendar_token, world.leader.id)
    web.sign_in(world.leader.login)
    base = f"/b/{world.building_id}"
    downloads = {
        f"{base}/logbook.csv": "text/csv; charset=utf-8",
        f"{base}/events/{event_id}/people.csv": "text/csv; charset=utf-8",
        f"{base}/events/{event_id}/event.ics": "text/calendar; charset=utf-8",
    }
    for path, content_type in downloads.items():
        response = web.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == content_type, path
        assert response.headers["cache-control"] == "private, no-store", path
    web.sign_out()
    feed = web.get(f"/calendar/feed/{feed_token}")
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert feed.headers["cache-control"] == "private, no-store"


def test_signing_out_clears_the_browsers_cache_but_not_its_storage(web: Web, world: World) -> None:
    """Member-only photos are cached for a week: signing out on a shared phone drops them. The
    service worker and the offline queue live in the site's storage, which stays."""
    web.sign_in(world.leader.login)
    response = web.post("/logout")
    assert response.status_code == 303
    cleared = {part.strip() for part in response.headers["clear-site-data"].split(",")}
    assert cleared == {'"cache"'}
