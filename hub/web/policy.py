"""Authorization in one place: every route declares the one thing it needs, with
`requires(Access.PUBLIC)`, `requires(Access.SIGNED_IN)` or `allowed("permission")`.

A permission is asked for where the route is: in the building of its `building_id`, in the
community of its `community_id` (only that community's admins have a place there), or, for a
route with neither, anywhere the viewer has a place. A viewer with no place there gets 404, so
nobody learns that another building's data exists; a place whose role does not grant the
permission (`hub.community.roles.GRANTS`) gets 403, and an anonymous viewer is sent to sign in.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from hub.community.viewer import ANONYMOUS, Viewer
from hub.forms import MAX_ID


class Access(StrEnum):
    """The routes that ask for no permission."""

    PUBLIC = "public"
    SIGNED_IN = "signed_in"


Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def viewer_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Viewer:
    return connection.scope.get("state", {}).get("viewer", ANONYMOUS)


def user_id_of(connection: ASGIConnection[Any, Any, Any, Any]) -> int:
    """The signed-in user's id, in a handler whose guard already required a signed-in user."""
    user_id = viewer_of(connection).user_id
    if user_id is None:
        raise NotAuthorizedException
    return user_id


def _storable(value: Any) -> bool:
    if isinstance(value, int):
        return 1 <= value <= MAX_ID
    if isinstance(value, str):
        return "\x00" not in value and value.isprintable() and _encodes(value)
    return True


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check(access: str, viewer: Viewer, path_params: dict[str, Any]) -> None:
    """Raise the exception this viewer earns for a route of this access (an Access or a
    permission) with these parameters. A parameter no row can hold (an id outside 1..2^31-1,
    text with a NUL or that is not valid Unicode, which PostgreSQL refuses) names nothing: 404
    for everyone."""
    if not all(_storable(value) for value in path_params.values()):
        raise NotFoundException
    if access == Access.PUBLIC:
        return
    if not viewer.signed_in:
        raise NotAuthorizedException
    if access == Access.SIGNED_IN:
        return
    if access not in _grants_where(viewer, path_params):
        raise PermissionDeniedException


def _grants_where(viewer: Viewer, path_params: dict[str, Any]) -> frozenset[str]:
    """What the viewer may do where the route is; 404 when they have no place there."""
    if "building_id" in path_params:
        place = viewer.places.get(path_params["building_id"])
        if place is None:
            raise NotFoundException
        return place.grants
    if "community_id" in path_params:
        grants = viewer.grants_in_community(path_params["community_id"])
        if grants is None:
            raise NotFoundException
        return grants
    return viewer.grants_anywhere()


def _guard(access: str, name: str) -> Guard:
    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        check(access, viewer_of(connection), connection.path_params)

    guard.access = access  # type: ignore[attr-defined]
    guard.__name__ = name
    return guard


def requires(access: Access) -> Guard:
    """A route open to everyone, or to everyone signed in."""
    return _guard(access, f"requires_{access.value}")


def allowed(permission: str) -> Guard:
    """A route for those whose role grants `permission` where the route is."""
    return _guard(permission, f"allowed_{permission}")


def access_of(handler: BaseRouteHandler) -> str:
    """The access a route declared (an Access or a permission), on the handler or on a layer
    above it (a controller whose section shares it); every route declares exactly one."""
    guards = [guard for layer in handler.ownership_layers for guard in layer.guards or []]
    declared = [g.access for g in guards if hasattr(g, "access")]
    if len(declared) != 1:
        raise LookupError(f"{handler} declares {len(declared)} access guards")
    return declared[0]
