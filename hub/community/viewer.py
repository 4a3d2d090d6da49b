"""Who is asking: the signed-in user, the buildings they may see, their role in each and what
it grants."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.accounts.tables import User
from hub.community.roles import ADMIN, Role, grants_of


@dataclass(frozen=True, slots=True)
class Place:
    """A building the viewer may see, with the role they act in there and the permissions
    it grants them (a community admin's in each building of the community)."""

    building_id: int
    building_name: str
    community_id: int
    community_name: str
    timezone: str
    role: Role
    is_admin: bool
    grants: frozenset[str]

    def can(self, permission: str) -> bool:
        return permission in self.grants


@dataclass(slots=True)
class Viewer:
    user_id: int | None = None
    display_name: str = ""
    language: str = ""
    large_text: bool = False
    places: dict[int, Place] = field(default_factory=dict)
    admin_of: frozenset[int] = frozenset()
    current_building_id: int | None = None

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    @property
    def current(self) -> Place | None:
        if self.current_building_id in self.places:
            return self.places[self.current_building_id]
        return next(iter(self.places.values()), None)

    def can(self, permission: str, building_id: int) -> bool:
        place = self.places.get(building_id)
        return place is not None and place.can(permission)

    def grants_in_community(self, community_id: int) -> frozenset[str] | None:
        """What the viewer may do in a community as a whole: None when they have no place in
        it (only its admins have one)."""
        return grants_of(ADMIN) if community_id in self.admin_of else None

    def can_anywhere(self, permission: str) -> bool:
        return permission in self.grants_anywhere()

    def grants_anywhere(self) -> frozenset[str]:
        """Everything the viewer may do in some building or community."""
        found = set(grants_of(ADMIN)) if self.admin_of else set()
        for place in self.places.values():
            found |= place.grants
        return frozenset(found)


ANONYMOUS = Viewer()


# One statement for the whole viewer: the user, then a row for each building they belong to and
# for each building of each community they administer (a community with no building yet still
# gives one row, so its admin is known). Every page pays for it, so it is one round trip.
_VIEWER_SQL = """
SELECT u.display_name, u.language, u.large_text,
       p.role, p.admin_community,
       b.id AS building_id, b.name AS building_name, b.timezone,
       c.id AS community_id, c.name AS community_name
FROM hub_user u
LEFT JOIN (
    SELECT m.building AS building, m.role AS role, NULL AS admin_community
    FROM hub_membership m WHERE m.user = {}
    UNION ALL
    SELECT NULL, NULL, a.community FROM hub_community_admin a WHERE a.user = {}
) p ON 1 = 1
LEFT JOIN hub_building b ON b.id = p.building OR b.community = p.admin_community
LEFT JOIN hub_community c ON c.id = b.community
WHERE u.id = {} AND u.active = {}
"""


async def load_viewer(user_id: int, current_building_id: int | None) -> Viewer | None:
    """The viewer for a session's user; None when the user is gone or inactive."""
    rows = await User.raw(_VIEWER_SQL, user_id, user_id, user_id, True)
    if not rows:
        return None
    admin_of = frozenset(int(r["admin_community"]) for r in rows if r["admin_community"])
    places: dict[int, Place] = {}
    for row in rows:
        if row["building_id"] is None:
            continue
        is_admin = row["community_id"] in admin_of
        if is_admin:
            role, grants = Role.LEADER, grants_of(ADMIN)
        elif row["role"] is not None:
            role, grants = Role.from_key(row["role"]) or Role.RESIDENT, grants_of(row["role"])
        else:
            continue
        places[row["building_id"]] = Place(
            building_id=row["building_id"],
            building_name=row["building_name"],
            community_id=row["community_id"],
            community_name=row["community_name"],
            timezone=row["timezone"],
            role=role,
            is_admin=is_admin,
            grants=grants,
        )
    user = rows[0]
    return Viewer(
        user_id=user_id,
        display_name=user["display_name"],
        language=user["language"],
        large_text=bool(user["large_text"]),
        places=dict(
            sorted(places.items(), key=lambda item: (item[1].community_name, item[1].building_name))
        ),
        admin_of=admin_of,
        current_building_id=current_building_id,
    )
