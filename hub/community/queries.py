"""What community pages read, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from piccolo.query.functions.aggregate import Count

from hub.accounts.tables import UserSkill
from hub.community.roles import Role, roles_granting
from hub.community.tables import Building, Community, CommunityAdmin, Membership

NEWEST_SHOWN = 5


async def building(building_id: int) -> dict[str, Any] | None:
    return (
        await Building.select(
            Building.id,
            Building.name,
            Building.address,
            Building.timezone,
            Building.join_token,
            Building.community.name.as_alias("community_name"),
        )
        .where(Building.id == building_id)
        .first()
    )


async def members(building_id: int) -> list[dict[str, Any]]:
    """The building's members, leaders first, each with their skills (two queries)."""
    rows = (
        await Membership.select(
            Membership.id,
            Membership.role,
            Membership.created_at,
            Membership.user.id.as_alias("user_id"),
            Membership.user.display_name.as_alias("display_name"),
            Membership.user.email.as_alias("email"),
            Membership.user.phone.as_alias("phone"),
        )
        .where(Membership.building == building_id)
        .order_by(Membership.user.display_name)
    )
    skills: dict[int, list[str]] = defaultdict(list)
    if rows:
        for skill in await UserSkill.select(UserSkill.user, UserSkill.skill).where(
            UserSkill.user.is_in([row["user_id"] for row in rows])
        ):
            skills[skill["user"]].append(skill["skill"])
    for row in rows:
        row["role"] = Role.from_key(row["role"]) or Role.RESIDENT
        row["skills"] = skills[row["user_id"]]
    rows.sort(key=lambda row: -row["role"])
    return rows


async def member_ids(building_id: int, permission: str) -> list[int]:
    """The users of a building whose role grants `permission` (one query)."""
    rows = (
        await Membership.select(Membership.user)
        .where(
            (Membership.building == building_id) & Membership.role.is_in(roles_granting(permission))
        )
        .order_by(Membership.user)
    )
    return [int(row["user"]) for row in rows]


async def homes(community_id: int, user_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Each member's building in this community, the first by id when they have several (one
    query); with `user_ids`, only those users. For community-wide news, the building whose
    pages a person opens."""
    query = (
        Membership.select(Membership.user, Membership.building)
        .where(Membership.building.community == community_id)
        .order_by(Membership.building)
    )
    if user_ids is not None:
        query = query.where(Membership.user.is_in(list(user_ids) or [0]))
    found: dict[int, int] = {}
    for row in await query:
        found.setdefault(int(row["user"]), int(row["building"]))
    return found


async def role_counts(building_id: int) -> dict[str, int]:
    counts = {role.key: 0 for role in Role}
    for row in (
        await Membership.select(Membership.role, Count(Membership.id).as_alias("members"))
        .where(Membership.building == building_id)
        .group_by(Membership.role)
    ):
        counts[row["role"]] = row["members"]
    return counts


async def newest_members(building_id: int, *, limit: int = NEWEST_SHOWN) -> list[dict[str, Any]]:
    """The last people to join, newest first: whom a leader may want to greet or promote."""
    rows = (
        await Membership.select(
            Membership.role, Membership.user.display_name.as_alias("display_name")
        )
        .where(Membership.building == building_id)
        .order_by(Membership.id, ascending=False)
        .limit(limit)
    )
    for row in rows:
        row["role"] = Role.from_key(row["role"]) or Role.RESIDENT
    return rows


async def admin_overview(user_id: int) -> list[dict[str, Any]]:
    """The communities this user administers, each with its buildings, member counts and the
    names of their leaders."""
    community_ids = [
        row["community"]
        for row in await CommunityAdmin.select(CommunityAdmin.community).where(
            CommunityAdmin.user == user_id
        )
    ]
    if not community_ids:
        return []
    communities = (
        await Community.select(Community.id, Community.name)
        .where(Community.id.is_in(community_ids))
        .order_by(Community.name)
    )
    buildings = (
        await Building.select(Building.id, Building.name, Building.address, Building.community)
        .where(Building.community.is_in(community_ids))
        .order_by(Building.name)
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {role.key: 0 for role in Role})
    leaders: dict[int, list[str]] = defaultdict(list)
    if buildings:
        for row in (
            await Membership.select(
                Membership.building,
                Membership.role,
                Membership.user.display_name.as_alias("name"),
            )
            .where(Membership.building.is_in([b["id"] for b in buildings]))
            .order_by(Membership.user.display_name)
        ):
            counts[row["building"]][row["role"]] += 1
            if row["role"] == Role.LEADER.key:
                leaders[row["building"]].append(row["name"])
    by_community: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in buildings:
        row["counts"] = counts[row["id"]]
        row["leaders"] = leaders[row["id"]]
        by_community[row["community"]].append(row)
    for community in communities:
        community["buildings"] = by_community[community["id"]]
    return communities
