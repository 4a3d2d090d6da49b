"""Forms are small: a body too large or with too many fields is refused before it is parsed,
whoever sends it (the CSRF check reads the form of any POST without the token header), and a
large form is parsed off the event loop. Routes that take photos keep their own limits."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from typing import Any

import pytest

from hub.web import middleware
from hub.web.forms import FORM_BODY_LIMIT, MAX_FIELDS
from tests.factories import World
from tests.web_client import Web, text_of

URLENCODED = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each parse of a large urlencoded form: whether it ran on the event loop's thread."""
    seen: list[bool] = []
    parse: Callable[[bytes], Any] = middleware._parse_urlencoded

    def spy(body: bytes) -> Any:
        try:
            asyncio.get_running_loop()
            seen.append(True)
        except RuntimeError:
            seen.append(False)
        return parse(body)

    monkeypatch.setattr(middleware, "_parse_urlencoded", spy)
    return seen


def test_eight_megabytes_of_fields_are_refused_unread(web: Web, parses: list[bool]) -> None:
    body = b"a=1&" * 2_000_000  # 8 MB, 2,000,000 fields, no CSRF token
    response = web.client.post(
        "/login", content=body, headers={**URLENCODED, "Accept-Language": "en"}
    )
    assert response.status_code == 413
    assert "What you sent is too large." in html.unescape(text_of(response))
    assert parses == []
    assert web.get("/healthz").status_code == 200


def test_too_many_fields_in_a_small_body_are_refused(web: Web, parses: list[bool]) -> None:
    body = b"&".join(b"f=%d" % n for n in range(MAX_FIELDS + 1))
    assert len(body) < FORM_BODY_LIMIT
    response = web.client.post("/login", content=body, headers=URLENCODED)
    assert response.status_code == 413
    assert parses == []


def test_a_form_of_many_fields_under_the_limits_still_works(web: Web, world: World) -> None:
    fields = {f"unused{n}": "x" for n in range(MAX_FIELDS - 10)}
    response = web.post("/login", {"login": world.leader.login, "password": "wrong", **fields})
    assert response.status_code == 422  # read, and answered as a wrong password


def test_a_large_form_is_parsed_in_a_thread(web: Web, world: World, parses: list[bool]) -> None:
    web.sign_in(world.leader.login)
    note = "长" * 20_000  # about 180 KB once encoded: a route that takes photos allows it
    response = web.post(
        f"/b/{world.building_id}/tasks/new", {"title": "Lobby light out", "description": note}
    )
    assert response.status_code < 500
    assert parses == [False]


def test_a_form_without_files_over_the_body_limit_is_refused(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    response = web.post("/profile", {"display_name": "x" * (FORM_BODY_LIMIT + 1)})
    assert response.status_code == 413
    multipart = web.post("/profile", files={"display_name": (None, "y" * (FORM_BODY_LIMIT + 1))})
    assert multipart.status_code == 413


def test_a_multipart_form_of_too_many_parts_is_refused(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    parts = [(f"f{n}", (None, "x")) for n in range(MAX_FIELDS + 1)]
    response = web.post(f"/b/{world.building_id}/tasks/new", files=parts)
    assert 400 <= response.status_code < 500
