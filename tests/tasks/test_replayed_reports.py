"""A report made on a phone carries its own UUID and time: the offline queue may send it again
(or several times at once), and the building still gets one task."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from hub.tasks import actions
from hub.tasks.tables import Task
from tests.accounts.pages import location
from tests.factories import World
from tests.tasks.support import DOOR, report, task_row
from tests.web_client import Web


def count_tasks(web: Web, client_uuid: str) -> int:
    return web.run(Task.count().where(Task.client_uuid == client_uuid).run)


def test_the_report_form_carries_a_uuid_and_the_phone_time(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    text = web.get(f"/b/{world.building_id}/tasks/new").text
    assert 'name="client_uuid" value="' in text
    assert 'name="device_time" value="" data-device-time' in text


def test_the_same_report_sent_three_times_at_once_is_one_task(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    client_uuid = str(uuid.uuid4())
    fields = {"client_uuid": client_uuid, "device_time": "2026-12-05T09:15:00.000Z"}
    with ThreadPoolExecutor(max_workers=3) as pool:
        responses = list(pool.map(lambda _: report(web, world.building_id, fields), range(3)))
    assert [r.status_code for r in responses] == [303, 303, 303]
    assert len({location(r) for r in responses}) == 1
    assert count_tasks(web, client_uuid) == 1
    task = task_row(web, int(location(responses[0]).rsplit("/", 1)[-1]))
    assert task["device_time"] == datetime(2026, 12, 5, 9, 15, tzinfo=UTC)

    again = report(web, world.building_id, fields)
    assert location(again) == location(responses[0])
    assert count_tasks(web, client_uuid) == 1


def test_concurrent_replays_of_the_action_store_one_task(web: Web, world: World) -> None:
    client_uuid = str(uuid.uuid4())
    new = actions.NewReport(**DOOR, client_uuid=client_uuid)

    async def three() -> list[int]:
        return list(
            await asyncio.gather(
                *[actions.do_report(world.resident.id, world.building_id, new) for _ in range(3)]
            )
        )

    assert len(set(web.run(three))) == 1
    assert count_tasks(web, client_uuid) == 1


def test_someone_elses_uuid_is_refused_not_revealed(web: Web, world: World) -> None:
    client_uuid = str(uuid.uuid4())
    web.sign_in(world.resident.login)
    first = report(web, world.building_id, {"client_uuid": client_uuid})
    assert first.status_code == 303
    web.sign_in(world.volunteer.login)
    replay = report(web, world.building_id, {"client_uuid": client_uuid})
    assert 400 <= replay.status_code < 500
    assert location(first) not in replay.headers.get("location", "")
    assert count_tasks(web, client_uuid) == 1


def test_a_report_without_a_uuid_still_works(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    first = report(web, world.building_id, {"client_uuid": "not-a-uuid"})
    second = report(web, world.building_id, {"client_uuid": "", "confirmed_new": "1"})
    assert first.status_code == second.status_code == 303
    assert location(first) != location(second)
