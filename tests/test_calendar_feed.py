"""A person's private calendar feed carries their shifts and the due dates of their repairs, as
well as their events, each as a valid iCalendar entry in the right time zone."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar

from hub.events.actions import do_calendar_token
from hub.patrols import actions as patrols
from hub.tasks.actions import NewReport, do_assign, do_plan, do_report
from hub.tasks.tables import Task
from tests.factories import World
from tests.patrols.world import make_route, make_shift
from tests.web_client import Web


def test_the_feed_has_my_shifts_and_repair_due_dates(web: Web, world: World) -> None:
    async def prepare() -> str:
        patrol = await make_route(world)
        shift_id = await make_shift(world, patrol.route_id, volunteers=2)
        await patrols.do_sign_up(world.volunteer.id, world.building_id, shift_id)
        task_id = await do_report(
            world.resident.id,
            world.building_id,
            NewReport(
                title="Door will not close",
                description="",
                place_kind="lobby",
                place="Entrance",
                category="door",
            ),
        )
        await Task.update({Task.status: "accepted"}).where(Task.id == task_id)
        await do_assign(world.leader.id, world.building_id, task_id, [world.volunteer.id])
        await do_plan(
            world.leader.id,
            world.building_id,
            task_id,
            priority="normal",
            due_on=date.today() + timedelta(days=3),
        )
        return await do_calendar_token(world.volunteer.id)

    token = web.run(prepare)
    response = web.get(f"/calendar/feed/{token}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    feed = icalendar.Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in feed.walk("VEVENT")}
    shift = events["Patrol: North"]
    assert str(shift["dtstart"].dt.tzinfo) == "Asia/Shanghai"
    assert shift["dtend"].dt - shift["dtstart"].dt == timedelta(hours=1)
    due = events["Repair due: Door will not close"]
    assert due["dtstart"].dt == date.today() + timedelta(days=3)
    assert {str(e["uid"]).split("@")[0] for e in events.values()} == {"shift-1", "task-1"}
    assert [tz["tzid"] for tz in feed.walk("VTIMEZONE")] == ["Asia/Shanghai"]
