"""The one table of who may do what: roles grant only permissions the areas declare, every
permission is granted to someone, and queries find in a building whoever a role lets do a thing."""

from __future__ import annotations

from itertools import pairwise

from hub.areas import permissions
from hub.community.queries import member_ids
from hub.community.roles import ADMIN, GRANTS, Role, grants_of, roles_granting
from tests.factories import World
from tests.web_client import Web


def test_roles_grant_only_declared_permissions_and_each_is_granted() -> None:
    granted = set().union(*GRANTS.values())
    assert granted <= set(permissions()), "granted but declared by no area"
    assert set(permissions()) <= granted, "declared but granted to nobody"


def test_each_rung_may_do_all_the_one_below_may() -> None:
    """Each rung may do all the one below may, and a community admin all a leader may."""
    ladder = [grants_of(role.key) for role in Role] + [grants_of(ADMIN)]
    assert all(lower < higher for lower, higher in pairwise(ladder))


def test_a_role_not_in_the_table_may_do_nothing() -> None:
    assert grants_of("no such role") == frozenset()


def test_roles_granting_names_membership_roles_only() -> None:
    assert roles_granting("patrols.walk") == ["leader", "volunteer"]
    assert roles_granting("communities.manage") == []  # only community admins, not a membership


def test_member_ids_finds_whom_a_role_lets_do_it(web: Web, world: World) -> None:
    everyone = web.run(member_ids, world.building_id, "notices.read")
    assert everyone == sorted([world.leader.id, world.volunteer.id, world.resident.id])
    patrollers = web.run(member_ids, world.building_id, "patrols.walk")
    assert patrollers == sorted([world.leader.id, world.volunteer.id])
    assert web.run(member_ids, world.building_id, "patrols.review") == [world.leader.id]
