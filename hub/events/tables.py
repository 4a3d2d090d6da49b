"""Events with their answers and waitlist, notices, and each user's private calendar token."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Date,
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
from hub.community.tables import Building, Community


class Event(Table, tablename="hub_event"):
    """A building's event, or a community-wide one (building null, community set)."""

    id: Serial
    community = ForeignKey(references=Community, on_delete=OnDelete.cascade, index=True)
    building = ForeignKey(references=Building, on_delete=OnDelete.cascade, null=True, index=True)
    title = Varchar(length=120)
    description = Text(default="")
    place = Varchar(length=200, default="")
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    capacity = Integer(null=True, default=None)  # places, guests included; None = no limit
    rsvp_deadline = Timestamptz(null=True, default=None)  # None = until the start
    guests_allowed = Boolean(default=False)
    max_guests = Integer(default=0)
    cover = Varchar(length=64, default="")  # a photo stored by hub.media, or ""
    cancelled_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Answer(Table, tablename="hub_event_answer"):
    """One person's answer to one event (a unique index keeps it to one)."""

    id: Serial
    event = ForeignKey(references=Event, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    status = Varchar(length=8)  # going, maybe, no
    guests = Integer(default=0)
    waitlisted = Boolean(default=False)
    queue = Integer(default=0)  # place in line among the event's answers: the waitlist order
    attended = Boolean(default=False)
    promoted_at = Timestamptz(null=True, default=None)  # moved off the waitlist: shown on Today
    seen_at = Timestamptz(null=True, default=None)  # news up to here was read on Today
    updated_at = Timestamptz(default=TimestamptzNow())


class Notice(Table, tablename="hub_notice"):
    """A notice on a building's board, or on every board of a community (building null)."""

    id: Serial
    community = ForeignKey(references=Community, on_delete=OnDelete.cascade, index=True)
    building = ForeignKey(references=Building, on_delete=OnDelete.cascade, null=True, index=True)
    title = Varchar(length=120)
    text = Text(default="")
    pinned = Boolean(default=False)
    urgent = Boolean(default=False)
    ends_on = Date(null=True, default=None)  # shown through this day, hidden after it
    photo = Varchar(length=64, default="")  # a photo stored by hub.media, or ""
    retired_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class CalendarToken(Table, tablename="hub_calendar_token"):
    """The secret in a user's private calendar feed URL; resetting it replaces the row's token."""

    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, unique=True)
    token = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


# Their files stay; any other photo file goes after a grace period (hub.media.orphans).
