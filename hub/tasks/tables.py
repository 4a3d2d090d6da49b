from __future__ import annotations

from piccolo.columns import (
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
from hub.community.tables import Building


class Task(Table, tablename="hub_task"):
    """Something in the building that needs fixing. Never deleted: closed as verified or
    rejected."""

    id: Serial
    building = ForeignKey(references=Building, on_delete=OnDelete.cascade, index=True)
    reporter = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, index=True)
    title = Varchar(length=120)
    description = Text(default="")
    place_kind = Varchar(length=16, default="other")
    place = Varchar(length=120, default="")
    category = Varchar(length=16, default="other")
    status = Varchar(length=16, default="reported", index=True)
    priority = Varchar(length=8, default="normal")
    due_on = Date(null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)
    # Made by the phone, so a report replayed by the offline queue is stored once (a unique
    # index: SQLite cannot add a UNIQUE column); with the phone's own time of the report. Both
    # empty for reports made before the offline queue.
    client_uuid = Varchar(length=36, null=True, default=None)
    device_time = Timestamptz(null=True, default=None)


class TaskAssignee(Table, tablename="hub_task_assignee"):
    id: Serial
    task = ForeignKey(references=Task, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class TaskFollower(Table, tablename="hub_task_follower"):
    """A neighbour who has the same problem and follows the task instead of reporting it again."""

    id: Serial
    task = ForeignKey(references=Task, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class TaskEntry(Table, tablename="hub_task_entry"):
    """One line of a task's timeline: who did what and when. `kind` is created, status,
    comment, assigned, unassigned, priority, due or followed; `detail` holds the machine value
    (the new status, priority, date or names) and `text` what a person wrote."""

    id: Serial
    task = ForeignKey(references=Task, on_delete=OnDelete.cascade, index=True)
    actor = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    kind = Varchar(length=16)
    detail = Varchar(length=400, default="")
    text = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class TaskPhoto(Table, tablename="hub_task_photo"):
    """A photo of a task, taken with the report or a comment (its timeline entry); the files are
    in hub.media's storage under these random names and are served only through Hub's routes."""

    id: Serial
    task = ForeignKey(references=Task, on_delete=OnDelete.cascade, index=True)
    entry = ForeignKey(references=TaskEntry, on_delete=OnDelete.cascade, index=True)
    uploader = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    file = Varchar(length=64, unique=True)
    thumb = Varchar(length=64)
    width = Integer(default=0)
    height = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


# Their files stay; any other photo file goes after a grace period (hub.media.orphans).
