"""Test data made through Hub's own actions, so tests see what real use would leave behind."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from hub.accounts.actions import NewAccount, do_create_user
from hub.community import actions
from hub.community.roles import Role
from hub.community.tables import Membership
from hub.db import write_transaction
from tests.web_client import PASSWORD

_phones = itertools.count(13900000001)


@dataclass
class Person:
    id: int
    login: str
    name: str


@dataclass
class World:
    """Two communities' worth of people: building A with every role, and a foreign building B."""

    community_id: int
    building_id: int
    other_community_id: int
    other_building_id: int
    admin: Person
    leader: Person
    volunteer: Person
    resident: Person
    other_leader: Person
    people: dict[str, Person] = field(default_factory=dict)

    def membership_of(self, person: Person) -> int:
        return self.people_memberships[person.id]

    people_memberships: dict[int, int] = field(default_factory=dict)


async def make_person(name: str, *, email: str | None = None) -> Person:
    phone = None if email else str(next(_phones))
    user_id = await do_create_user(
        NewAccount(display_name=name, email=email, phone=phone, password=PASSWORD)
    )
    return Person(id=user_id, login=email or phone or "", name=name)


async def add_member(person: Person, building_id: int, role: Role) -> int:
    async with write_transaction():
        rows = await Membership.insert(
            Membership(user=person.id, building=building_id, role=role.key)
        ).returning(Membership.id)
    return int(rows[0]["id"])


async def make_world() -> World:
    admin = await make_person("Admin Liu", email="admin@example.org")
    community_id = await actions.do_create_community(admin.id, "Dekang Garden")
    building_id = await actions.do_create_building(
        admin.id, community_id, name="Building 2", address="", timezone="Asia/Shanghai"
    )
    other_admin = await make_person("Other Admin", email="other-admin@example.org")
    other_community_id = await actions.do_create_community(other_admin.id, "Chenyang")
    other_building_id = await actions.do_create_building(
        other_admin.id, other_community_id, name="Block 4", address="", timezone="Asia/Shanghai"
    )
    leader = await make_person("Leader Wang")
    volunteer = await make_person("Volunteer Li")
    resident = await make_person("Resident Chen")
    other_leader = await make_person("Leader Zhao")
    memberships = {
        leader.id: await add_member(leader, building_id, Role.LEADER),
        volunteer.id: await add_member(volunteer, building_id, Role.VOLUNTEER),
        resident.id: await add_member(resident, building_id, Role.RESIDENT),
        other_leader.id: await add_member(other_leader, other_building_id, Role.LEADER),
    }
    return World(
        community_id=community_id,
        building_id=building_id,
        other_community_id=other_community_id,
        other_building_id=other_building_id,
        admin=admin,
        leader=leader,
        volunteer=volunteer,
        resident=resident,
        other_leader=other_leader,
        people={
            "admin": admin,
            "leader": leader,
            "volunteer": volunteer,
            "resident": resident,
            "other_leader": other_leader,
        },
        people_memberships=memberships,
    )
