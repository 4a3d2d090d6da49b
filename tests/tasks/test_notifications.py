"""What repair tasks put in the notification outbox: a task given to a volunteer, each change of
status to the reporter, the "is it fixed?" question a week after done, and their words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.community.roles import Role, grants_of
from hub.notifications.texts import render
from hub.tasks import actions, notifications
from hub.tasks.notifications import TASK_ASSIGNED, TASK_FOLLOW_UP, TASK_STATUS
from hub.tasks.workflow import Status
from tests.factories import World, add_member, make_person
from tests.outbox_rows import outbox, recipients
from tests.tasks.support import new_task, task_row
from tests.web_client import Web


def move(web: Web, world: World, task_id: int, actor: int, key: str, reason: str = "") -> None:
    role = Role.LEADER if actor == world.leader.id else Role.VOLUNTEER
    if actor == world.resident.id:
        role = Role.RESIDENT
    web.run(
        actions.do_move, actor, world.building_id, task_id, key, reason, grants=grants_of(role.key)
    )


def test_assigning_tells_each_new_assignee_but_not_the_leader_and_the_reporter_hears(
    web: Web, world: World
) -> None:
    task_id = new_task(web, world)
    web.run(
        actions.do_assign,
        world.leader.id,
        world.building_id,
        task_id,
        [world.volunteer.id, world.leader.id],
    )
    [assigned] = outbox(web, TASK_ASSIGNED)
    assert assigned["user"] == world.volunteer.id
    assert assigned["url"] == f"/b/{world.building_id}/tasks/{task_id}"
    assert assigned["params"] == {"building": "Building 2", "task": "Entrance door does not close"}
    [status] = outbox(web, TASK_STATUS)
    assert status["user"] == world.resident.id
    assert status["params"]["status"] == "assigned"
    second = web.run(make_person, "Volunteer Zhou")
    web.run(add_member, second, world.building_id, Role.VOLUNTEER)
    web.run(
        actions.do_assign,
        world.leader.id,
        world.building_id,
        task_id,
        [world.volunteer.id, second.id],
    )
    assert recipients(web, TASK_ASSIGNED) == sorted([world.volunteer.id, second.id])
    assert len(outbox(web, TASK_STATUS)) == 1  # only changed hands: no new status


def test_each_move_tells_the_reporter_unless_they_made_it(web: Web, world: World) -> None:
    task_id = new_task(web, world)
    move(web, world, task_id, world.leader.id, "accept")
    move(web, world, task_id, world.volunteer.id, "claim")
    assert outbox(web, TASK_ASSIGNED) == []  # claimed: the volunteer knows
    rows = outbox(web, TASK_STATUS)
    assert [row["params"]["status"] for row in rows] == ["accepted", "assigned"]
    assert {row["user"] for row in rows} == {world.resident.id}
    own = new_task(web, world, reporter=world.leader)
    move(web, world, own, world.leader.id, "accept")
    assert len(outbox(web, TASK_STATUS)) == 2


def test_done_asks_the_reporter_a_week_later_and_verifying_withdraws_it(
    web: Web, world: World
) -> None:
    task_id = new_task(web, world)
    web.run(actions.do_assign, world.leader.id, world.building_id, task_id, [world.volunteer.id])
    move(web, world, task_id, world.volunteer.id, "finish")
    done_at = task_row(web, task_id)["done_at"]
    [question] = outbox(web, TASK_FOLLOW_UP)
    assert question["user"] == world.resident.id
    assert question["due_at"] == done_at + timedelta(days=7)
    assert question["key"] == f"task_follow_up:{task_id}:{int(done_at.timestamp())}"
    assert question["url"] == f"/b/{world.building_id}/tasks/{task_id}"
    assert outbox(web, TASK_STATUS)[-1]["params"]["status"] == "done"
    move(web, world, task_id, world.resident.id, "verify")
    assert outbox(web, TASK_FOLLOW_UP) == []
    assert outbox(web, TASK_STATUS)[-1]["params"]["status"] == "done"  # verified by them


def test_reopening_withdraws_the_question_and_done_again_asks_again(web: Web, world: World) -> None:
    task_id = new_task(web, world)
    web.run(actions.do_assign, world.leader.id, world.building_id, task_id, [world.volunteer.id])
    move(web, world, task_id, world.volunteer.id, "finish")
    move(web, world, task_id, world.leader.id, "reopen", "Still squeaks")
    assert outbox(web, TASK_FOLLOW_UP) == []
    reopened = outbox(web, TASK_STATUS)[-1]
    assert reopened["params"] == {
        "building": "Building 2",
        "task": "Entrance door does not close",
        "status": "assigned",
        "reason": "Still squeaks",
    }
    move(web, world, task_id, world.volunteer.id, "finish")
    assert recipients(web, TASK_FOLLOW_UP) == [world.resident.id]


def test_a_move_rolled_back_leaves_no_notification(
    web: Web, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    task_id = new_task(web, world)
    real = notifications.tell_status

    async def tell_then_fail(*args: object) -> None:
        await real(*args)  # type: ignore[arg-type]
        raise RuntimeError("the transaction fails after the notification was queued")

    monkeypatch.setattr(notifications, "tell_status", tell_then_fail)
    with pytest.raises(RuntimeError):
        move(web, world, task_id, world.leader.id, "accept")
    assert task_row(web, task_id)["status"] == Status.REPORTED.value
    assert outbox(web) == []


# Words ------------------------------------------------------------------------------------------

TASK = {"building": "2号楼", "task": "Door does not close"}


def test_task_assigned_words() -> None:
    assert render(TASK_ASSIGNED, TASK, "en") == (
        "A repair task for you",
        "2号楼: “Door does not close”. Tap here to see the details.",
    )
    assert render(TASK_ASSIGNED, TASK, "zh") == (
        "有一项维修任务交给您",
        "2号楼：“Door does not close”。点这里看详情。",
    )


@pytest.mark.parametrize(
    ("status", "en", "zh"),
    [
        ("accepted", "Your report was accepted", "您报告的问题已受理"),
        ("assigned", "Someone is taking care of your report", "已经有人负责您报告的问题了"),
        ("in_progress", "Work has started on your report", "您报告的问题开始维修了"),
        ("done", "Your report is marked as fixed", "您报告的问题已经修好了"),
        ("verified", "Your report is closed as fixed", "您报告的问题已确认修好"),
        ("rejected", "Your report was not taken up", "您报告的问题没有被受理"),
    ],
)
def test_task_status_words_for_each_status(status: str, en: str, zh: str) -> None:
    params = {**TASK, "status": status, "reason": ""}
    assert render(TASK_STATUS, params, "en")[0] == en
    assert render(TASK_STATUS, params, "zh")[0] == zh


def test_task_status_body_gives_the_reason_or_asks_to_check() -> None:
    rejected = {**TASK, "status": "rejected", "reason": "Not ours to fix"}
    assert render(TASK_STATUS, rejected, "en")[1] == "“Door does not close”: Not ours to fix"
    assert render(TASK_STATUS, rejected, "zh")[1] == "“Door does not close”：Not ours to fix"
    done = {**TASK, "status": "done", "reason": ""}
    assert "please check" in render(TASK_STATUS, done, "en")[1]
    assert "请看看" in render(TASK_STATUS, done, "zh")[1]


def test_task_follow_up_words() -> None:
    title, body = render(TASK_FOLLOW_UP, TASK, "en")
    assert title == "Is it still fixed?"
    assert "A week ago “Door does not close” was marked as fixed." in body
    title, body = render(TASK_FOLLOW_UP, TASK, "zh")
    assert title == "还好用吗？"
    assert body == "一周前“Door does not close”已经修好。现在还好吗？点这里回答。"
