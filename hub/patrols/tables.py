from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from hub.accounts.tables import User
from hub.community.tables import Building
from hub.tasks.tables import Task


class PatrolRoute(Table, tablename="hub_patrol_route"):
    """A named walk through the building: an ordered list of checkpoints."""

    id: Serial
    building = ForeignKey(references=Building, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=80)
    in_order = Boolean(default=False)
    allow_unscheduled = Boolean(default=True)
    retired_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Checkpoint(Table, tablename="hub_checkpoint"):
    """A place on a route with a QR poster; its token is what the poster's URL carries."""

    id: Serial
    route = ForeignKey(references=PatrolRoute, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=80)
    location = Varchar(length=200, default="")
    position = Integer(default=0)
    token = Varchar(length=64, unique=True)
    retired_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Schedule(Table, tablename="hub_patrol_schedule"):
    """A weekly rule ("Mon-Fri 19:00-20:00, 2 volunteers") that shifts are made from.

    Start time and weekdays are in the building's time zone; `weekdays` holds ISO day numbers
    (1 = Monday) as digits, e.g. "12345".
    """

    id: Serial
    route = ForeignKey(references=PatrolRoute, on_delete=OnDelete.cascade, index=True)
    weekdays = Varchar(length=7)
    start_minute = Integer()
    duration_minutes = Integer()
    volunteers = Integer(default=1)
    starts_on = Date()
    ends_on = Date(null=True, default=None)
    retired_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Shift(Table, tablename="hub_shift"):
    id: Serial
    route = ForeignKey(references=PatrolRoute, on_delete=OnDelete.cascade, index=True)
    schedule = ForeignKey(references=Schedule, on_delete=OnDelete.set_null, null=True, index=True)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    volunteers = Integer(default=1)
    cancelled_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ShiftSignup(Table, tablename="hub_shift_signup"):
    """A volunteer on a shift, signed up themselves or assigned by a leader."""

    id: Serial
    shift = ForeignKey(references=Shift, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    assigned_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Round(Table, tablename="hub_round"):
    """One volunteer's walk of a route, for a shift or unscheduled."""

    id: Serial
    route = ForeignKey(references=PatrolRoute, on_delete=OnDelete.cascade, index=True)
    shift = ForeignKey(references=Shift, on_delete=OnDelete.set_null, null=True, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    started_at = Timestamptz(default=TimestamptzNow(), index=True)
    finished_at = Timestamptz(null=True, default=None, index=True)


class CheckIn(Table, tablename="hub_check_in"):
    """A checkpoint visited on a round, or skipped with a reason.

    `client_uuid` is made by the phone, so a check-in replayed by the offline queue is stored
    once; `device_time` is when the phone says it happened, `recorded_at` when the server heard.
    """

    id: Serial
    round = ForeignKey(references=Round, on_delete=OnDelete.cascade, index=True)
    checkpoint = ForeignKey(references=Checkpoint, on_delete=OnDelete.cascade, index=True)
    client_uuid = Varchar(length=36, unique=True)
    device_time = Timestamptz(null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())
    manual = Boolean(default=False)
    skipped = Boolean(default=False)
    note = Text(default="")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)


class CheckInPhoto(Table, tablename="hub_check_in_photo"):
    """A photo taken at a check-in; the files are in hub.media's storage under these random
    names and are served only to the volunteer who took it and the building's leaders.

    A photo added to a check-in afterwards carries the phone's `client_uuid`, so the offline
    queue's replays store it once; one sent with the check-in has none (the check-in's own UUID
    already makes it once)."""

    id: Serial
    check_in = ForeignKey(references=CheckIn, on_delete=OnDelete.cascade, index=True)
    client_uuid = Varchar(length=36, null=True, default=None, unique=True)  # added later: once
    file = Varchar(length=64, unique=True)
    thumb = Varchar(length=64)
    width = Integer(default=0)
    height = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class Observation(Table, tablename="hub_observation"):
    """Something a volunteer noticed at a checkpoint ("lobby light out"); a leader can turn it
    into a repair task, which `task` then points to."""

    id: Serial
    check_in = ForeignKey(references=CheckIn, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16, default="other")
    severity = Varchar(length=8, default="medium")
    note = Text(default="")
    task = ForeignKey(references=Task, on_delete=OnDelete.set_null, null=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


# Their files stay; any other photo file goes after a grace period (hub.media.orphans).
