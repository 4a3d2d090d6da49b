"""Authorization in one place: every route declares the access it needs with `requires(...)`.

Building routes carry `building_id` in their path and community routes `community_id`; a viewer
with no place there gets 404, so nobody learns that another building's data exists. A viewer
with a place but too low a role gets 403, and an anonymous one is sent to sign in.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from hub.community.roles import Role
from hub.community.viewer import ANONYMOUS, Viewer


class Access(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    RESIDENT = "resident"
    VOLUNTEER = "volunteer"
    LEADER = "leader"
    ADMIN = "admin"


BUILDING_ROLE = {
    Access.RESIDENT: Role.RESIDENT,
    Access.VOLUNTEER: Role.VOLUNTEER,
    Access.LEADER: Role.LEADER,
}

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def viewer_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Viewer:
    return connection.scope.get("state", {}).get("viewer", ANONYMOUS)


def user_id_of(connection: ASGIConnection[Any, Any, Any, Any]) -> int:
    """The signed-in user's id, in a handler whose guard already required a signed-in user."""
    user_id = viewer_of(connection).user_id
    if user_id is None:
        raise NotAuthorizedException
    return user_id


def check(access: Access, viewer: Viewer, path_params: dict[str, Any]) -> None:
    """Raise the exception this viewer earns for a route of this access with these parameters."""
    if access is Access.PUBLIC:
        return
    if not viewer.signed_in:
        raise NotAuthorizedException
    if access is Access.SIGNED_IN:
        return
    if access is Access.ADMIN:
        _check_admin(viewer, path_params)
        return
    building_id = path_params["building_id"]
    role = viewer.role_in(building_id)
    if role is None:
        raise NotFoundException
    if role < BUILDING_ROLE[access]:
        raise PermissionDeniedException


def _check_admin(viewer: Viewer, path_params: dict[str, Any]) -> None:
    if "community_id" in path_params:
        if path_params["community_id"] not in viewer.admin_of:
            raise NotFoundException
    elif "building_id" in path_params:
        place = viewer.places.get(path_params["building_id"])
        if place is None:
            raise NotFoundException
        if not place.is_admin:
            raise PermissionDeniedException
    elif not viewer.admin_of:
        raise PermissionDeniedException


def requires(access: Access) -> Guard:
    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        check(access, viewer_of(connection), connection.path_params)

    guard.access = access  # type: ignore[attr-defined]
    guard.__name__ = f"requires_{access.value}"
    return guard


def access_of(handler: BaseRouteHandler) -> Access:
    """The access a route declared; every route must declare exactly one."""
    declared = [g.access for g in handler.guards or [] if hasattr(g, "access")]
    if len(declared) != 1:
        raise LookupError(f"{handler} declares {len(declared)} access guards")
    return declared[0]
