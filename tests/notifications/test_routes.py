"""Settings > Notifications through HTTP: the page, devices, the test notification, preferences
and quiet hours."""

from __future__ import annotations

import json
from datetime import time

import pytest

from hub.events.notifications import URGENT_NOTICE
from hub.notifications import actions, queries
from hub.notifications.kinds import optional_kinds
from hub.notifications.tables import Notification, PushSubscription
from hub.settings import get_settings
from hub.tasks.notifications import TASK_ASSIGNED, TASK_STATUS
from tests.accounts.pages import assert_page, en
from tests.factories import World
from tests.notifications.support import browser_subscription, path_values_in
from tests.web_client import Web, text_of

PAGE = "/settings/notifications"
DEVICES = f"{PAGE}/devices"


def post_json(web: Web, body: object, *, raw: bytes | None = None):
    return web.client.post(
        DEVICES,
        content=raw if raw is not None else json.dumps(body).encode(),
        headers={
            "x-csrftoken": web.csrf_token(),
            "Content-Type": "application/json",
            "Accept-Language": "en",
        },
        follow_redirects=False,
    )


@pytest.mark.parametrize("htmx", [False, True])
def test_the_page_is_a_page_and_a_fragment(web: Web, world: World, htmx: bool) -> None:
    web.sign_in(world.resident.login)
    response = web.get(PAGE, htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    text = text_of(response)
    assert "Turn on notifications on this device" in text
    assert "No device gets your notifications yet." in text
    assert f'data-vapid-key="{get_settings().vapid_public_key}"' in response.text
    assert '<script src="/static/push.js?v=' in response.text
    for kind in optional_kinds():
        assert f'value="{kind}" checked' in response.text


def test_the_page_in_chinese_and_linked_from_the_profile(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    assert "在这台设备上开启通知" in text_of(web.get(PAGE, headers={"Accept-Language": "zh"}))
    assert f'href="{PAGE}"' in web.get("/profile").text


def test_signing_in_comes_first(web: Web) -> None:
    response = web.get(PAGE)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_a_browser_subscription_is_stored_once_and_listed(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    subscription = browser_subscription()
    response = post_json(web, {"subscription": subscription, "label": "  Grandma's  phone "})
    assert response.status_code == 201, response.text
    assert 'id="devices"' in response.text
    assert "Grandma&#39;s phone" in response.text
    again = post_json(web, {"subscription": subscription, "label": "Kitchen tablet"})
    assert again.status_code == 201
    [device] = web.run(queries.devices_of, world.resident.id)
    assert device.label == "Kitchen tablet"
    assert "Kitchen tablet" in text_of(web.get(PAGE))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "did not send a subscription we can read"),
        (b"[1, 2]", "did not send a subscription we can read"),
        (b'{"label": "x"}', "sent no subscription"),
        (json.dumps({"subscription": {"endpoint": "http://push.example/x"}}).encode(), "address"),
        (json.dumps({"subscription": {"endpoint": "https://push.example/x"}}).encode(), "keys"),
        (
            json.dumps(
                {
                    "subscription": {
                        "endpoint": "https://push.example/x",
                        "keys": {"p256dh": "AAAA", "auth": "AAAA"},
                    }
                }
            ).encode(),
            "not valid",
        ),
        (b"{" + b" " * 9000 + b"}", "too large"),
    ],
)
def test_a_bad_subscription_is_refused_with_a_reason(
    web: Web, world: World, body: bytes, message: str
) -> None:
    web.sign_in(world.resident.login)
    response = post_json(web, None, raw=body)
    assert response.status_code == 400
    assert message in text_of(response)
    assert web.run(queries.devices_of, world.resident.id) == []


def test_a_short_auth_secret_is_refused(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    subscription = browser_subscription()
    subscription["keys"]["auth"] = "AAAA"
    assert post_json(web, {"subscription": subscription}).status_code == 400


@pytest.mark.parametrize("htmx", [False, True])
def test_removing_a_device(web: Web, world: World, htmx: bool) -> None:
    mine = web.run(path_values_in, world.resident.id)["subscription_id"]
    theirs = web.run(path_values_in, world.leader.id)["subscription_id"]
    web.sign_in(world.resident.login)
    response = web.post(f"{DEVICES}/{theirs}/remove", htmx=htmx)
    assert response.status_code == (200 if htmx else 303)
    response = web.post(f"{DEVICES}/{mine}/remove", htmx=htmx, headers=en())
    if htmx:
        assert response.status_code == 200
        assert 'id="devices"' in response.text
        assert "<html" not in response.text
        assert "No device gets your notifications yet." in text_of(response)
    else:
        assert response.headers["location"] == PAGE
    remaining = web.run(PushSubscription.select(PushSubscription.id).run)
    assert [row["id"] for row in remaining] == [theirs]


@pytest.mark.parametrize("htmx", [False, True])
def test_sending_myself_a_test_notification(web: Web, world: World, htmx: bool) -> None:
    web.run(path_values_in, world.resident.id)
    web.run(path_values_in, world.resident.id)
    web.sign_in(world.resident.login)
    response = web.post(f"{PAGE}/test", htmx=htmx, headers=en())
    said = "A test notification is on its way to your 2 devices."
    if htmx:
        assert response.status_code == 200
        assert said in text_of(response)
        assert "<title>" not in response.text
    else:
        assert response.headers["location"] == f"{PAGE}?test=sent"
        assert said in text_of(web.get(response.headers["location"], headers=en()))
    [row] = web.run(Notification.select().run)
    assert (row["user"], row["kind"], row["url"]) == (world.resident.id, "test", PAGE)


@pytest.mark.parametrize("htmx", [False, True])
def test_a_test_without_a_device_is_not_sent_and_says_why(
    web: Web, world: World, htmx: bool
) -> None:
    web.sign_in(world.resident.login)
    response = web.post(f"{PAGE}/test", htmx=htmx, headers=en())
    said = "No test was sent: no device gets your notifications yet."
    if htmx:
        assert response.status_code == 409
        assert said in text_of(response)
    else:
        assert response.headers["location"] == f"{PAGE}?test=no-device"
        page = text_of(web.get(response.headers["location"], headers=en()))
        assert said in page
        assert "on its way" not in page
    assert web.run(Notification.count().run) == 0


@pytest.mark.parametrize("htmx", [False, True])
def test_test_notifications_are_limited(web: Web, world: World, htmx: bool) -> None:
    web.run(path_values_in, world.resident.id)
    web.sign_in(world.resident.login)
    for _ in range(actions.TEST_LIMIT):
        assert web.post(f"{PAGE}/test", htmx=True).status_code == 200
    response = web.post(f"{PAGE}/test", htmx=htmx, headers=en())
    said = "You can send yourself 3 test notifications in 10 minutes."
    if htmx:
        assert response.status_code == 429
        assert said in text_of(response)
    else:
        assert response.headers["location"] == f"{PAGE}?test=busy"
        assert said in text_of(web.get(response.headers["location"], headers=en()))
    assert web.run(Notification.count().run) == actions.TEST_LIMIT
    zh = web.post(f"{PAGE}/test", htmx=True, headers={"Accept-Language": "zh"})
    assert said not in text_of(zh)


def test_saving_preferences_and_quiet_hours(web: Web, world: World) -> None:
    web.sign_in(world.resident.login)
    kept = [TASK_STATUS, URGENT_NOTICE]
    response = web.post(
        PAGE, {"kinds": kept, "quiet": "on", "quiet_start": "21:30", "quiet_end": "06:45"}
    )
    assert response.headers["location"] == f"{PAGE}?saved=1"
    assert web.run(queries.enabled_kinds, world.resident.id) == set(kept)
    assert web.run(queries.quiet_hours_of, world.resident.id) == (time(21, 30), time(6, 45))
    page = web.get(f"{PAGE}?saved=1", headers=en())
    assert "Your notification settings are saved." in text_of(page)
    assert 'value="21:30"' in page.text
    assert f'value="{TASK_ASSIGNED}" checked' not in page.text
    web.post(PAGE, {"kinds": kept, "quiet_start": "21:30", "quiet_end": "06:45"})
    assert web.run(queries.quiet_hours_of, world.resident.id) is None


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"quiet": "on", "quiet_start": "25:00", "quiet_end": "07:00"}, "such as 22:00"),
        ({"quiet": "on", "quiet_start": "", "quiet_end": "07:00"}, "such as 22:00"),
        ({"quiet": "on", "quiet_start": "07:00", "quiet_end": "07:00"}, "another time"),
        ({"kinds": ["no_such_kind"]}, "choose one of the options"),
    ],
)
def test_bad_settings_come_back_with_the_reason(
    web: Web, world: World, form: dict[str, object], message: str
) -> None:
    web.sign_in(world.resident.login)
    response = web.post(PAGE, form, headers=en())
    assert response.status_code == 422
    assert message in text_of(response)
    assert web.run(queries.quiet_hours_of, world.resident.id) is None
