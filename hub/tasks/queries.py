"""What task pages read, each in a fixed number of queries however many tasks, comments and
photos there are (tests/tasks/test_query_counts.py holds them to it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from piccolo.query import OrderByRaw
from piccolo.query.functions.aggregate import Count

from hub import clock
from hub.accounts.tables import UserSkill
from hub.community.roles import Role, roles_granting
from hub.community.tables import Membership
from hub.db.raw import in_list
from hub.tasks.similar import most_similar
from hub.tasks.tables import Task, TaskAssignee, TaskEntry, TaskFollower, TaskPhoto
from hub.tasks.workflow import BOARD_ORDER, CATEGORY_SKILLS, OPEN, PRIORITIES, Status

PAGE_SIZE = 20
FIXED_QUESTION_AFTER = timedelta(days=7)
SIMILAR_CANDIDATES = 300

# The board's order: by status as work goes, then the most pressing first.
_STATUS_ORDER = (
    "CASE status "
    + " ".join(f"WHEN '{status.value}' THEN {rank}" for rank, status in enumerate(BOARD_ORDER))
    + " ELSE 99 END"
)
_PRIORITY_ORDER = (
    "CASE priority "
    + " ".join(f"WHEN '{key}' THEN {rank}" for rank, key in enumerate(PRIORITIES))
    + " ELSE 99 END"
)

CARD_COLUMNS = (
    Task.id,
    Task.title,
    Task.place_kind,
    Task.place,
    Task.category,
    Task.status,
    Task.priority,
    Task.due_on,
    Task.created_at,
    Task.updated_at,
    Task.reporter,
    Task.reporter.display_name.as_alias("reporter_name"),
)


def _open_values() -> list[str]:
    return [status.value for status in OPEN]


async def _decorate(cards: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Assignees, photo and comment counts of a list of tasks, in three queries."""
    if not cards:
        return cards
    ids = [card["id"] for card in cards]
    assignees: dict[int, list[str]] = defaultdict(list)
    assignee_ids: dict[int, set[int]] = defaultdict(set)
    for row in (
        await TaskAssignee.select(
            TaskAssignee.task, TaskAssignee.user, TaskAssignee.user.display_name.as_alias("name")
        )
        .where(TaskAssignee.task.is_in(ids))
        .order_by(TaskAssignee.id)
    ):
        assignees[row["task"]].append(row["name"])
        assignee_ids[row["task"]].add(row["user"])
    photos = {
        row["task"]: row["count"]
        for row in await TaskPhoto.select(TaskPhoto.task, Count(TaskPhoto.id, alias="count"))
        .where(TaskPhoto.task.is_in(ids))
        .group_by(TaskPhoto.task)
    }
    comments = {
        row["task"]: row["count"]
        for row in await TaskEntry.select(TaskEntry.task, Count(TaskEntry.id, alias="count"))
        .where(TaskEntry.task.is_in(ids) & (TaskEntry.kind == "comment"))
        .group_by(TaskEntry.task)
    }
    for card in cards:
        card["status"] = Status(card["status"])
        card["assignees"] = assignees[card["id"]]
        card["assignee_ids"] = assignee_ids[card["id"]]
        card["photo_count"] = photos.get(card["id"], 0)
        card["comment_count"] = comments.get(card["id"], 0)
        card["overdue"] = bool(card["due_on"] and card["due_on"] < today and card["status"] in OPEN)
    return cards


# The board ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BoardFilter:
    category: str = ""
    priority: str = ""
    overdue: bool = False
    closed: bool = False  # verified and rejected tasks too
    page: int = 1

    def query_string(self, page: int | None = None) -> str:
        parts = []
        if self.category:
            parts.append(f"category={self.category}")
        if self.priority:
            parts.append(f"priority={self.priority}")
        if self.overdue:
            parts.append("overdue=1")
        if self.closed:
            parts.append("closed=1")
        if (page or self.page) > 1:
            parts.append(f"page={page or self.page}")
        return "&".join(parts)


@dataclass(frozen=True, slots=True)
class Board:
    groups: list[tuple[Status, list[dict[str, Any]]]]
    total: int
    page: int
    pages: int


async def board(building_id: int, filters: BoardFilter, today: date) -> Board:
    """One page of the building's tasks, grouped by status (five queries)."""
    condition = Task.building == building_id
    if not filters.closed:
        condition &= Task.status.not_in(
            [status.value for status in (Status.VERIFIED, Status.REJECTED)]
        )
    if filters.category:
        condition &= Task.category == filters.category
    if filters.priority:
        condition &= Task.priority == filters.priority
    if filters.overdue:
        condition &= Task.due_on.is_not_null() & (Task.due_on < today)
        condition &= Task.status.is_in(_open_values())
    total = await Task.count().where(condition)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    cards = await (
        Task.select(*CARD_COLUMNS)
        .where(condition)
        .order_by(OrderByRaw(_STATUS_ORDER))
        .order_by(OrderByRaw(_PRIORITY_ORDER))
        .order_by(Task.updated_at, ascending=False)
        .order_by(Task.id, ascending=False)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    await _decorate(cards, today)
    groups: dict[Status, list[dict[str, Any]]] = defaultdict(list)
    for card in cards:
        groups[card["status"]].append(card)
    return Board(
        groups=[(status, groups[status]) for status in BOARD_ORDER if groups[status]],
        total=total,
        page=page,
        pages=pages,
    )


# My tasks -------------------------------------------------------------------------------------


async def mine(building_id: int, user_id: int, today: date) -> dict[str, list[dict[str, Any]]]:
    """Tasks assigned to me, and those I reported or follow, by status (four queries)."""
    assigned_ids = TaskAssignee.select(TaskAssignee.task).where(TaskAssignee.user == user_id)
    followed_ids = TaskFollower.select(TaskFollower.task).where(TaskFollower.user == user_id)
    rows = await (
        Task.select(*CARD_COLUMNS)
        .where(
            (Task.building == building_id)
            & (
                Task.id.is_in(assigned_ids)
                | (Task.reporter == user_id)
                | Task.id.is_in(followed_ids)
            )
        )
        .order_by(OrderByRaw(_STATUS_ORDER))
        .order_by(OrderByRaw(_PRIORITY_ORDER))
        .order_by(Task.updated_at, ascending=False)
        .limit(200)
    )
    await _decorate(rows, today)
    assigned = [row for row in rows if user_id in row["assignee_ids"]]
    # The rest were found because I reported or follow them.
    reported = [
        row for row in rows if row["reporter"] == user_id or user_id not in row["assignee_ids"]
    ]
    return {"assigned": assigned, "reported": reported}


# One task -------------------------------------------------------------------------------------


async def task(building_id: int, task_id: int) -> dict[str, Any] | None:
    row = (
        await Task.select(
            *CARD_COLUMNS,
            Task.description,
            Task.done_at,
        )
        .where((Task.id == task_id) & (Task.building == building_id))
        .first()
    )
    if row is not None:
        row["status"] = Status(row["status"])
    return row


async def task_with_assignees(building_id: int, task_id: int) -> dict[str, Any] | None:
    """A task and the people it is assigned to (two queries)."""
    found = await task(building_id, task_id)
    if found is None:
        return None
    found["assignees"] = (
        await TaskAssignee.select(
            TaskAssignee.user.as_alias("user_id"), TaskAssignee.user.display_name.as_alias("name")
        )
        .where(TaskAssignee.task == task_id)
        .order_by(TaskAssignee.id)
    )
    return found


async def task_page(building_id: int, task_id: int, user_id: int) -> dict[str, Any] | None:
    """A task with its people, timeline and photos (five queries)."""
    found = await task_with_assignees(building_id, task_id)
    if found is None:
        return None
    followers = await TaskFollower.select(TaskFollower.user).where(TaskFollower.task == task_id)
    found["follower_count"] = len(followers)
    found["following"] = any(row["user"] == user_id for row in followers)
    entries = await (
        TaskEntry.select(
            TaskEntry.id,
            TaskEntry.kind,
            TaskEntry.detail,
            TaskEntry.text,
            TaskEntry.created_at,
            TaskEntry.actor.as_alias("actor_id"),
            TaskEntry.actor.display_name.as_alias("actor_name"),
        )
        .where(TaskEntry.task == task_id)
        .order_by(TaskEntry.id)
    )
    photos: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for photo in await (
        TaskPhoto.select(TaskPhoto.id, TaskPhoto.entry, TaskPhoto.width, TaskPhoto.height)
        .where(TaskPhoto.task == task_id)
        .order_by(TaskPhoto.id)
    ):
        photos[photo["entry"]].append(photo)
    for entry in entries:
        entry["photos"] = photos[entry["id"]]
        if entry["kind"] == "status" and ">" in entry["detail"]:
            before, after = entry["detail"].split(">", 1)
            entry["from_status"], entry["to_status"] = Status(before), Status(after)
    found["entries"] = entries
    found["photo_count"] = sum(len(group) for group in photos.values())
    found["is_assignee"] = any(row["user_id"] == user_id for row in found["assignees"])
    return found


async def photo_file(building_id: int, photo_id: int) -> str | None:
    """The stored file of a photo of a task in this building; None for any other photo."""
    row = (
        await TaskPhoto.select(TaskPhoto.file)
        .where((TaskPhoto.id == photo_id) & (TaskPhoto.task.building == building_id))
        .first()
    )
    return str(row["file"]) if row else None


# Before a report ------------------------------------------------------------------------------


async def similar_open(building_id: int, place_kind: str, text: str) -> list[dict[str, Any]]:
    """Open tasks of the building like a new report (one query)."""
    if not text.strip():
        return []
    candidates = await (
        Task.select(
            Task.id,
            Task.title,
            Task.description,
            Task.place_kind,
            Task.place,
            Task.category,
            Task.status,
            Task.created_at,
        )
        .where((Task.building == building_id) & Task.status.is_in(_open_values()))
        .order_by(Task.id, ascending=False)
        .limit(SIMILAR_CANDIDATES)
    )
    found = most_similar(place_kind, text, candidates)
    for row in found:
        row["status"] = Status(row["status"])
    return found


# Assigning ------------------------------------------------------------------------------------


async def assign_candidates(building_id: int, category: str) -> list[dict[str, Any]]:
    """The building's volunteers and leaders: those whose skills fit the category first, then
    the least busy, each with their skills and their count of open tasks (three queries)."""
    people = await (
        Membership.select(
            Membership.role,
            Membership.user.as_alias("user_id"),
            Membership.user.display_name.as_alias("name"),
        )
        .where(
            (Membership.building == building_id)
            & Membership.role.is_in(roles_granting("tasks.work"))
            & (Membership.user.active.eq(True))
        )
        .order_by(Membership.user.display_name)
    )
    if not people:
        return []
    ids = [person["user_id"] for person in people]
    skills: dict[int, list[str]] = defaultdict(list)
    for row in await UserSkill.select(UserSkill.user, UserSkill.skill).where(
        UserSkill.user.is_in(ids)
    ):
        skills[row["user"]].append(row["skill"])
    load = {
        row["user"]: row["count"]
        for row in await TaskAssignee.select(
            TaskAssignee.user, Count(TaskAssignee.id, alias="count")
        )
        .where(
            TaskAssignee.user.is_in(ids)
            & TaskAssignee.task.status.is_in(_open_values())
            & (TaskAssignee.task.building == building_id)
        )
        .group_by(TaskAssignee.user)
    }
    fitting = CATEGORY_SKILLS.get(category, frozenset())
    for person in people:
        person["role"] = Role.from_key(person["role"]) or Role.VOLUNTEER
        person["skills"] = skills[person["user_id"]]
        person["fits"] = bool(fitting & set(person["skills"]))
        person["load"] = load.get(person["user_id"], 0)
    people.sort(key=lambda person: (not person["fits"], person["load"], person["name"]))
    return people


# Today ----------------------------------------------------------------------------------------


async def fixed_questions(building_id: int, user_id: int) -> list[dict[str, Any]]:
    """Tasks this person reported that were marked done a week ago or more and that they have
    not yet confirmed (one query)."""
    before = clock.now() - FIXED_QUESTION_AFTER
    return await (
        Task.select(Task.id, Task.title, Task.done_at)
        .where(
            (Task.building == building_id)
            & (Task.reporter == user_id)
            & (Task.status == Status.DONE.value)
            & (Task.done_at <= before)
        )
        .order_by(Task.done_at)
        .limit(5)
    )


_OPEN_ASSIGNED_SQL = """
SELECT COUNT(*) AS open_count
FROM hub_task_assignee a
JOIN hub_task t ON t.id = a.task
WHERE a."user" = {} AND t.building = {} AND t.status IN ({statuses})
"""


async def open_assigned_count(building_id: int, user_id: int) -> int:
    """How many open tasks are assigned to this person (written out: it is on every Today
    page)."""
    statuses = _open_values()
    sql = _OPEN_ASSIGNED_SQL.replace("{statuses}", in_list(statuses))
    rows = await TaskAssignee.raw(sql, user_id, building_id, *statuses)
    return int(rows[0]["open_count"])
