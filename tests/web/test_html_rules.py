"""What the Nu Html Checker asks of every full page (bench/html_check.py runs the checker itself):
a meta description, `datetime` values without microseconds, no `maxlength` on time, date or
number inputs."""

from __future__ import annotations

import re
import uuid

from hub.patrols import actions as patrols
from tests.factories import World
from tests.patrols.world import make_route
from tests.tasks.support import new_task
from tests.web_client import Web

DESCRIPTION = re.compile(r'<meta name="description" content="[^"]{20,}">')
DATETIME = re.compile(r'datetime="([^"]*)"')
NOT_TEXT_WITH_MAXLENGTH = re.compile(
    r'<input[^>]*type="(?:time|date|number|datetime-local)"[^>]*maxlength|'
    r'<input[^>]*maxlength[^>]*type="(?:time|date|number|datetime-local)"'
)
WHOLE_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2}))?$")


def test_pages_have_a_description_whole_second_datetimes_and_no_maxlength_on_times(
    web: Web, world: World
) -> None:
    patrol = web.run(make_route, world)
    web.run(
        patrols.do_start_round, world.leader.id, world.building_id, patrol.route_id, shift_id=None
    )
    web.run(
        patrols.do_check_in,
        world.leader.id,
        world.building_id,
        patrol.checkpoint_ids[0],
        patrols.CheckInInput(client_uuid=str(uuid.uuid4()), device_time=None, manual=True),
    )
    task_id = new_task(web, world)
    assert DESCRIPTION.search(web.get("/login").text)
    web.sign_in(world.leader.login)
    b = world.building_id
    seen_datetimes = 0
    for path in (
        "/",
        f"/b/{b}/tasks/{task_id}",
        f"/b/{b}/routes/{patrol.route_id}",
        f"/b/{b}/logbook",
        f"/b/{b}/events/new",
    ):
        page = web.get(path).text
        assert DESCRIPTION.search(page), f"{path} has no meta description"
        assert not NOT_TEXT_WITH_MAXLENGTH.search(page), f"{path}: maxlength on a time input"
        for value in DATETIME.findall(page):
            seen_datetimes += 1
            assert WHOLE_SECONDS.match(value), f"{path}: datetime={value!r}"
    assert seen_datetimes >= 2, "the task's timeline and the log book have <time> elements"
