"""Addresses from route names: `url("tasks.task", building_id=1, task_id=7)` is "/b/1/tasks/7".

Every route handler has a stable name, "area.what". Pages, redirects and the notifications the
worker writes build their addresses from those names, never by hand, so a path is written once,
in its route's decorator. The table is read from the routers the areas declare (hub/areas.py) and
the web layer's own, the first time an address is asked for: the worker, which builds no app,
gets the same addresses as the pages (its first address imports the route modules, once, about
0.1 s; no app, template or database is touched). Each name becomes a format string once, so an
address costs a dictionary look-up and a `str.format` (a page of 112 shift cards asks for
hundreds).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

# The web layer's routers, by "module:attribute" as the areas name theirs; hub/app.py serves them
# with the areas' (served_routers), and tests/test_urls.py checks the table holds every route.
WEB_ROUTES = (
    "hub.web.pwa:router",
    "hub.web.calendar_routes:router",
    "hub.web.today_routes:router",
    "hub.web.health:healthz",
)
# Where every page of one building lives, as route paths begin ("/b/{building_id:int}/...").
BUILDING_PAGES = "/b/{building_id}/"
# A path parameter as Litestar writes it: "{building_id:int}".
PARAMETER = re.compile(r"\{(\w+):\w+\}")


class NoSuchRoute(LookupError):
    """A name no route has, or parameters that are not the route's."""


def _handlers(item: Any) -> Iterator[tuple[str, Any]]:
    """(path, handler) of every handler of a router, or of one handler."""
    routes = getattr(item, "routes", None)
    if routes is None:
        for path in item.paths:
            yield path, item
        return
    for route in routes:
        for handler in route.route_handlers:
            if handler.http_methods != {"OPTIONS"}:  # the one Litestar adds to every path
                yield route.path, handler


def route_table(items: Iterable[Any]) -> dict[str, tuple[str, frozenset[str]]]:
    """Each handler's name with its path as a format string and its parameters' names; a name
    given twice, or a handler without one, is an error."""
    table: dict[str, tuple[str, frozenset[str]]] = {}
    seen: dict[str, int] = {}
    for item in items:
        for path, handler in _handlers(item):
            name = handler.name
            if not name or "." not in name:
                raise ValueError(f"{path}: a route handler needs name='area.what'")
            if name in seen and seen[name] != id(handler):
                raise ValueError(f"{path}: the route name {name} is taken")
            seen[name] = id(handler)
            table[name] = (PARAMETER.sub(r"{\1}", path), frozenset(PARAMETER.findall(path)))
    return table


def served_routers() -> list[Any]:
    """Every router and handler Hub serves: the areas' (hub/areas.py), then the web layer's
    (imported on first use: areas import this module)."""
    from hub.area import load
    from hub.areas import AREAS

    return [
        *(router for area in AREAS for router in area.routers()),
        *(load(name) for name in WEB_ROUTES),
    ]


@cache
def routes() -> dict[str, tuple[str, frozenset[str]]]:
    """The table of every route Hub serves."""
    return route_table(served_routers())


def url(name: str, /, **parameters: Any) -> str:
    """The path of the route with this name, its parameters filled in."""
    try:
        template, expected = routes()[name]
    except KeyError:
        raise NoSuchRoute(f"no route is named {name}") from None
    if parameters.keys() != expected:
        raise NoSuchRoute(f"{name} takes {sorted(expected)}, not {sorted(parameters)}")
    return template.format_map(parameters)


def in_building(path: str, building_id: int) -> bool:
    """Whether a path (a form's "back" address) is one of this building's pages."""
    return path.startswith(BUILDING_PAGES.format(building_id=building_id))
