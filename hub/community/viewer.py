"""Who is asking: the signed-in user, the buildings they may see and their role in each."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.accounts.tables import User
from hub.community.roles import Role
from hub.community.tables import Building, CommunityAdmin, Membership


@dataclass(frozen=True, slots=True)
class Place:
    """A building the viewer may see, with the role they act in there."""

    building_id: int
    building_name: str
    community_id: int
    community_name: str
    timezone: str
    role: Role
    is_admin: bool


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

    def role_in(self, building_id: int) -> Role | None:
        place = self.places.get(building_id)
        return place.role if place else None


ANONYMOUS = Viewer()


async def load_viewer(user_id: int, current_building_id: int | None) -> Viewer | None:
    """The viewer for a session's user in three queries; None when the user is gone or inactive."""
    user = (
        await User.select(User.id, User.display_name, User.language, User.large_text)
        .where((User.id == user_id) & (User.active.eq(True)))
        .first()
    )
    if user is None:
        return None
    admin_rows = await CommunityAdmin.select(CommunityAdmin.community).where(
        CommunityAdmin.user == user_id
    )
    admin_of = frozenset(int(row["community"]) for row in admin_rows)
    member_rows = await Membership.select(Membership.building, Membership.role).where(
        Membership.user == user_id
    )
    roles = {
        int(row["building"]): Role.from_key(row["role"]) or Role.RESIDENT for row in member_rows
    }
    building_condition = Building.id.is_in(list(roles) or [0])
    if admin_of:
        building_condition |= Building.community.is_in(list(admin_of))
    buildings = (
        await Building.select(
            Building.id,
            Building.name,
            Building.timezone,
            Building.community.id.as_alias("community_id"),
            Building.community.name.as_alias("community_name"),
        )
        .where(building_condition)
        .order_by(Building.community.name)
        .order_by(Building.name)
    )
    places = {}
    for row in buildings:
        is_admin = row["community_id"] in admin_of
        role = Role.LEADER if is_admin else roles[row["id"]]
        places[row["id"]] = Place(
            building_id=row["id"],
            building_name=row["name"],
            community_id=row["community_id"],
            community_name=row["community_name"],
            timezone=row["timezone"],
            role=role,
            is_admin=is_admin,
        )
    return Viewer(
        user_id=user_id,
        display_name=user["display_name"],
        language=user["language"],
        large_text=user["large_text"],
        places=places,
        admin_of=admin_of,
        current_building_id=current_building_id,
    )
