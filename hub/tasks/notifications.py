"""What repair tasks tell people by push: a task given to a volunteer, each change of status to
the reporter, and a week after "done" the question whether it is still fixed. The producers are
called by hub.tasks.actions inside their write transactions; the words are here, and each kind
is declared in hub/tasks/area.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from hub.i18n import _
from hub.notifications.outbox import cancel, notify
from hub.tasks.queries import FIXED_QUESTION_AFTER
from hub.tasks.tables import Task
from hub.tasks.workflow import Status
from hub.urls import url

REASON_SHOWN = 200

TASK_ASSIGNED = "task_assigned"
TASK_STATUS = "task_status"  # to the reporter
TASK_FOLLOW_UP = "task_follow_up"  # "is it fixed?" a week after done


async def _task(task_id: int) -> dict[str, Any]:
    row = (
        await Task.select(
            Task.id,
            Task.building,
            Task.building.name.as_alias("building_name"),
            Task.title,
            Task.reporter,
            Task.done_at,
        )
        .where(Task.id == task_id)
        .first()
    )
    assert row is not None  # the action has just read or written it
    return row


def _url(task: dict[str, Any]) -> str:
    return url("tasks.task", building_id=task["building"], task_id=task["id"])


def follow_up_key(task_id: int, done_at: datetime) -> str:
    """One question per time the task was marked done, so a task done again is asked again."""
    return f"task_follow_up:{task_id}:{int(done_at.timestamp())}"


async def tell_assigned(task_id: int, user_ids: Sequence[int], actor: int) -> None:
    """The people just given the task, except whoever gave it."""
    task = await _task(task_id)
    await notify(
        [user for user in user_ids if user != actor],
        TASK_ASSIGNED,
        params={"building": task["building_name"], "task": task["title"]},
        url=_url(task),
    )


async def forget_follow_up(task_id: int) -> None:
    """Call before a done task moves on (reopened, verified): its question is no longer due."""
    task = await _task(task_id)
    if task["done_at"] is not None:
        await cancel(follow_up_key(task_id, task["done_at"]))


async def tell_status(task_id: int, actor: int, status: Status, reason: str = "") -> None:
    """Call after the task moved to `status`: the reporter hears of it unless they moved it, and
    a task now done asks them a week later whether it is still fixed."""
    task = await _task(task_id)
    reporter = task["reporter"]
    if reporter is None or reporter == actor:
        return
    params = {"building": task["building_name"], "task": task["title"]}
    await notify(
        [reporter],
        TASK_STATUS,
        params={**params, "status": status.value, "reason": reason[:REASON_SHOWN]},
        url=_url(task),
    )
    if status is Status.DONE and task["done_at"] is not None:
        await notify(
            [reporter],
            TASK_FOLLOW_UP,
            params=params,
            url=_url(task),
            due_at=task["done_at"] + FIXED_QUESTION_AFTER,
            key=follow_up_key(task_id, task["done_at"]),
        )


# Words ------------------------------------------------------------------------------------------


def _status_title(status: Status) -> str:
    titles = {
        Status.ACCEPTED: _("Your report was accepted"),
        Status.ASSIGNED: _("Someone is taking care of your report"),
        Status.IN_PROGRESS: _("Work has started on your report"),
        Status.DONE: _("Your report is marked as fixed"),
        Status.VERIFIED: _("Your report is closed as fixed"),
        Status.REJECTED: _("Your report was not taken up"),
    }
    return titles.get(status) or _("Your report is now “%(status)s”", status=_(status.label))


def task_assigned_text(params: Mapping[str, Any]) -> tuple[str, str]:
    return _("A repair task for you"), _(
        "%(building)s: “%(task)s”. Tap here to see the details.",
        building=params["building"],
        task=params["task"],
    )


def task_status_text(params: Mapping[str, Any]) -> tuple[str, str]:
    status = Status(params["status"])
    if params["reason"]:
        body = _("“%(task)s”: %(reason)s", task=params["task"], reason=params["reason"])
    elif status is Status.DONE:
        body = _("“%(task)s”: please check whether it works now.", task=params["task"])
    else:
        body = _("“%(task)s”, %(building)s", task=params["task"], building=params["building"])
    return _status_title(status), body


def task_follow_up_text(params: Mapping[str, Any]) -> tuple[str, str]:
    return _("Is it still fixed?"), _(
        "A week ago “%(task)s” was marked as fixed. Is it still all right? Tap here to answer.",
        task=params["task"],
    )
