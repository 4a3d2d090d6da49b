"""What the task tests share: posting a report with photos, reading tasks back."""

from __future__ import annotations

from typing import Any

from httpx import Response

from hub.accounts.tables import UserSkill
from hub.db import write_transaction
from hub.tasks import actions
from hub.tasks.tables import Task, TaskEntry, TaskPhoto
from tests.factories import Person, World
from tests.web_client import Web

DOOR = {
    "title": "Entrance door does not close",
    "place_kind": "lobby",
    "place": "main entrance",
    "category": "door",
    "description": "The door closer is broken; the door stays open at night.",
}


def report(
    web: Web,
    building_id: int,
    fields: dict[str, Any] | None = None,
    photos: list[tuple[str, bytes, str]] | None = None,
    **kwargs: Any,
) -> Response:
    files = [("photos", photo) for photo in photos or []]
    return web.post(
        f"/b/{building_id}/tasks/new", {**DOOR, **(fields or {})}, files=files or None, **kwargs
    )


def new_task(web: Web, world: World, reporter: Person | None = None, **fields: Any) -> int:
    values = {**DOOR, **fields}
    return web.run(
        actions.do_report,
        (reporter or world.resident).id,
        world.building_id,
        actions.NewReport(
            title=values["title"],
            description=values["description"],
            place_kind=values["place_kind"],
            place=values["place"],
            category=values["category"],
        ),
    )


def task_row(web: Web, task_id: int) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        row = await Task.select().where(Task.id == task_id).first()
        assert row is not None
        return row

    return web.run(read)


def entries(web: Web, task_id: int) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        return (
            await TaskEntry.select(
                TaskEntry.kind, TaskEntry.detail, TaskEntry.text, TaskEntry.actor
            )
            .where(TaskEntry.task == task_id)
            .order_by(TaskEntry.id)
        )

    return web.run(read)


def photos(web: Web, task_id: int | None = None) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        query = TaskPhoto.select().order_by(TaskPhoto.id)
        if task_id is not None:
            query = query.where(TaskPhoto.task == task_id)
        return await query

    return web.run(read)


def give_skill(web: Web, person: Person, skill: str) -> None:
    async def add() -> None:
        async with write_transaction():
            await UserSkill.insert(UserSkill(user=person.id, skill=skill))

    web.run(add)


async def path_values_in(building_id: int, reporter_id: int) -> dict[str, int]:
    """A task with a photo in a building, for the authorization matrix's path parameters."""
    from tests.media.images import small_jpeg, store_again

    task_id = await actions.do_report(
        reporter_id,
        building_id,
        actions.NewReport(
            title="Lobby light out",
            description="",
            place_kind="lobby",
            place="",
            category="lighting",
        ),
        [store_again(small_jpeg())],
    )
    photo = await TaskPhoto.select(TaskPhoto.id).where(TaskPhoto.task == task_id).first()
    assert photo is not None
    return {"task_id": task_id, "photo_id": int(photo["id"])}
