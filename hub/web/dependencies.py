"""Values many handlers share, injected by name: `place` (the viewer's place in the route's
building), `user_id` (the signed-in viewer) and `timezone` (the building's, or the viewer's).
The app registers them once; a handler asks for one by taking a parameter of that name, marked
`NamedDependency[...]`. Each relies on the route's guard having run first (Litestar calls guards
before it resolves dependencies), so none reads the database.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from hub.community.viewer import Place
from hub.web.dates import DEFAULT_TIMEZONE
from hub.web.policy import user_id_of, viewer_of


def provide_place(request: Request[Any, Any, Any], building_id: FromPath[int]) -> Place:
    """The viewer's place in the route's building (the guard made sure it is there)."""
    place = viewer_of(request).places.get(building_id)
    if place is None:  # only a route whose guard asks for no place gets here
        raise NotFoundException
    return place


def provide_user_id(request: Request[Any, Any, Any]) -> int:
    return user_id_of(request)


def provide_timezone(request: Request[Any, Any, Any]) -> str:
    """The time zone a page shows times in: its building's for a route of a building, else that
    of the building the viewer is in now (their settings, say), else the default."""
    viewer = viewer_of(request)
    building_id = request.path_params.get("building_id")
    place = viewer.current if building_id is None else viewer.places.get(building_id)
    return place.timezone if place else DEFAULT_TIMEZONE


DEPENDENCIES = {
    "place": Provide(provide_place, sync_to_thread=False),
    "user_id": Provide(provide_user_id, sync_to_thread=False),
    "timezone": Provide(provide_timezone, sync_to_thread=False),
}
