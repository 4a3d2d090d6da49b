"""Community: communities, buildings, members and their roles, joining, and the Today page."""

from __future__ import annotations

from hub.area import Area, Permission
from hub.community.actions import accept_invitations
from hub.i18n import N_

AREA = Area(
    name="community",
    routes=("hub.community.routes:router",),
    on_sign_in=(accept_invitations,),
    permissions=(
        Permission(
            "members.manage",
            N_("See the building's members, change their roles and invite neighbours"),
        ),
        Permission("leaders.appoint", N_("Appoint a building's leaders")),
        Permission("communities.manage", N_("Add communities and their buildings")),
    ),
)
