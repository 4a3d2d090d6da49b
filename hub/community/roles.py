"""Roles in a building, in rising order of what they may do."""

from __future__ import annotations

from enum import IntEnum

from hub.web.i18n import N_


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
