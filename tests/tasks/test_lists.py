"""The building's board (grouped by status, filtered, paginated, updated in place with htmx),
my tasks, and query counts that stay fixed as tasks, comments and photos grow."""

from __future__ import annotations

import pytest

from hub.db import write_transaction
from hub.media.images import store_image
from hub.tasks import actions
from hub.tasks.tables import Task, TaskAssignee
from hub.tasks.workflow import Status
from tests.accounts.pages import assert_page, en
from tests.factories import World
from tests.media.images import small_jpeg
from tests.query_count import counting_queries
from tests.tasks.support import new_task
from tests.web_client import Web, text_of


def set_fields(web: Web, task_id: int, **values: object) -> None:
    async def write() -> None:
        async with write_transaction():
            await Task.update({getattr(Task, k): v for k, v in values.items()}).where(
                Task.id == task_id
            )

    web.run(write)


@pytest.mark.parametrize("htmx", [False, True])
def test_the_board_and_my_tasks_are_pages_and_fragments(web: Web, world: World, htmx: bool) -> None:
    new_task(web, world)
    web.sign_in(world.resident.login)
    for path in ("", "/mine"):
        assert_page(web.get(f"/b/{world.building_id}/tasks{path}", htmx=htmx), htmx=htmx)


def test_the_board_groups_by_status_in_the_order_work_goes(web: Web, world: World) -> None:
    for title, status in (
        ("Done one", Status.DONE),
        ("New one", Status.REPORTED),
        ("Busy one", Status.IN_PROGRESS),
        ("Closed one", Status.VERIFIED),
    ):
        set_fields(web, new_task(web, world, title=title), status=status.value)
    web.sign_in(world.resident.login)
    text = text_of(web.get(f"/b/{world.building_id}/tasks", headers=en()))
    assert text.index("New one") < text.index("Busy one") < text.index("Done one")
    assert "Closed one" not in text
    closed = text_of(web.get(f"/b/{world.building_id}/tasks?closed=1", headers=en()))
    assert "Closed one" in closed


def test_the_board_filters_by_category_and_priority(web: Web, world: World) -> None:
    light = new_task(web, world, title="Stair light out", category="lighting")
    set_fields(web, light, priority="urgent")
    new_task(web, world, title="Leaking pipe", category="water")
    web.sign_in(world.resident.login)
    base = f"/b/{world.building_id}/tasks"
    text = text_of(web.get(f"{base}?category=lighting", headers=en()))
    assert "Stair light out" in text
    assert "Leaking pipe" not in text
    text = text_of(web.get(f"{base}?priority=urgent", headers=en()))
    assert "Stair light out" in text
    assert "Leaking pipe" not in text
    text = text_of(web.get(f"{base}?priority=nonsense&category=../x&page=abc", headers=en()))
    assert "Leaking pipe" in text, "unknown filters are ignored"


def test_the_board_is_paginated_and_updated_in_place(web: Web, world: World) -> None:
    for number in range(23):
        new_task(web, world, title=f"Problem number {number}")
    web.sign_in(world.resident.login)
    base = f"/b/{world.building_id}/tasks"
    first = web.get(base, headers=en())
    assert "Page 1 of 2" in text_of(first)
    assert f'href="{base}?page=2"' in first.text
    assert text_of(first).count("Problem number") == 20
    partial = web.get(f"{base}?page=2", htmx=True, headers={"HX-Target": "board", **en()})
    assert partial.status_code == 200
    assert partial.text.lstrip().startswith('<div id="board"')
    assert "<title>" not in partial.text, "only the board, for htmx to swap in place"
    assert text_of(partial).count("Problem number") == 3
    assert "Page 2 of 2" in text_of(partial)
    assert "Page 2 of 2" in text_of(web.get(f"{base}?page=99", headers=en()))


def test_my_tasks_lists_what_is_assigned_to_me_and_what_i_reported(web: Web, world: World) -> None:
    mine = new_task(web, world, title="Reported by the resident")
    theirs = new_task(web, world, reporter=world.leader, title="Assigned to the volunteer")

    async def assign() -> None:
        async with write_transaction():
            await TaskAssignee.insert(TaskAssignee(task=theirs, user=world.volunteer.id))

    web.run(assign)
    web.sign_in(world.volunteer.login)
    text = text_of(web.get(f"/b/{world.building_id}/tasks/mine", headers=en()))
    assigned, _reported = text.split("Reported or followed by me")
    assert "Assigned to the volunteer" in assigned
    assert "Reported by the resident" not in text
    web.sign_out()
    web.sign_in(world.resident.login)
    text = text_of(web.get(f"/b/{world.building_id}/tasks/mine", headers=en()))
    assert "Reported by the resident" in text.split("Reported or followed by me")[1]
    assert "Nothing is assigned to you." in text
    assert mine


# Query counts ---------------------------------------------------------------------------------


def grow(web: Web, world: World, count: int) -> int:
    """`count` tasks, each with a photo, comments and an assignee; the first one's id."""
    photo = store_image(small_jpeg())

    async def make() -> int:
        first = 0
        for number in range(count):
            task_id = await actions.do_report(
                world.resident.id,
                world.building_id,
                actions.NewReport(f"Problem {number}", "", "lobby", "", "other"),
                [photo] if number == 0 else [],
            )
            first = first or task_id
            await actions.do_assign(
                world.leader.id, world.building_id, task_id, [world.volunteer.id]
            )
        for number in range(count):
            extra = store_image(small_jpeg((number * 10 % 255, 0, 0)))
            await actions.do_comment(
                world.volunteer.id, world.building_id, first, f"Note {number}", [extra]
            )
        return first

    return web.run(make)


@pytest.mark.parametrize("path", ["", "/mine", "/{first}", "/{first}/assign"])
def test_query_counts_stay_fixed_as_tasks_comments_and_photos_grow(
    web: Web, world: World, path: str
) -> None:
    web.sign_in(world.leader.login)
    counts = []
    for size in (2, 20):
        first = grow(web, world, size)
        url = f"/b/{world.building_id}/tasks" + path.format(first=first)
        web.get(url)  # warm: the session's first write of the day and such
        with counting_queries() as seen:
            response = web.get(url)
        assert response.status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 15, counts


def test_today_runs_a_fixed_number_of_queries(web: Web, world: World) -> None:
    web.sign_in(world.volunteer.login)
    counts = []
    for size in (2, 20):
        grow(web, world, size)
        web.get("/")
        with counting_queries() as seen:
            web.get("/")
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


def test_the_list_comes_first_and_the_filters_are_folded_until_used(web: Web, world: World) -> None:
    new_task(web, world, title="Stair light out", category="lighting")
    web.sign_in(world.resident.login)
    base = f"/b/{world.building_id}/tasks"
    page = web.get(base, headers=en()).text
    assert '<details class="card task-filters">' in page, "the filters are folded"
    assert "Filter the list" in page
    assert page.index("Stair light out") > page.index("</details>")
    filtered = web.get(f"{base}?category=lighting", headers=en()).text
    assert '<details class="card task-filters" open>' in filtered, "a filter in use shows itself"
