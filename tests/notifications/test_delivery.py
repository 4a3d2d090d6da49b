"""The worker against the test push service: payloads and languages, removal of dead devices,
retries, quiet hours, preferences, the outbox's guarantees, and workers racing for rows."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from hub.accounts.tables import User
from hub.area import Periodic
from hub.db import write_transaction
from hub.events.notifications import EVENT_REMINDER, URGENT_NOTICE
from hub.notifications import kinds, sweeps
from hub.notifications.actions import TEST, do_save_settings
from hub.notifications.claims import claim_due
from hub.notifications.kinds import UnknownKind, expires_at, optional_kinds, spec_of
from hub.notifications.outbox import cancel, notify
from hub.notifications.push import Pusher
from hub.notifications.quiet import quiet_until
from hub.notifications.tables import Notification, PushSubscription
from hub.notifications.texts import when_text
from hub.notifications.worker import CLAIM_SECONDS, deliver_all, retry_delay
from hub.patrols.notifications import SHIFT_REMINDER
from hub.settings import get_settings
from hub.tasks.notifications import TASK_ASSIGNED
from tests.factories import make_person
from tests.notifications.push_service import PushService
from tests.notifications.support import NOW, deliver, rows, run, subscribe, subscription_ids

SETTINGS_URL = "/settings/notifications"


async def person(language: str = "en") -> int:
    user_id = (await make_person("Neighbour")).id
    await User.update({User.language: language}).where(User.id == user_id)
    return user_id


def someone(service: PushService, language: str = "en", devices: int = 1) -> tuple[int, list]:
    async def make() -> tuple[int, list]:
        user_id = await person(language)
        made = [service.new_device() for _ in range(devices)]
        for device in made:
            await subscribe(user_id, device)
        return user_id, made

    return run(make)


def queue(user_id: int, kind: str = TEST, **kwargs: Any) -> int:
    kwargs.setdefault("params", {})
    kwargs.setdefault("url", SETTINGS_URL)
    kwargs.setdefault("due_at", NOW)  # the tests' clock, not the wall clock
    return run(notify, [user_id], kind, **kwargs)


@pytest.fixture
def assigned_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The words of TASK_ASSIGNED as a test writes them, whatever hub/tasks declares."""

    def words(params: Mapping[str, Any]) -> tuple[str, str]:
        from hub.i18n import _

        return _(
            "Notifications"
        ), f"{params['title']} · {when_text(params['due'], 'Asia/Shanghai')}"

    monkeypatch.setitem(kinds._kinds, TASK_ASSIGNED, replace(spec_of(TASK_ASSIGNED), text=words))


@pytest.mark.parametrize(
    ("language", "title", "body"),
    [
        ("en", "Hub test notification", "Notifications work on this device."),
        ("zh", "Hub 测试通知", "这台设备可以收到通知。"),
        ("", "Hub 测试通知", "这台设备可以收到通知。"),
    ],
)
def test_the_test_notification_arrives_in_the_users_language(
    service: PushService, language: str, title: str, body: str
) -> None:
    user_id, [device] = someone(service, language)
    assert queue(user_id) == 1
    assert run(deliver) == 1
    [message] = service.messages_for(device)
    assert message.payload == {
        "title": title,
        "body": body,
        "url": SETTINGS_URL,
        "tag": "test",
        "kind": "test",
        "lang": language or "zh",
    }
    spec = spec_of(TEST)
    assert (message.ttl, message.urgency) == (spec.ttl, spec.urgency)
    assert message.topic
    assert len(message.topic) <= 32
    assert message.claims["sub"] == get_settings().vapid_contact
    assert message.vapid_key == get_settings().vapid_public_key
    [row] = run(rows)
    assert row["state"] == "sent"
    assert row["sent_at"] == NOW
    [sub] = run(PushSubscription.select().where(PushSubscription.user == user_id).run)
    assert sub["last_success_at"] == NOW


@pytest.mark.usefixtures("assigned_text")
def test_a_kind_registered_elsewhere_is_rendered_with_its_params(service: PushService) -> None:
    english, [phone] = someone(service, "en")
    chinese, [other_phone] = someone(service, "zh")
    params = {"title": "Door closer", "due": "2026-12-06T11:00:00+00:00"}
    queue(english, TASK_ASSIGNED, params=params, url="/b/1/tasks/7", key="task-7")
    queue(chinese, TASK_ASSIGNED, params=params, url="/b/1/tasks/7", key="task-7")
    run(deliver)
    [en] = service.messages_for(phone)
    [zh] = service.messages_for(other_phone)
    assert en.payload["body"] == "Door closer · Sun 6 Dec 19:00"
    assert en.payload["title"] == "Notifications"
    assert zh.payload["body"] == "Door closer · 12月6日 周日 19:00"
    assert zh.payload["title"] != "Notifications"
    assert en.payload["tag"] == "task-7"
    assert en.payload["url"] == "/b/1/tasks/7"
    assert en.urgency == spec_of(TASK_ASSIGNED).urgency
    assert en.ttl == spec_of(TASK_ASSIGNED).ttl


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_device_is_removed_and_the_others_still_get_it(
    service: PushService, status: int
) -> None:
    user_id, [dead, alive] = someone(service, devices=2)
    _dead_id, alive_id = run(subscription_ids, user_id)
    service.answer(dead, status)
    queue(user_id)
    run(deliver)
    assert run(subscription_ids, user_id) == [alive_id]
    assert len(service.messages_for(alive)) == 1
    assert service.attempts_for(dead) == [status]
    assert run(rows)[0]["state"] == "sent"


def test_when_the_only_device_is_gone_the_row_says_no_device(service: PushService) -> None:
    user_id, [device] = someone(service)
    service.answer(device, 410)
    queue(user_id)
    run(deliver)
    assert run(subscription_ids, user_id) == []
    assert run(rows)[0]["state"] == "no_device"


def test_nobody_with_no_device_gets_no_device(service: PushService) -> None:
    user_id = run(person)
    queue(user_id)
    run(deliver)
    assert run(rows)[0]["state"] == "no_device"


def test_a_500_is_retried_with_backoff_then_delivered(service: PushService) -> None:
    user_id, [device] = someone(service)
    service.answer(device, 500, 503)
    queue(user_id)
    run(deliver)
    [row] = run(rows)
    assert (row["state"], row["attempts"]) == ("pending", 1)
    assert row["next_attempt_at"] == NOW + retry_delay(1)
    assert "500" in row["last_error"]
    assert run(deliver, NOW + retry_delay(1) - timedelta(seconds=1)) == 0
    later = NOW + retry_delay(1)
    run(deliver, later)
    [row] = run(rows)
    assert (row["attempts"], row["next_attempt_at"]) == (2, later + retry_delay(2))
    run(deliver, later + retry_delay(2))
    assert service.attempts_for(device) == [500, 503, 201]
    assert len(service.messages_for(device)) == 1
    assert run(rows)[0]["state"] == "sent"
    assert retry_delay(2) == 2 * retry_delay(1)


def test_a_device_the_service_turns_down_is_tried_until_the_notification_expires(
    service: PushService,
) -> None:
    user_id, [device] = someone(service)
    service.answer(device, *[400] * 20)
    queue(user_id)  # a test notification is worth sending for an hour
    when = NOW
    while run(rows, state="pending"):
        run(deliver, when)
        [row] = run(rows)
        when = row["next_attempt_at"]
    [row] = run(rows)
    assert (row["state"], row["attempts"]) == ("expired", len(service.attempts_for(device)))
    assert row["attempts"] == 7  # 30 s, 1, 2, 4, 8, 16 and 32 minutes later: past the hour
    assert "400" in row["last_error"]
    assert run(subscription_ids, user_id)  # a device that answers is not removed


@pytest.mark.usefixtures("assigned_text")
def test_quiet_hours_hold_a_notification_until_morning_but_not_an_urgent_one(
    service: PushService,
) -> None:
    user_id, [device] = someone(service)
    run(
        do_save_settings,
        user_id,
        enabled=set(optional_kinds()),
        quiet=(time(22, 0), time(7, 0)),
        timezone="Asia/Shanghai",
    )
    night = datetime(2026, 12, 6, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    morning = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)  # 07:00 in Shanghai
    params = {"title": "Door", "due": night.isoformat()}
    queue(user_id, TASK_ASSIGNED, params=params, due_at=night)
    queue(user_id, URGENT_NOTICE, params={}, due_at=night, key="urgent")
    with pytest.MonkeyPatch.context() as patch:
        urgent = replace(spec_of(URGENT_NOTICE), text=lambda params: ("Water off", "Now"))
        patch.setitem(kinds._kinds, URGENT_NOTICE, urgent)
        run(deliver, night)
        assert [m.payload["kind"] for m in service.messages_for(device)] == ["urgent_notice"]
        held = run(rows, kind="task_assigned")[0]
        assert (held["state"], held["next_attempt_at"]) == ("pending", morning)
        assert run(deliver, morning - timedelta(minutes=1)) == 0
        run(deliver, morning)
    assert [m.payload["kind"] for m in service.messages_for(device)] == [
        "urgent_notice",
        "task_assigned",
    ]


def test_quiet_hours_boundaries() -> None:
    zone = "Asia/Shanghai"

    def at(hour: int, minute: int = 0) -> datetime:
        """A Shanghai clock time on 6 December (hours past 23 run into the next day), in UTC."""
        return datetime(2026, 12, 6, tzinfo=UTC) + timedelta(hours=hour - 8, minutes=minute)

    night = (time(22, 0), time(7, 0))
    assert quiet_until(at(21, 59), *night, zone) is None
    assert quiet_until(at(22, 0), *night, zone) == at(31)
    assert quiet_until(at(3, 0), *night, zone) == at(7)
    assert quiet_until(at(7, 0), *night, zone) is None
    day = (time(13, 0), time(14, 30))
    assert quiet_until(at(13, 15), *day, zone) == at(14, 30)
    assert quiet_until(at(15, 0), *day, zone) is None
    assert quiet_until(at(3, 0), time(8), time(8), zone) is None


@pytest.mark.usefixtures("assigned_text")
def test_a_kind_turned_off_is_skipped_but_a_test_still_arrives(service: PushService) -> None:
    user_id, [device] = someone(service)
    others = set(optional_kinds()) - {TASK_ASSIGNED}
    run(do_save_settings, user_id, enabled=others, quiet=None, timezone="Asia/Shanghai")
    queue(user_id, TASK_ASSIGNED, params={"title": "Door", "due": NOW.isoformat()})
    queue(user_id, TEST)
    run(deliver)
    assert [m.payload["kind"] for m in service.messages_for(device)] == ["test"]
    assert [row["state"] for row in run(rows)] == ["skipped", "sent"]


def test_a_row_of_a_kind_no_area_declares_fails_alone_and_cannot_be_queued(
    service: PushService,
) -> None:
    """A row left by a kind since retired (or written by another version) is marked failed
    with its reason; the rows claimed with it are delivered, and the worker runs on."""
    user_id, [device] = someone(service)
    retired = Notification(user=user_id, kind="retired_kind", due_at=NOW, next_attempt_at=NOW)
    run(retired.save().run)
    queue(user_id, TEST)
    assert run(deliver) == 2
    assert [m.payload["kind"] for m in service.messages_for(device)] == ["test"]
    failed, sent = run(rows)
    assert (failed["state"], failed["last_error"]) == ("failed", "unknown kind 'retired_kind'")
    assert sent["state"] == "sent"
    assert run(deliver, NOW + timedelta(hours=2)) == 0  # failed for good, not retried
    with pytest.raises(UnknownKind):
        queue(user_id, "retired_kind")
    assert len(run(rows)) == 2


def test_notify_in_a_rolled_back_transaction_leaves_no_row() -> None:
    user_id = run(person)

    async def change_that_fails() -> None:
        async with write_transaction():
            await notify([user_id], TEST, params={}, url=SETTINGS_URL)
            raise RuntimeError("the change is refused")

    with pytest.raises(RuntimeError):
        run(change_that_fails)
    assert run(rows) == []


def test_a_key_makes_notify_idempotent_even_after_sending(service: PushService) -> None:
    user_id, [device] = someone(service)
    assert queue(user_id, key="shift-3-reminder") == 1
    assert queue(user_id, key="shift-3-reminder") == 0
    run(deliver)
    assert queue(user_id, key="shift-3-reminder") == 0
    assert run(notify, [user_id, user_id], TEST, params={}, url="/", key="other") == 1
    assert len(service.messages_for(device)) == 1


def test_cancel_withdraws_only_what_is_not_sent(service: PushService) -> None:
    user_id, [device] = someone(service)
    other_id, _ = someone(service)
    queue(user_id, key="sent-one")
    run(deliver)
    later = NOW + timedelta(hours=2)
    run(notify, [user_id, other_id], TEST, params={}, url="/", due_at=later, key="later")
    assert run(cancel, "later") == 2
    assert run(cancel, "sent-one") == 0
    run(deliver, later)
    assert len(service.messages_for(device)) == 1
    assert queue(user_id, key="later") == 1  # withdrawn rows do not block a new one


def test_a_scheduled_notification_waits_until_it_is_due(service: PushService) -> None:
    user_id, [device] = someone(service)
    queue(user_id, due_at=NOW + timedelta(hours=1))
    assert run(deliver) == 0
    assert run(deliver, NOW + timedelta(hours=1)) == 1
    assert len(service.messages_for(device)) == 1


def test_a_claim_left_by_a_dead_worker_is_taken_again_when_it_expires(
    service: PushService,
) -> None:
    user_id, [device] = someone(service)
    queue(user_id)
    claimed = run(  # the worker dies before it sends anything
        claim_due, "dead", NOW, NOW + timedelta(seconds=CLAIM_SECONDS), limit=10
    )
    assert len(claimed) == 1
    assert run(deliver, NOW + timedelta(seconds=CLAIM_SECONDS - 1)) == 0
    assert run(deliver, NOW + timedelta(seconds=CLAIM_SECONDS + 1)) == 1
    assert len(service.messages_for(device)) == 1
    [row] = run(rows)
    assert row["state"] == "sent"
    assert row["claim_token"] is None


def test_sweeps_run_with_the_time_and_repeat_without_sending_twice(
    service: PushService, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id, [device] = someone(service)
    seen: list[datetime] = []

    async def broken(now: datetime) -> None:
        raise RuntimeError("this sweep is broken")

    async def tonight(now: datetime) -> None:
        seen.append(now)
        await notify([user_id], TEST, params={}, url="/", due_at=now, key=f"tonight-{now:%Y-%m-%d}")

    monkeypatch.setattr(sweeps, "_sweeps", [Periodic(broken), Periodic(tonight)])

    run(deliver)
    run(deliver, NOW + timedelta(minutes=1))
    assert seen == [NOW, NOW + timedelta(minutes=1)]
    assert len(service.messages_for(device)) == 1


def test_two_workers_racing_send_each_notification_exactly_once(service: PushService) -> None:
    """Four workers, each in its own thread with its own event loop and push session, drain
    one outbox together a few rows at a time; every notification reaches its device once."""

    async def make() -> list[tuple[int, Any]]:
        made = []
        for _ in range(30):
            user_id = await person()
            device = service.new_device()
            await subscribe(user_id, device)
            made.append((user_id, device))
        for index in range(4):
            await notify(
                [user_id for user_id, _ in made],
                TEST,
                params={},
                url="/",
                due_at=NOW,
                key=f"k{index}",
            )
        return made

    made = run(make)
    handled: list[int] = []

    async def work() -> None:
        async with Pusher(get_settings()) as pusher:
            handled.append(await deliver_all(pusher, lambda: NOW, rows_in_flight=7))

    threads = [threading.Thread(target=asyncio.run, args=(work(),)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(handled) == 120
    for _, device in made:
        assert len(service.messages_for(device)) == 4
    assert {row["state"] for row in run(rows)} == {"sent"}


def test_a_notification_matters_until_its_kind_says() -> None:
    start = NOW + timedelta(minutes=40)
    assert expires_at(SHIFT_REMINDER, {"starts_at": start.isoformat()}, NOW) == start
    assert expires_at(EVENT_REMINDER, {"starts_at": start.isoformat()}, NOW) == start
    assert expires_at(TASK_ASSIGNED, {"starts_at": start.isoformat()}, NOW) == NOW + timedelta(
        days=7
    )
    assert expires_at(TEST, {}, NOW) == NOW + timedelta(hours=1)
    far = (NOW + timedelta(days=30)).isoformat()
    assert expires_at(SHIFT_REMINDER, {"starts_at": far}, NOW) == NOW + timedelta(days=1)
    for broken in ("not a time", "2026-12-06T19:00:00", 7):
        assert expires_at(SHIFT_REMINDER, {"starts_at": broken}, NOW) == NOW + timedelta(days=1)
