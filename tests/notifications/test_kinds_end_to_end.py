"""From a real action to the phone: a leader gives a volunteer a repair task, and the worker
delivers the payload in the volunteer's language to their device on the test push service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.accounts.tables import User
from hub.tasks import actions
from tests.factories import World
from tests.notifications.push_service import PushService
from tests.notifications.support import deliver, subscribe
from tests.tasks.support import new_task
from tests.web_client import Web


def test_a_task_given_to_a_volunteer_arrives_on_their_phone_in_chinese(
    web: Web, world: World, service: PushService
) -> None:
    device = service.new_device()
    web.run(User.update({User.language: "zh"}).where(User.id == world.volunteer.id).run)
    web.run(subscribe, world.volunteer.id, device)
    task_id = new_task(web, world)
    web.run(actions.do_assign, world.leader.id, world.building_id, task_id, [world.volunteer.id])
    web.run(deliver, datetime.now(UTC) + timedelta(seconds=1))
    [message] = service.messages_for(device)
    assert message.payload == {
        "title": "有一项维修任务交给您",
        "body": "Building 2：“Entrance door does not close”。点这里看详情。",
        "url": f"/b/{world.building_id}/tasks/{task_id}",
        "tag": message.payload["tag"],
        "kind": "task_assigned",
        "lang": "zh",
    }
