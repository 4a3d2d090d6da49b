"""Assigning a task and changing its status or plan leave an audit entry written in the same
transaction as the change; a report like open tasks is asked about before it is saved."""

from __future__ import annotations

from datetime import date

import pytest

from hub.community.roles import Role, grants_of
from hub.errors import Refused
from hub.tasks import actions
from hub.tasks.notifications import TASK_ASSIGNED, TASK_STATUS
from hub.tasks.tables import Task, TaskAssignee
from hub.tasks.workflow import Status
from tests.audit_rows import FailedAfterAudit, audit, fail_after_audit
from tests.factories import World
from tests.outbox_rows import outbox
from tests.tasks.support import DOOR, new_task, task_row
from tests.web_client import Web


def test_assigning_moving_and_planning_are_audited(web: Web, world: World) -> None:
    leader, building = world.leader.id, world.building_id
    task_id = new_task(web, world)
    web.run(actions.do_assign, leader, building, task_id, [world.volunteer.id])
    web.run(
        actions.do_move,
        world.volunteer.id,
        building,
        task_id,
        "start",
        grants=grants_of(Role.VOLUNTEER.key),
    )
    web.run(actions.do_plan, leader, building, task_id, priority="high", due_on=date(2026, 12, 31))
    web.run(actions.do_plan, leader, building, task_id, priority="high", due_on=date(2026, 12, 31))
    rows = [row for row in audit(web) if row["action"].startswith("task.")]
    assert [(row["action"], row["actor"], row["detail"]) for row in rows] == [
        ("task.assigned", leader, f"task={task_id} users={world.volunteer.id} was=reported"),
        ("task.status", world.volunteer.id, f"task={task_id} assigned>in_progress"),
        ("task.planned", leader, f"task={task_id} priority=high due=2026-12-31"),
    ]
    assert {row["building"] for row in rows} == {building}


def test_an_assignment_and_its_entry_roll_back_together(
    web: Web, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    task_id = new_task(web, world)
    fail_after_audit(monkeypatch, actions)
    with pytest.raises(FailedAfterAudit):
        web.run(
            actions.do_assign, world.leader.id, world.building_id, task_id, [world.volunteer.id]
        )
    assert task_row(web, task_id)["status"] == Status.REPORTED.value
    assert web.run(TaskAssignee.count) == 0
    assert outbox(web, TASK_ASSIGNED) == []
    assert audit(web, "task.assigned") == []


def test_a_move_and_its_entry_roll_back_together(
    web: Web, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    task_id = new_task(web, world)
    fail_after_audit(monkeypatch, actions)
    with pytest.raises(FailedAfterAudit):
        web.run(
            actions.do_move,
            world.leader.id,
            world.building_id,
            task_id,
            "accept",
            grants=grants_of(Role.LEADER.key),
        )
    assert task_row(web, task_id)["status"] == Status.REPORTED.value
    assert outbox(web, TASK_STATUS) == []
    assert audit(web, "task.status") == []


def test_a_task_of_another_building_is_not_found_from_this_one(web: Web, world: World) -> None:
    foreign = web.run(
        actions.do_report,
        world.other_leader.id,
        world.other_building_id,
        actions.NewReport(**{**DOOR, "description": "Block 4"}),
    )
    with pytest.raises(Refused):
        web.run(actions.do_assign, world.leader.id, world.building_id, foreign, [world.leader.id])
    assert audit(web, "task.assigned") == []


def test_a_report_like_an_open_task_is_asked_about_and_not_saved(web: Web, world: World) -> None:
    task_id = new_task(web, world)
    same = actions.NewReport(**DOOR)
    with pytest.raises(actions.LooksReported) as asked:
        web.run(actions.do_report, world.volunteer.id, world.building_id, same, ask_if_similar=True)
    assert [row["id"] for row in asked.value.similar] == [task_id]
    assert web.run(Task.count) == 1
    web.run(actions.do_report, world.volunteer.id, world.building_id, same)  # "it is new"
    assert web.run(Task.count) == 2
