"""Addresses are built from route names (hub/urls.py), never written by hand: every route is
named once, each name gives the address Litestar itself would, and the worker, which builds no
app, gets the same addresses as the pages."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from hub.urls import NoSuchRoute, in_building, route_table, routes, url

ROOT = Path(__file__).resolve().parent.parent
# A building's address written by hand: in a template, an f-string, or glued together.
BY_HAND = re.compile(r"""/b/\{\{|f"/b/|f'/b/|["']/b/["']\s*[+~]|["']/b/%s""")
# Any of a template's links, forms or htmx requests to one of Hub's pages (static files aside).
TEMPLATE_LINK = re.compile(r'(href|action|src|data-hx-[a-z]+|data-[a-z-]*url)="/(?!static/)')


def sources() -> list[Path]:
    found = [*(ROOT / "templates").rglob("*.html")]
    found += [
        path
        for path in (ROOT / "hub").rglob("*.py")
        if "piccolo_migrations" not in path.parts and path.name != "urls.py"
    ]
    return sorted(found)


def test_no_template_or_module_writes_a_building_address_by_hand() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if BY_HAND.search(line) or (path.suffix == ".html" and TEMPLATE_LINK.search(line))
    ]
    assert not offenders, "\n".join(offenders)


def test_the_check_finds_an_address_written_by_hand() -> None:
    for line in (
        '<a href="/b/{{ building_id }}/tasks">',
        'see_other(f"/b/{building_id}/tasks")',
        '{% set path = "/b/" ~ building_id %}',
        'responsive("/b/%s/tasks/photos/%s" % (building_id, photo_id))',
    ):
        assert BY_HAND.search(line), line
    for line in ('<a href="/profile">', '<form action="/join/{{ token }}">', 'data-hx-post="/x"'):
        assert TEMPLATE_LINK.search(line), line
    assert not TEMPLATE_LINK.search('<link href="/static/hub.css">')


def test_every_route_the_app_serves_has_a_unique_name_that_reverses_as_litestar_does(
    hub_app: Litestar,
) -> None:
    names: dict[str, str] = {}
    for route in hub_app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.http_methods == {"OPTIONS"} or route.path.startswith("/static/"):
                continue  # Litestar's own OPTIONS; static files have static_url()
            assert re.fullmatch(r"[a-z]+\.[a-z_]+", handler.name or ""), route.path
            assert names.setdefault(handler.name, route.path) == route.path, handler.name
            parameters = {
                part.name: 7 if part.type is int else "abc"
                for part in route.path_components
                if not isinstance(part, str)
            }
            assert url(handler.name, **parameters) == hub_app.route_reverse(
                handler.name, **parameters
            )
    assert set(routes()) == set(names)


def test_a_name_twice_or_a_route_without_one_stops_the_start() -> None:
    from litestar import get

    @get("/b/{building_id:int}/one", name="tasks.same")
    async def one() -> None: ...

    @get("/b/{building_id:int}/two", name="tasks.same")
    async def two() -> None: ...

    @get("/three")
    async def three() -> None: ...

    assert route_table([one])["tasks.same"] == ("/b/{building_id}/one", frozenset({"building_id"}))
    with pytest.raises(ValueError, match=r"tasks\.same is taken"):
        route_table([one, two])
    with pytest.raises(ValueError, match="needs name="):
        route_table([three])


def test_an_unknown_name_or_wrong_parameters_are_refused() -> None:
    assert url("tasks.task", building_id=3, task_id=12) == "/b/3/tasks/12"
    with pytest.raises(NoSuchRoute):
        url("tasks.nothing", building_id=3)
    with pytest.raises(NoSuchRoute):
        url("tasks.task", building_id=3)
    with pytest.raises(NoSuchRoute):
        url("tasks.task", building_id=3, task_id=12, extra=1)


def test_in_building_tells_a_building_page_from_another_building_or_elsewhere() -> None:
    assert in_building(url("patrols.week", building_id=4), 4)
    assert not in_building(url("patrols.week", building_id=41), 4)
    assert not in_building("/profile", 4)


def test_the_worker_builds_the_same_addresses_without_the_web_app() -> None:
    alone = (  # in a process of its own, as `hub worker` starts
        "import sys; from hub.cli import prepare_worker; prepare_worker();"
        "from hub.urls import url;"
        "print(url('tasks.task', building_id=2, task_id=5));"
        "print('hub.app' in sys.modules)"
    )
    ran = subprocess.run(
        [sys.executable, "-c", alone], capture_output=True, text=True, timeout=60, check=True
    )
    assert ran.stdout.split("\n")[:2] == ["/b/2/tasks/5", "False"], ran.stderr
