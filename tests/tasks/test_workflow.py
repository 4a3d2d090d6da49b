"""The table of moves walked for every status and every kind of person, the whole path of a
repair through the pages, assigning, planning, comments, and nothing ever deleted."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hub.community.roles import Role
from hub.db import write_transaction
from hub.tasks.tables import Task, TaskAssignee
from hub.tasks.workflow import MOVES, Actor, Status
from tests.accounts.pages import assert_page, en, location
from tests.factories import Person, World, add_member, make_person
from tests.media.images import small_jpeg
from tests.stopped_clock import StoppedClock
from tests.tasks.support import entries, give_skill, new_task, photos, task_row
from tests.web_client import Web, text_of


def set_state(web: Web, task_id: int, status: Status, assignees: list[int]) -> None:
    async def write() -> None:
        async with write_transaction():
            await Task.update({Task.status: status.value}).where(Task.id == task_id)
            await TaskAssignee.delete().where(TaskAssignee.task == task_id)
            for user_id in assignees:
                await TaskAssignee.insert(TaskAssignee(task=task_id, user=user_id))

    web.run(write)


def move(web: Web, world: World, task_id: int, key: str, reason: str = "", **kwargs):
    return web.post(
        f"/b/{world.building_id}/tasks/{task_id}/status",
        {"move": key, "reason": reason},
        **kwargs,
    )


# Who is who to the task in the walk: the actors each person is, by the table's words.
PERSONAS = {
    "reporter": {Actor.REPORTER},
    "neighbour": set(),  # another resident
    "assignee": {Actor.ASSIGNEE, Actor.VOLUNTEER},
    "volunteer": {Actor.VOLUNTEER},  # a volunteer not on this task
    "leader": {Actor.VOLUNTEER, Actor.LEADER},
}


def test_the_table_of_moves_is_walked_for_every_status_and_person(web: Web, world: World) -> None:
    neighbour = web.run(make_person, "Neighbour Sun")
    web.run(add_member, neighbour, world.building_id, Role.RESIDENT)
    assignee = web.run(make_person, "Volunteer Zhou")
    web.run(add_member, assignee, world.building_id, Role.VOLUNTEER)
    people: dict[str, Person] = {
        "reporter": world.resident,
        "neighbour": neighbour,
        "assignee": assignee,
        "volunteer": world.volunteer,
        "leader": world.leader,
    }
    checked = 0
    for persona, person in people.items():
        web.client.cookies.clear()
        web.sign_in(person.login)
        for key, rule in MOVES.items():
            if not rule.on_task_page:
                continue
            for status in Status:
                task_id = new_task(web, world)
                set_state(web, task_id, status, [assignee.id])
                response = move(web, world, task_id, key, reason="because")
                allowed_person = bool(rule.actors & PERSONAS[persona])
                if allowed_person and status in rule.sources:
                    expected, new_status = 303, rule.target
                elif allowed_person:
                    expected, new_status = 409, status
                else:
                    expected, new_status = 403, status
                assert response.status_code == expected, (persona, key, status)
                assert task_row(web, task_id)["status"] == new_status.value, (persona, key)
                checked += 1
    assert checked == 5 * 7 * 7


def test_a_repair_from_report_to_verified_through_the_pages(web: Web, world: World) -> None:
    give_skill(web, world.volunteer, "carpentry")
    task_id = new_task(web, world)
    base = f"/b/{world.building_id}/tasks/{task_id}"

    web.sign_in(world.leader.login)
    assert location(move(web, world, task_id, "accept")) == base
    assign = web.get(f"{base}/assign", headers=en())
    assert_page(assign, htmx=False)
    assert "Volunteer Li" in text_of(assign)
    assert location(web.post(f"{base}/assign", {"people": str(world.volunteer.id)})) == base
    plan = web.post(f"{base}/plan", {"priority": "high", "due_on": "2026-12-01"})
    assert location(plan) == base
    web.sign_out()

    web.sign_in(world.volunteer.login)
    assert location(move(web, world, task_id, "start")) == base
    comment = web.post(
        f"{base}/comments",
        {"text": "New closer fitted."},
        files=[("photos", ("fixed.jpg", small_jpeg(), "image/jpeg"))],
    )
    assert location(comment) == f"{base}#comment-form"
    assert location(move(web, world, task_id, "finish")) == base
    assert task_row(web, task_id)["done_at"] is not None
    web.sign_out()

    web.sign_in(world.resident.login)
    page = text_of(web.get(base, headers=en()))
    assert "Done" in page
    assert "New closer fitted." in page
    assert location(move(web, world, task_id, "reopen", reason="It still does not close")) == base
    assert task_row(web, task_id)["done_at"] is None
    web.sign_out()
    web.sign_in(world.volunteer.login)
    move(web, world, task_id, "finish")
    web.sign_out()
    web.sign_in(world.resident.login)
    assert location(move(web, world, task_id, "verify")) == base

    assert task_row(web, task_id)["status"] == "verified"
    timeline = [(entry["kind"], entry["detail"]) for entry in entries(web, task_id)]
    assert timeline == [
        ("created", "reported"),
        ("status", "reported>accepted"),
        ("assigned", "Volunteer Li"),
        ("status", "accepted>assigned"),
        ("priority", "high"),
        ("due", "2026-12-01"),
        ("status", "assigned>in_progress"),
        ("comment", ""),
        ("status", "in_progress>done"),
        ("status", "done>assigned"),
        ("status", "assigned>done"),
        ("status", "done>verified"),
    ]
    assert entries(web, task_id)[9]["text"] == "It still does not close"
    assert len(photos(web, task_id)) == 1
    page = text_of(web.get(base, headers=en()))
    for line in (
        "Leader Wang moved it from “Reported” to “Accepted”",
        "Leader Wang assigned Volunteer Li",
        "Leader Wang set the priority to High",
        "Volunteer Li wrote",
        "Resident Chen moved it from “Done” to “Verified”",
    ):
        assert line in page, line


@pytest.mark.parametrize("htmx", [False, True])
def test_the_task_page_is_a_page_and_a_fragment(web: Web, world: World, htmx: bool) -> None:
    task_id = new_task(web, world)
    web.sign_in(world.leader.login)
    for path in ("", "/assign"):
        response = web.get(f"/b/{world.building_id}/tasks/{task_id}{path}", htmx=htmx)
        assert_page(response, htmx=htmx)


def test_a_reason_is_needed_to_reject_or_reopen(web: Web, world: World) -> None:
    task_id = new_task(web, world)
    web.sign_in(world.leader.login)
    response = move(web, world, task_id, "reject", headers=en())
    assert response.status_code == 422
    assert "Please say why." in response.text
    assert location(move(web, world, task_id, "reject", reason="A contractor's job"))
    assert task_row(web, task_id)["status"] == "rejected"


def test_a_volunteer_claims_an_accepted_task(web: Web, world: World) -> None:
    task_id = new_task(web, world)
    web.sign_in(world.leader.login)
    move(web, world, task_id, "accept")
    web.sign_out()
    web.sign_in(world.volunteer.login)
    page = text_of(web.get(f"/b/{world.building_id}/tasks/{task_id}", headers=en()))
    assert "I'll take it" in page
    assert location(move(web, world, task_id, "claim"))
    assert task_row(web, task_id)["status"] == "assigned"
    assert [e["kind"] for e in entries(web, task_id)][-2:] == ["assigned", "status"]
    mine = web.get(f"/b/{world.building_id}/tasks/mine", headers=en())
    assert "Entrance door does not close" in mine.text.split("Reported or followed by me")[0]


def test_the_assign_screen_puts_fitting_skills_first_with_their_load(
    web: Web, world: World
) -> None:
    carpenter = web.run(make_person, "Carpenter Xu")
    web.run(add_member, carpenter, world.building_id, Role.VOLUNTEER)
    give_skill(web, carpenter, "carpentry")
    give_skill(web, world.volunteer, "cleaning")
    busy = new_task(web, world, title="Stair light", category="lighting", place_kind="stairwell")
    set_state(web, busy, Status.ASSIGNED, [carpenter.id])
    task_id = new_task(web, world)
    web.sign_in(world.leader.login)
    text = text_of(web.get(f"/b/{world.building_id}/tasks/{task_id}/assign", headers=en()))
    assert text.index("Carpenter Xu") < text.index("Leader Wang") < text.index("Volunteer Li")
    assert "Carpenter Xu Skills fit Carpentry · 1 open task" in text
    assert "Volunteer Li Cleaning · 0 open tasks" in text


def test_only_volunteers_and_leaders_of_the_building_can_be_assigned(
    web: Web, world: World
) -> None:
    task_id = new_task(web, world)
    web.sign_in(world.leader.login)
    for someone in (world.resident, world.other_leader):
        response = web.post(
            f"/b/{world.building_id}/tasks/{task_id}/assign", {"people": str(someone.id)}
        )
        assert response.status_code == 409
    assert task_row(web, task_id)["status"] == "reported"


def test_a_resident_cannot_assign_or_plan(web: Web, world: World) -> None:
    task_id = new_task(web, world)
    web.sign_in(world.resident.login)
    base = f"/b/{world.building_id}/tasks/{task_id}"
    assert web.get(f"{base}/assign").status_code == 403
    assert web.post(f"{base}/assign", {"people": str(world.volunteer.id)}).status_code == 403
    assert web.post(f"{base}/plan", {"priority": "urgent"}).status_code == 403
    assert task_row(web, task_id)["priority"] == "normal"


def test_reassigning_work_in_progress_keeps_its_status(web: Web, world: World) -> None:
    task_id = new_task(web, world)
    set_state(web, task_id, Status.IN_PROGRESS, [world.volunteer.id])
    web.sign_in(world.leader.login)
    base = f"/b/{world.building_id}/tasks/{task_id}"
    assert location(web.post(f"{base}/assign", {"people": str(world.leader.id)}))
    assert task_row(web, task_id)["status"] == "in_progress"
    assert [(e["kind"], e["detail"]) for e in entries(web, task_id)][-2:] == [
        ("unassigned", "Volunteer Li"),
        ("assigned", "Leader Wang"),
    ]
    assert web.post(f"{base}/assign", {}).status_code == 409, "someone must stay on it"


def test_a_bad_due_date_is_refused_on_its_field(web: Web, world: World) -> None:
    task_id = new_task(web, world)
    web.sign_in(world.leader.login)
    response = web.post(
        f"/b/{world.building_id}/tasks/{task_id}/plan",
        {"priority": "low", "due_on": "31/12/2026"},
        headers=en(),
    )
    assert response.status_code == 422
    assert "Please give a date such as 2026-12-31." in response.text
    assert task_row(web, task_id)["priority"] == "normal"


def test_an_empty_comment_is_refused_and_a_photo_alone_is_fine(web: Web, world: World) -> None:
    task_id = new_task(web, world)
    web.sign_in(world.resident.login)
    base = f"/b/{world.building_id}/tasks/{task_id}"
    response = web.post(f"{base}/comments", {"text": "  "}, headers=en())
    assert response.status_code == 422
    assert "Please write something or add a photo." in response.text
    only_photo = web.post(
        f"{base}/comments", {}, files=[("photos", ("a.jpg", small_jpeg(), "image/jpeg"))]
    )
    assert only_photo.status_code == 303
    bad = web.post(
        f"{base}/comments",
        {"text": "see"},
        files=[("photos", ("a.jpg", b"GIF89a broken", "image/jpeg"))],
        headers=en(),
    )
    assert bad.status_code == 422
    assert "“a.jpg” is not a photo we can read." in bad.text
    assert ">see</textarea>" in bad.text


def test_tasks_of_another_building_are_not_found(web: Web, world: World) -> None:
    task_id = new_task(web, world)
    web.sign_in(world.other_leader.login)
    other = f"/b/{world.other_building_id}/tasks/{task_id}"
    assert web.get(other).status_code == 404
    assert web.get(f"{other}/assign").status_code == 404
    for action in ("status", "comments", "follow", "plan", "assign"):
        assert web.post(f"{other}/{action}", {"move": "accept", "text": "x"}).status_code == 404
    assert web.get(f"/b/{world.building_id}/tasks/{task_id}").status_code == 404


def test_the_reporter_is_asked_a_week_after_done_on_today(
    web: Web, world: World, clock: StoppedClock
) -> None:
    task_id = new_task(web, world)
    set_state(web, task_id, Status.DONE, [world.volunteer.id])

    async def done_now() -> None:
        async with write_transaction():
            await Task.update({Task.done_at: clock.moment}).where(Task.id == task_id)

    web.run(done_now)
    clock.move(timedelta(days=6))
    web.sign_in(world.resident.login)
    assert "Is it fixed?" not in text_of(web.get("/", headers=en()))
    clock.move(timedelta(days=2))
    today = text_of(web.get("/", headers=en()))
    assert "Is it fixed? “Entrance door does not close” was marked done a week ago." in today
    response = web.post(
        f"/b/{world.building_id}/tasks/{task_id}/status", {"move": "verify", "next": "/"}
    )
    assert location(response) == "/"
    assert task_row(web, task_id)["status"] == "verified"
    assert "Is it fixed?" not in text_of(web.get("/", headers=en()))
    web.sign_out()
    web.sign_in(world.volunteer.login)
    assert "Is it fixed?" not in text_of(web.get("/", headers=en())), "only the reporter is asked"


def test_no_as_the_answer_reopens_it(web: Web, world: World) -> None:
    task_id = new_task(web, world)
    set_state(web, task_id, Status.DONE, [world.volunteer.id])
    web.sign_in(world.resident.login)
    response = web.post(
        f"/b/{world.building_id}/tasks/{task_id}/status",
        {"move": "reopen", "reason": "Still slams", "next": "/"},
    )
    assert location(response) == "/"
    assert task_row(web, task_id)["status"] == "assigned"


def test_today_shows_a_volunteers_open_tasks(web: Web, world: World) -> None:
    task_id = new_task(web, world)
    set_state(web, task_id, Status.ASSIGNED, [world.volunteer.id])
    web.sign_in(world.volunteer.login)
    assert "1 open task is assigned to you" in text_of(web.get("/", headers=en()))


def test_due_dates_before_today_count_as_overdue(web: Web, world: World) -> None:
    task_id = new_task(web, world)

    async def due(day: date) -> None:
        async with write_transaction():
            await Task.update({Task.due_on: day}).where(Task.id == task_id)

    web.run(due, date(2020, 1, 1))
    web.sign_in(world.resident.login)
    board = web.get(f"/b/{world.building_id}/tasks?overdue=1", headers=en())
    assert "Overdue" in text_of(board)
    assert "1 task" in text_of(board)
