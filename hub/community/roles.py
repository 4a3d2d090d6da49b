"""Roles in a building and what each may do.

A membership holds one role. The building roles form a ladder (resident, volunteer, leader) for
managing members: joining never demotes, a building keeps a leader. What a role may do is the
set of permissions it grants in GRANTS, the one table of who may do what; routes, rules and
pages ask for a permission, never for a role. A role off the ladder (a mediator who may read
one log and plan nothing) is one more row of GRANTS.
"""

from __future__ import annotations

from enum import IntEnum

from hub.i18n import N_


class Role(IntEnum):
    RESIDENT = 1
    VOLUNTEER = 2
    LEADER = 3

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @classmethod
    def from_key(cls, key: str) -> Role | None:
        return ROLE_KEYS.get(key)


ROLE_LABELS = {
    Role.RESIDENT: N_("Resident"),
    Role.VOLUNTEER: N_("Volunteer"),
    Role.LEADER: N_("Leader"),
}
ROLE_KEYS = {role.key: role for role in Role}

# The grants of a community admin, who acts in every building of their community.
ADMIN = "admin"

_RESIDENT = frozenset(
    {
        "events.attend",
        "notices.read",
        "tasks.report",
    }
)
_VOLUNTEER = _RESIDENT | {
    "patrols.walk",
    "tasks.work",
}
_LEADER = _VOLUNTEER | {
    "events.manage",
    "members.manage",
    "notices.manage",
    "patrols.plan",
    "patrols.review",
    "tasks.assign",
}
_ADMIN = _LEADER | {
    "communities.manage",
    "events.community_wide",
    "leaders.appoint",
}

# Role key (as stored on a membership, or ADMIN) -> the permissions it grants.
GRANTS: dict[str, frozenset[str]] = {
    Role.RESIDENT.key: _RESIDENT,
    Role.VOLUNTEER.key: _VOLUNTEER,
    Role.LEADER.key: _LEADER,
    ADMIN: _ADMIN,
}


def grants_of(role_key: str) -> frozenset[str]:
    """What a role may do; a role that is not in the table may do nothing."""
    return GRANTS.get(role_key, frozenset())


def roles_granting(permission: str) -> list[str]:
    """The membership roles that grant a permission, to find in a building who may do it."""
    return sorted(key for key, grants in GRANTS.items() if key != ADMIN and permission in grants)
