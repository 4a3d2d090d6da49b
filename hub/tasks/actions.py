"""Every change of a task, each written to its timeline in the same transaction. Nothing is
deleted: a task ends verified or rejected, and its comments and photos stay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hub.accounts.tables import User
from hub.audit import record
from hub.clock import now
from hub.community.roles import roles_granting
from hub.community.tables import Membership
from hub.db import write_transaction
from hub.errors import Refused
from hub.i18n import _
from hub.media.images import StoredImage
from hub.tasks import notifications, queries
from hub.tasks.tables import Task, TaskAssignee, TaskEntry, TaskFollower, TaskPhoto
from hub.tasks.workflow import (
    CATEGORIES,
    MOVES,
    PLACES,
    PRIORITIES,
    Status,
    actors,
    may,
)

MAX_PHOTOS = 6


class MoveNotAllowed(Exception):
    """The table of moves does not let this person make this move (a 403, not a form error)."""


class LooksReported(Exception):
    """A new report is like open tasks of the building: the reporter is asked whether it is one
    of them before it is saved."""

    def __init__(self, similar: list[dict[str, Any]]) -> None:
        super().__init__("similar open tasks")
        self.similar = similar


@dataclass(frozen=True, slots=True)
class NewReport:
    title: str
    description: str
    place_kind: str
    place: str
    category: str
    client_uuid: str | None = None  # made by the phone: a replay of the same report is one task
    device_time: datetime | None = None
    seen_on_patrol: str = ""  # the path of the patrol round the problem was observed on
    reporter: int | None = None  # who saw it, when someone else files the report for them


async def _entry(
    task_id: int, actor: int | None, kind: str, detail: str = "", text: str = ""
) -> int:
    rows = await TaskEntry.insert(
        TaskEntry(task=task_id, actor=actor, kind=kind, detail=detail[:400], text=text)
    ).returning(TaskEntry.id)
    return int(rows[0]["id"])


async def _attach(task_id: int, entry_id: int, actor: int, photos: Sequence[StoredImage]) -> None:
    if photos:
        await TaskPhoto.insert(
            *[
                TaskPhoto(
                    task=task_id,
                    entry=entry_id,
                    uploader=actor,
                    file=photo.file,
                    thumb=photo.thumb,
                    width=photo.width,
                    height=photo.height,
                )
                for photo in photos
            ]
        )


async def _touch(task_id: int, **values: object) -> None:
    await Task.update(
        {Task.updated_at: now(), **{getattr(Task, k): v for k, v in values.items()}}
    ).where(Task.id == task_id)


async def _task(building_id: int, task_id: int) -> dict:
    row = (
        await Task.select(Task.id, Task.status, Task.reporter, Task.priority, Task.due_on)
        .where((Task.id == task_id) & (Task.building == building_id))
        .first()
    )
    if row is None:
        raise Refused(_("This task does not exist in this building."))
    return row


async def do_report(
    actor: int,
    building_id: int,
    report: NewReport,
    photos: Sequence[StoredImage] = (),
    *,
    ask_if_similar: bool = False,
) -> int:
    """File a report; with `ask_if_similar`, one like open tasks of the building is not saved
    but raises LooksReported with them, so the reporter may follow one instead."""
    if report.place_kind not in PLACES or report.category not in CATEGORIES:
        raise Refused(_("Please choose one of the options."))
    if len(photos) > MAX_PHOTOS:
        raise Refused(_("Please add at most 6 photos."), "photos")
    if ask_if_similar:
        text = f"{report.title} {report.place} {report.description}"
        similar = await queries.similar_open(building_id, report.place_kind, text)
        if similar:
            raise LooksReported(similar)
    reporter = report.reporter or actor
    async with write_transaction():
        rows = (
            await Task.insert(
                Task(
                    building=building_id,
                    reporter=reporter,
                    title=report.title,
                    description=report.description,
                    place_kind=report.place_kind,
                    place=report.place,
                    category=report.category,
                    status=Status.REPORTED.value,
                    client_uuid=report.client_uuid,
                    device_time=report.device_time,
                )
            )
            .on_conflict(target=Task.client_uuid, action="DO NOTHING")
            .returning(Task.id)
        )
        if not rows:  # a replay of a report already stored, perhaps sent twice at once
            assert report.client_uuid is not None
            existing = await reported_before(actor, building_id, report.client_uuid)
            if existing is None:
                raise Refused(_("This report could not be read. Please try again."))
            return existing
        task_id = int(rows[0]["id"])
        entry_id = await _entry(task_id, reporter, "created", Status.REPORTED.value)
        await _attach(task_id, entry_id, reporter, photos)
        if report.seen_on_patrol:
            await _entry(task_id, actor, "observation", report.seen_on_patrol)
    return task_id


async def reported_before(actor: int, building_id: int, client_uuid: str) -> int | None:
    """The task this person already reported in this building from the same form on their
    phone; a UUID of someone else's report is refused rather than revealed."""
    row = (
        await Task.select(Task.id, Task.reporter, Task.building)
        .where(Task.client_uuid == client_uuid)
        .first()
    )
    if row is None:
        return None
    if row["reporter"] != actor or row["building"] != building_id:
        raise Refused(_("This report could not be read. Please try again."))
    return int(row["id"])


async def do_move(
    actor: int,
    building_id: int,
    task_id: int,
    move_key: str,
    reason: str = "",
    *,
    grants: frozenset[str],
) -> Status:
    """Make one move of the table, as someone whose role in the building grants `grants`;
    returns the task's
    new status."""
    move = MOVES.get(move_key)
    if move is None or not move.on_task_page:
        raise Refused(_("Please choose one of the options."))
    if move.needs_reason and not reason:
        raise Refused(_("Please say why."), "reason")
    async with write_transaction():
        task = await _task(building_id, task_id)
        status = Status(task["status"])
        is_assignee = await TaskAssignee.exists().where(
            (TaskAssignee.task == task_id) & (TaskAssignee.user == actor)
        )
        who = actors(grants, is_reporter=task["reporter"] == actor, is_assignee=is_assignee)
        if not move.actors & who:
            raise MoveNotAllowed(move_key)
        if not may(move, status, who):
            raise Refused(
                _(
                    "This task has moved on meanwhile: it is now “%(status)s”.",
                    status=_(status.label),
                )
            )
        target = move.target
        if move.key == "claim" and not is_assignee:
            await TaskAssignee.insert(TaskAssignee(task=task_id, user=actor))
            await _entry(task_id, actor, "assigned", await _names([actor]))
        values: dict[str, object] = {"status": target.value}
        if target is Status.DONE:
            values["done_at"] = now()
        elif status is Status.DONE:
            values["done_at"] = None
            await notifications.forget_follow_up(task_id)
        await _touch(task_id, **values)
        await _entry(task_id, actor, "status", f"{status.value}>{target.value}", reason)
        await notifications.tell_status(task_id, actor, target, reason)
        detail = f"task={task_id} {status.value}>{target.value}"
        await record(actor, "task.status", detail, building=building_id)
    return target


async def _names(user_ids: Sequence[int]) -> str:
    if not user_ids:
        return ""
    rows = await User.select(User.id, User.display_name).where(User.id.is_in(list(user_ids)))
    by_id = {row["id"]: row["display_name"] for row in rows}
    return ", ".join(by_id.get(user_id, "?") for user_id in user_ids)


async def do_comment(
    actor: int, building_id: int, task_id: int, text: str, photos: Sequence[StoredImage] = ()
) -> None:
    if not text and not photos:
        raise Refused(_("Please write something or add a photo."), "text")
    if len(photos) > MAX_PHOTOS:
        raise Refused(_("Please add at most 6 photos."), "photos")
    async with write_transaction():
        await _task(building_id, task_id)
        entry_id = await _entry(task_id, actor, "comment", text=text)
        await _attach(task_id, entry_id, actor, photos)
        await _touch(task_id)


async def do_follow(actor: int, building_id: int, task_id: int) -> None:
    """ "Me too": the neighbour follows the task instead of reporting it again."""
    async with write_transaction():
        task = await _task(building_id, task_id)
        if task["reporter"] == actor:
            return
        if await TaskFollower.exists().where(
            (TaskFollower.task == task_id) & (TaskFollower.user == actor)
        ):
            return
        await TaskFollower.insert(TaskFollower(task=task_id, user=actor))
        await _entry(task_id, actor, "followed")
        await _touch(task_id)


async def do_plan(
    actor: int, building_id: int, task_id: int, *, priority: str, due_on: date | None
) -> None:
    """A leader sets the priority and the due date; each change lands on the timeline."""
    if priority not in PRIORITIES:
        raise Refused(_("Please choose one of the options."), "priority")
    async with write_transaction():
        task = await _task(building_id, task_id)
        changed = False
        if task["priority"] != priority:
            await _entry(task_id, actor, "priority", priority)
            changed = True
        if task["due_on"] != due_on:
            await _entry(task_id, actor, "due", due_on.isoformat() if due_on else "")
            changed = True
        if changed:
            await _touch(task_id, priority=priority, due_on=due_on)
            due = due_on.isoformat() if due_on else "-"
            detail = f"task={task_id} priority={priority} due={due}"
            await record(actor, "task.planned", detail, building=building_id)


async def do_assign(actor: int, building_id: int, task_id: int, user_ids: Sequence[int]) -> None:
    """A leader sets who works on a task: volunteers and leaders of the building only. A task
    that was reported or accepted becomes assigned; one already in progress only changes hands."""
    move = MOVES["assign"]
    async with write_transaction():
        task = await _task(building_id, task_id)
        status = Status(task["status"])
        if status not in move.sources:
            raise Refused(
                _(
                    "This task has moved on meanwhile: it is now “%(status)s”.",
                    status=_(status.label),
                )
            )
        wanted = list(dict.fromkeys(user_ids))
        if wanted:
            helpers = await Membership.select(Membership.user).where(
                (Membership.building == building_id)
                & Membership.user.is_in(wanted)
                & Membership.role.is_in(roles_granting("tasks.work"))
            )
            if len(helpers) != len(wanted):
                raise Refused(_("Only volunteers and leaders of this building can be assigned."))
        elif status is not Status.REPORTED and status is not Status.ACCEPTED:
            raise Refused(_("Please choose at least one person: someone is working on it."))
        current = [
            row["user"]
            for row in await TaskAssignee.select(TaskAssignee.user)
            .where(TaskAssignee.task == task_id)
            .order_by(TaskAssignee.id)
        ]
        added = [user_id for user_id in wanted if user_id not in current]
        removed = [user_id for user_id in current if user_id not in wanted]
        if removed:
            await TaskAssignee.delete().where(
                (TaskAssignee.task == task_id) & TaskAssignee.user.is_in(removed)
            )
            await _entry(task_id, actor, "unassigned", await _names(removed))
        if added:
            await TaskAssignee.insert(*[TaskAssignee(task=task_id, user=u) for u in added])
            await _entry(task_id, actor, "assigned", await _names(added))
        values: dict[str, object] = {}
        if wanted and status in {Status.REPORTED, Status.ACCEPTED}:
            values["status"] = Status.ASSIGNED.value
            await _entry(task_id, actor, "status", f"{status.value}>{Status.ASSIGNED.value}")
        if added or removed or values:
            await _touch(task_id, **values)
        if added:
            await notifications.tell_assigned(task_id, added, actor)
        if values:
            await notifications.tell_status(task_id, actor, Status.ASSIGNED)
        if added or removed or values:
            detail = f"task={task_id} users={','.join(map(str, wanted))} was={status.value}"
            await record(actor, "task.assigned", detail, building=building_id)
