"""The worker beside the web app: started by the lifespan when HUB_WORKER is on, stopped on
shutdown, and never started in the tests' app."""

from __future__ import annotations

import asyncio
import dataclasses

from hub.notifications import worker
from hub.notifications.actions import TEST
from hub.notifications.outbox import notify
from hub.settings import get_settings
from tests.factories import make_person
from tests.notifications.push_service import PushService
from tests.notifications.support import rows, run, subscribe


def test_the_lifespan_runs_the_worker_and_stops_it_cleanly(service: PushService) -> None:
    settings = dataclasses.replace(get_settings(), worker=True)

    async def scenario() -> None:
        user_id = (await make_person("Neighbour")).id
        device = service.new_device()
        await subscribe(user_id, device)
        await notify([user_id], TEST, params={}, url="/")
        async with worker.worker_lifespan(settings)():
            for _ in range(100):
                if service.messages_for(device):
                    break
                await asyncio.sleep(0.05)
        assert len(service.messages_for(device)) == 1
        assert not [t for t in asyncio.all_tasks() if t.get_name() == "notification-worker"]

    run(scenario)
    assert run(rows)[0]["state"] == "sent"


def test_the_tests_app_does_not_run_the_worker() -> None:
    assert get_settings().worker is False

    async def scenario() -> None:
        async with worker.worker_lifespan(get_settings())():
            assert not [t for t in asyncio.all_tasks() if t.get_name() == "notification-worker"]

    run(scenario)
