"""The worker against a push service in trouble: one that never answers, one that answers
slowly to several workers at once, and one that is down for longer than an hour."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.events.notifications import URGENT_NOTICE
from hub.notifications import worker
from hub.notifications.actions import TEST
from hub.notifications.outbox import cancel, notify
from hub.notifications.push import Endpoint, Pusher
from hub.notifications.tables import Notification, NotificationDelivery, PushOutage
from hub.patrols.notifications import SHIFT_REMINDER
from hub.settings import get_settings
from hub.tasks.notifications import TASK_ASSIGNED
from tests.factories import make_person
from tests.notifications.push_service import Device, PushService
from tests.notifications.support import NOW, deliver, rows, run, subscribe

NEVER = 60.0  # longer than any of these tests: a send that waits this long has hung
PARAMS = {"building": "2号楼", "route": "North", "task": "Door", "title": "Water off", "text": ""}


async def people(service: PushService, count: int, devices: int = 1) -> list[tuple[int, list]]:
    made = []
    for index in range(count):
        user_id = (await make_person(f"Neighbour {index}")).id
        phones = [service.new_device() for _ in range(devices)]
        for phone in phones:
            await subscribe(user_id, phone)
        made.append((user_id, phones))
    return made


def queue(user_ids: list[int], kind: str = TEST, **kwargs: Any) -> int:
    kwargs["params"] = {**PARAMS, "timezone": "Asia/Shanghai", **kwargs.get("params", {})}
    kwargs.setdefault("due_at", NOW)
    return run(notify, user_ids, kind, url="/", **kwargs)


def test_a_send_to_a_service_that_never_answers_ends_in_time(service: PushService) -> None:
    phone = service.new_device()
    service.hang(phone)

    async def send() -> Any:
        async with Pusher(get_settings(), send_seconds=0.3) as pusher:
            to = Endpoint(phone.endpoint, phone.p256dh, phone.auth)
            return await asyncio.wait_for(
                pusher.send(to, "{}", ttl=60, urgency="normal", topic="t"), NEVER
            )

    sent = run(send)
    assert (sent.result, sent.detail) == ("unavailable", "no answer within 0.3 s")


def test_a_device_that_never_answers_holds_back_only_its_own_notification(
    service: PushService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its send waits as long as sends may; everyone else's notifications are delivered and
    written meanwhile, and stopping the worker gives the hanging row back at once."""
    monkeypatch.setattr(worker, "STOP_GRACE_SECONDS", 0.2)
    [(stuck, [hanging])] = run(people, service, 1)
    service.hang(hanging)
    others = run(people, service, 30)
    queue([stuck])  # the first row of the outbox
    queue([user_id for user_id, _ in others])

    async def scenario() -> list[dict[str, Any]]:
        stop = asyncio.Event()
        async with Pusher(get_settings(), send_seconds=NEVER) as pusher:
            courier = worker.Courier(pusher, lambda: NOW)
            running = asyncio.create_task(courier.run(stop))
            for _ in range(400):
                if await Notification.count().where(Notification.state == "sent") == 30:
                    break
                await asyncio.sleep(0.05)
            stop.set()
            await asyncio.wait_for(running, NEVER)
        return await rows()

    [first, *rest] = run(scenario)
    assert {row["state"] for row in rest} == {"sent"}
    assert all(len(service.messages_for(phones[0])) == 1 for _, phones in others)
    assert (first["state"], first["claim_token"], first["claimed_until"]) == ("pending", None, None)


def test_a_notification_whose_device_never_answers_is_tried_again_later(
    service: PushService,
) -> None:
    [(user_id, [phone])] = run(people, service, 1)
    service.hang(phone)
    queue([user_id])

    async def scenario() -> None:
        async with Pusher(get_settings(), send_seconds=0.3) as pusher:
            await worker.run_once(NOW, pusher)

    run(scenario)
    [row] = run(rows)
    assert (row["state"], row["attempts"]) == ("pending", 1)
    assert row["next_attempt_at"] == NOW + worker.retry_delay(1)
    assert row["last_error"] == "no answer within 0.3 s"


def test_several_workers_and_a_slow_service_deliver_once_per_device(
    service: PushService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three workers share the outbox while every answer takes 0.1 s and each sends one
    message at a time: a claim of 20 rows (40 messages) takes about 4 s, longer than the
    3-second claim, so the claims live only because they are renewed."""
    monkeypatch.setattr(worker, "CLAIM_SECONDS", 3.0)
    monkeypatch.setattr(worker, "CLAIM_MARGIN_SECONDS", 0.2)
    made = run(people, service, 20, devices=2)
    user_ids = [user_id for user_id, _ in made]
    for index in range(2):
        queue(user_ids, key=f"slow-{index}", due_at=datetime.now(UTC))
    queued = 2 * sum(len(phones) for _, phones in made)
    service.delay = 0.1
    done = threading.Event()

    async def work() -> None:
        clock = lambda: datetime.now(UTC)  # noqa: E731 - the wall clock, as in production
        async with Pusher(get_settings(), send_seconds=2.0) as pusher:
            while not done.is_set():
                await worker.deliver_all(pusher, clock, rows_in_flight=20, concurrent_sends=1)
                if not await Notification.count().where(Notification.state == "pending"):
                    done.set()
                await asyncio.sleep(0.05)

    threads = [threading.Thread(target=asyncio.run, args=(work(),)) for _ in range(3)]
    for thread in threads:
        thread.start()
    done.wait(NEVER)
    for thread in threads:
        thread.join(NEVER)
    delivered = [
        (message.device_id, message.topic)
        for _, phones in made
        for phone in phones
        for message in service.messages_for(phone)
    ]
    duplicated = len(delivered) - len(set(delivered))
    assert (queued, len(delivered), duplicated) == (80, 80, 0)
    assert {row["state"] for row in run(rows)} == {"sent"}


def next_due() -> datetime:
    return min(row["next_attempt_at"] for row in run(rows, state="pending"))


def test_an_outage_longer_than_an_hour_loses_nothing_that_still_matters(
    service: PushService,
) -> None:
    """The service answers 503 to everything for 90 minutes. It is probed, not flooded; the
    notifications wait without using up their attempts; a shift reminder whose shift starts
    during the outage and the hour-long test notification expire; the rest arrive within
    five minutes of the service coming back, once each. The clock moves as a worker would see
    it: from one moment something is due to the next."""
    made = run(people, service, 6)
    (task, _), (shift, _), (urgent, _), (tester, _) = made[:4]
    crowd = [user_id for user_id, _ in made[4:]]
    start = (NOW + timedelta(minutes=40)).isoformat()
    queue([task, *crowd], TASK_ASSIGNED)
    queue([shift], SHIFT_REMINDER, params={"starts_at": start}, key="shift")
    queue([urgent], URGENT_NOTICE, key="urgent")
    queue([tester])
    service.outage = 503
    before = len(service.answered)
    back = NOW + timedelta(minutes=90)
    when = NOW
    while when < back:
        run(deliver, when)
        when = next_due()
    requests_in_outage = len(service.answered) - before
    in_outage = {row["user"]: row for row in run(rows)}
    assert requests_in_outage <= 30  # probes: at 30 s, 1, 2, 4 minutes, then every 5
    assert run(PushOutage.count().run) == 1
    assert max(row["attempts"] for row in in_outage.values()) <= requests_in_outage
    assert in_outage[shift]["state"] == "expired"
    assert in_outage[tester]["state"] == "expired"
    assert {in_outage[user]["state"] for user in (task, urgent, *crowd)} == {"pending"}

    service.outage = None
    while when <= back + timedelta(minutes=5):
        run(deliver, max(when, back))
        if not run(rows, state="pending"):
            break
        when = next_due()
    after = {row["user"]: row for row in run(rows)}
    assert {after[user]["state"] for user in (task, urgent, *crowd)} == {"sent"}
    assert {after[user]["state"] for user in (shift, tester)} == {"expired"}
    for user_id, [phone] in made:
        expected = 0 if user_id in (shift, tester) else 1
        assert len(service.messages_for(phone)) == expected
    assert run(PushOutage.count().run) == 0


def test_a_device_on_a_service_that_is_down_does_not_hold_back_one_that_is_up(
    service: PushService,
) -> None:
    """Two push services: one down, one up. The notification reaches the phone on the one
    that is up at once, and the other when its service is back, without a second copy."""
    down = PushService().start()
    try:
        down.outage = 503

        async def make() -> tuple[int, Device, Device]:
            user_id = (await make_person("Two phones")).id
            phone, tablet = service.new_device(), down.new_device()
            await subscribe(user_id, phone)
            await subscribe(user_id, tablet)
            return user_id, phone, tablet

        user_id, phone, tablet = run(make)
        queue([user_id], TASK_ASSIGNED)
        back, when = NOW + timedelta(minutes=20), NOW
        while when < back:
            run(deliver, when)
            when = next_due()
        assert len(service.messages_for(phone)) == 1
        assert run(rows)[0]["state"] == "pending"
        down.outage = None
        while run(rows, state="pending") and when <= back + timedelta(minutes=5):
            run(deliver, max(when, back))
            when = next_due() if run(rows, state="pending") else when
        assert len(service.messages_for(phone)) == 1
        assert len(down.messages_for(tablet)) == 1
        assert run(rows)[0]["state"] == "sent"
    finally:
        down.stop()


def test_a_worker_whose_claim_was_taken_over_keeps_what_it_delivered(
    service: PushService,
) -> None:
    """Worker A reaches the phone, then its claim passes to B while the tablet keeps A waiting.
    A's delivery to the phone stays on record, A writes nothing over B's claim, and B sends to
    the tablet only."""
    [(user_id, [phone, tablet])] = run(people, service, 1, devices=2)
    service.hang(tablet)
    queue([user_id], TASK_ASSIGNED)

    async def worker_a() -> None:
        async with Pusher(get_settings(), send_seconds=2.0) as pusher:
            running = asyncio.create_task(worker.deliver_all(pusher, lambda: NOW))
            for _ in range(200):
                if await NotificationDelivery.count():
                    break
                await asyncio.sleep(0.02)
            await Notification.update(  # B takes the row over
                {Notification.claim_token: "b", Notification.claimed_until: NOW}
            ).where(Notification.user == user_id)
            await asyncio.wait_for(running, NEVER)

    run(worker_a)
    [row] = run(rows)
    assert (row["state"], row["claim_token"], row["attempts"]) == ("pending", "b", 0)
    assert len(service.messages_for(phone)) == 1
    service.reset()  # the tablet answers again
    run(deliver, NOW + timedelta(seconds=1))
    assert len(service.messages_for(phone)) == 1
    assert len(service.messages_for(tablet)) == 1
    assert run(rows)[0]["state"] == "sent"


def test_a_notification_withdrawn_while_it_is_being_sent_breaks_nothing(
    service: PushService, caplog: pytest.LogCaptureFixture
) -> None:
    """The volunteer leaves the shift while its reminder is on its way to one of two phones:
    the row goes (outbox.cancel), and the worker's record of that delivery goes with it
    instead of failing every write after it."""
    [(user_id, [phone, tablet])] = run(people, service, 1, devices=2)
    [(other, [other_phone])] = run(people, service, 1)
    service.hang(tablet)
    queue([user_id], TASK_ASSIGNED, key="withdrawn")
    service.delay = 0.3

    async def scenario() -> int:
        async with Pusher(get_settings(), send_seconds=1.0) as pusher:
            running = asyncio.create_task(worker.deliver_all(pusher, lambda: NOW))
            for _ in range(200):
                if await Notification.count().where(Notification.claim_token.is_not_null()):
                    break
                await asyncio.sleep(0.01)
            await cancel("withdrawn")
            await notify([other], TASK_ASSIGNED, params=PARAMS, url="/", due_at=NOW)
            first = await asyncio.wait_for(running, NEVER)
            return first + await worker.deliver_all(pusher, lambda: NOW)

    run(scenario)
    assert len(service.messages_for(phone)) == 1
    assert len(service.messages_for(other_phone)) == 1
    assert [row["user"] for row in run(rows)] == [other]
    assert run(NotificationDelivery.count().run) == 0
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
