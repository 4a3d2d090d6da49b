"""Changes to the patrol plan leave an audit entry written in the same transaction as the change:
routes, checkpoints, weekly schedules, single shifts, and a leader putting people on shifts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.errors import Refused
from hub.patrols import actions
from hub.patrols.actions import WeeklyPlan
from hub.patrols.notifications import SHIFT_REMINDER
from hub.patrols.tables import Schedule, Shift, ShiftSignup
from tests.audit_rows import FailedAfterAudit, audit, fail_after_audit
from tests.factories import World
from tests.outbox_rows import outbox
from tests.patrols.world import make_route, make_shift
from tests.web_client import Web


def weekly() -> WeeklyPlan:
    return WeeklyPlan(
        weekdays="135",
        start_minute=19 * 60,
        duration_minutes=60,
        volunteers=2,
        starts_on=datetime.now(UTC).date() + timedelta(days=1),
        ends_on=None,
    )


def test_the_plan_s_changes_are_audited_with_who_made_them(web: Web, world: World) -> None:
    leader, building = world.leader.id, world.building_id
    patrol = web.run(make_route, world, names=("Lobby", "Roof"))
    schedule_id = web.run(actions.do_create_schedule, leader, building, patrol.route_id, weekly())
    web.run(actions.do_update_schedule, leader, building, schedule_id, weekly())
    web.run(actions.do_retire_schedule, leader, building, schedule_id)
    web.run(actions.do_retire_checkpoint, leader, building, patrol.checkpoint_ids[1])
    shift_id = web.run(make_shift, world, patrol.route_id, volunteers=2)
    web.run(actions.do_assign, leader, building, shift_id, world.volunteer.id)
    web.run(actions.do_assign, leader, building, shift_id, world.volunteer.id)  # already on it
    web.run(actions.do_unassign, leader, building, shift_id, world.volunteer.id)
    plan = ("route.", "checkpoint.", "schedule.", "shift.")
    rows = [row for row in audit(web) if row["action"].startswith(plan)]
    assert {row["building"] for row in rows} == {building}
    assert [row["action"] for row in rows] == [
        "route.created",
        "checkpoint.added",
        "checkpoint.added",
        "schedule.created",
        "schedule.updated",
        "schedule.retired",
        "checkpoint.retired",
        "shift.assigned",
        "shift.unassigned",
    ]
    assert {row["actor"] for row in rows} == {leader}
    created = next(row for row in rows if row["action"] == "schedule.created")
    assert created["detail"].startswith(f"schedule={schedule_id} route={patrol.route_id} days=135")
    assigned = next(row for row in rows if row["action"] == "shift.assigned")
    assert assigned["detail"] == f"shift={shift_id} user={world.volunteer.id}"


def test_a_volunteer_signing_up_themselves_is_not_a_plan_change(web: Web, world: World) -> None:
    patrol = web.run(make_route, world)
    shift_id = web.run(make_shift, world, patrol.route_id)
    web.run(actions.do_sign_up, world.volunteer.id, world.building_id, shift_id)
    assert audit(web, "shift.assigned") == []


def test_a_schedule_and_its_entry_roll_back_together(
    web: Web, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    patrol = web.run(make_route, world)
    fail_after_audit(monkeypatch, actions)
    with pytest.raises(FailedAfterAudit):
        web.run(
            actions.do_create_schedule,
            world.leader.id,
            world.building_id,
            patrol.route_id,
            weekly(),
        )
    assert web.run(Schedule.count) == 0
    assert web.run(Shift.count) == 0
    assert audit(web, "schedule.created") == []


def test_an_assignment_and_its_entry_roll_back_together(
    web: Web, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    patrol = web.run(make_route, world)
    shift_id = web.run(make_shift, world, patrol.route_id)
    fail_after_audit(monkeypatch, actions)
    with pytest.raises(FailedAfterAudit):
        web.run(actions.do_assign, world.leader.id, world.building_id, shift_id, world.volunteer.id)
    assert web.run(ShiftSignup.count) == 0
    assert outbox(web, SHIFT_REMINDER) == []
    assert audit(web, "shift.assigned") == []


def test_a_shift_of_another_building_is_not_found_from_this_one(web: Web, world: World) -> None:
    patrol = web.run(make_route, world, building_id=world.other_building_id)
    shift_id = web.run(make_shift, world, patrol.route_id)
    with pytest.raises(Refused):
        web.run(actions.do_sign_up, world.volunteer.id, world.building_id, shift_id)
    with pytest.raises(Refused):
        web.run(actions.do_assign, world.leader.id, world.building_id, shift_id, world.leader.id)
    assert web.run(ShiftSignup.count) == 0
