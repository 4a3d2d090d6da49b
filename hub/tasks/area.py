"""Repairs: problems anyone reports, which leaders plan and assign and volunteers fix."""

from __future__ import annotations

from datetime import timedelta

from hub.area import Area, Permission, TodaySection
from hub.i18n import N_
from hub.notifications.kinds import DAY, KindSpec
from hub.tasks import calendar, notifications, today
from hub.tasks.notifications import TASK_ASSIGNED, TASK_FOLLOW_UP, TASK_STATUS
from hub.tasks.tables import TaskPhoto

AREA = Area(
    name="tasks",
    routes=("hub.tasks.routes:router",),
    today=(TodaySection(30, today.tasks_today),),
    calendar=(calendar.due_tasks,),
    kinds={
        TASK_ASSIGNED: KindSpec(
            notifications.task_assigned_text,
            ttl=3 * DAY,
            urgency="normal",
            label=N_("Repair tasks given to me"),
            lifetime=timedelta(days=7),
        ),
        TASK_STATUS: KindSpec(
            notifications.task_status_text,
            ttl=3 * DAY,
            urgency="low",
            label=N_("Progress on problems I reported"),
            lifetime=timedelta(days=7),
        ),
        TASK_FOLLOW_UP: KindSpec(
            notifications.task_follow_up_text,
            ttl=7 * DAY,
            urgency="low",
            label=N_("Asking whether a repair holds"),
            lifetime=timedelta(days=7),
        ),
    },
    photo_columns=lambda: (TaskPhoto.file,),
    permissions=(
        Permission("tasks.report", N_("Report problems and follow the building's repairs")),
        Permission("tasks.work", N_("Take repair tasks and work on them")),
        Permission("tasks.assign", N_("Accept, plan and assign repair tasks")),
    ),
)
