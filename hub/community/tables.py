from __future__ import annotations

from piccolo.columns import ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from hub.accounts.tables import User


class Community(Table, tablename="hub_community"):
    id: Serial
    name = Varchar(length=120)
    created_at = Timestamptz(default=TimestamptzNow())


class Building(Table, tablename="hub_building"):
    id: Serial
    community = ForeignKey(references=Community, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=120)
    address = Varchar(length=200, default="")
    timezone = Varchar(length=64, default="Asia/Shanghai")
    join_token = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Membership(Table, tablename="hub_membership"):
    """A user's place in one building: resident, volunteer or leader."""

    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    building = ForeignKey(references=Building, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=16, default="resident")
    created_at = Timestamptz(default=TimestamptzNow())


class CommunityAdmin(Table, tablename="hub_community_admin"):
    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    community = ForeignKey(references=Community, on_delete=OnDelete.cascade, index=True)


class Invitation(Table, tablename="hub_invitation"):
    """A role in a building offered to whoever has (or makes) an account with this phone number
    or email; it is taken when they sign in."""

    id: Serial
    building = ForeignKey(references=Building, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=16, default="leader")
    email = Varchar(length=254, null=True, default=None, index=True)
    phone = Varchar(length=20, null=True, default=None, index=True)
    invited_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    accepted_at = Timestamptz(null=True, default=None)


class SetupToken(Table, tablename="hub_setup_token"):
    """The one-time first-start token; only its hash is kept."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class AuditEntry(Table, tablename="hub_audit_entry"):
    """Who changed what: one row for each change others rely on, in any area (hub/audit.py
    writes them)."""

    id: Serial
    actor = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, index=True)
    community = ForeignKey(references=Community, on_delete=OnDelete.cascade, null=True)
    building = ForeignKey(references=Building, on_delete=OnDelete.cascade, null=True, index=True)
    action = Varchar(length=40)
    detail = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
