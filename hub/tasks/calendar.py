"""Repair tasks in a person's calendar feed: the due date of each open task assigned to them."""

from __future__ import annotations

from datetime import timedelta

from hub.area import Entry
from hub.i18n import _
from hub.tasks.tables import Task, TaskAssignee
from hub.tasks.workflow import Status

OPEN = [Status.ACCEPTED.value, Status.ASSIGNED.value, Status.IN_PROGRESS.value]


async def due_tasks(user_id: int) -> list[Entry]:
    mine = TaskAssignee.select(TaskAssignee.task).where(TaskAssignee.user == user_id)
    rows = await Task.select(Task.id, Task.title, Task.place, Task.due_on).where(
        Task.id.is_in(mine) & Task.due_on.is_not_null() & Task.status.is_in(OPEN)
    )
    return [
        Entry(
            uid=f"task-{row['id']}",
            title=_("Repair due: %(title)s", title=row["title"]),
            starts=row["due_on"],
            ends=row["due_on"] + timedelta(days=1),
            place=row["place"],
        )
        for row in rows
    ]
