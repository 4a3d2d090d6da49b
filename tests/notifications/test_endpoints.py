"""Push subscriptions are no way into the server's network: only https push services on public
hosts are stored, and the worker checks every connection again when it sends."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import pytest

from hub.notifications.actions import TEST
from hub.notifications.endpoints import (
    NotPublic,
    PublicResolver,
    Verdict,
    check_endpoint,
    is_public,
)
from hub.notifications.outbox import notify
from hub.notifications.push import Endpoint, Pusher
from hub.notifications.tables import PushSubscription
from hub.settings import SettingsError, get_settings, load_settings
from tests.factories import World, make_person
from tests.notifications.push_service import PushService
from tests.notifications.support import NOW, browser_subscription, deliver, rows, run, subscribe
from tests.web_client import Web, text_of

DEVICES = "/settings/notifications/devices"


def post_subscription(web: Web, endpoint: str):
    return web.client.post(
        DEVICES,
        content=json.dumps({"subscription": browser_subscription(endpoint)}).encode(),
        headers={
            "x-csrftoken": web.csrf_token(),
            "Content-Type": "application/json",
            "Accept-Language": "en",
        },
    )


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.0.0.8", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address to refuse, not to bind
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
    ],
)
def test_which_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(address) is public


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("https://127.0.0.2:8443/push/x", "inside a private network"),
        ("https://169.254.169.254/latest/meta-data/", "inside a private network"),
        ("https://localhost:5432/", "inside a private network"),
        ("https://[::1]/push", "inside a private network"),
        ("https://10.0.0.8/push", "inside a private network"),
        ("https://inside.example.net/push", "inside a private network"),
        ("https://rebound.example.net/push", "inside a private network"),
        ("https://nowhere.example.net/push", "could not find this browser"),
        ("http://push.example.net/push", "no valid push address"),
        ("ftp://push.example.net/push", "no valid push address"),
    ],
)
def test_a_push_address_inside_the_network_is_refused(
    web: Web, world: World, endpoint: str, reason: str
) -> None:
    web.sign_in(world.resident.login)
    response = post_subscription(web, endpoint)
    assert response.status_code == 400
    assert reason in text_of(response)
    assert web.run(PushSubscription.count().run) == 0


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://push.example.net/send/abc",
        "https://updates.push.example.org/wpush/v2/abc",
        "https://93.184.215.14/push/abc",
        "http://127.0.0.1:8123/push/abc",  # the tests' HUB_PUSH_ALLOWED_HOSTS names 127.0.0.1
    ],
)
def test_public_push_services_and_allowed_hosts_are_accepted(
    web: Web, world: World, endpoint: str
) -> None:
    web.sign_in(world.resident.login)
    assert post_subscription(web, endpoint).status_code == 201
    assert web.run(PushSubscription.count().run) == 1


def test_the_setting_decides_which_hosts_are_allowed() -> None:
    endpoint = "http://127.0.0.1:8123/push/abc"
    assert run(check_endpoint, endpoint, {"127.0.0.1"}) is Verdict.ALLOWED
    assert run(check_endpoint, endpoint, set()) is Verdict.NOT_HTTPS
    assert run(check_endpoint, endpoint.replace("http:", "https:"), set()) is Verdict.NOT_PUBLIC


def test_the_workers_resolver_keeps_only_public_addresses() -> None:
    async def resolve(allowed: set[str]) -> list[str]:
        resolver = PublicResolver(allowed)
        try:
            return [found["host"] for found in await resolver.resolve("localhost", 443)]
        finally:
            await resolver.close()

    with pytest.raises(NotPublic):
        run(resolve, set())
    assert run(resolve, {"localhost"}) == ["127.0.0.1"]


def test_the_worker_sends_nothing_into_the_network_and_forgets_such_a_device(
    service: PushService,
) -> None:
    """Devices stored before these checks (or whose name now leads inside the network) are
    refused when the worker would connect: no request leaves, and the device goes."""
    settings = dataclasses.replace(get_settings(), push_allowed_hosts=frozenset())
    phone = service.new_device()
    inside = [
        phone.endpoint.replace("http://127.0.0.1", "https://localhost"),
        "https://169.254.169.254/latest/meta-data/",
        phone.endpoint,  # http://127.0.0.1: not an https push service once nothing is allowed
    ]

    async def scenario() -> list[str]:
        user_id = (await make_person("Neighbour")).id
        for endpoint in inside:
            await subscribe(user_id, dataclasses.replace(phone, endpoint=endpoint))
        await notify([user_id], TEST, params={}, url="/", due_at=NOW)
        async with Pusher(settings) as pusher:
            sent = await asyncio.gather(
                *[
                    pusher.send(
                        Endpoint(endpoint, phone.p256dh, phone.auth),
                        "{}",
                        ttl=60,
                        urgency="normal",
                        topic="t",
                    )
                    for endpoint in inside
                ]
            )
        return [result.result for result in sent]

    before = len(service.answered)
    assert run(scenario) == ["refused"] * 3
    run(deliver)  # the tests' own settings still allow 127.0.0.1, but not localhost
    assert len(service.answered) == before + 1
    remaining = run(PushSubscription.select(PushSubscription.endpoint).run)
    assert [row["endpoint"] for row in remaining] == [phone.endpoint]
    assert run(rows)[0]["state"] == "sent"


def test_the_allowed_hosts_setting(tmp_path: Path) -> None:
    def allowed(raw: str) -> frozenset[str]:
        env = {"HUB_DATA_DIR": str(tmp_path), "HUB_PUSH_ALLOWED_HOSTS": raw}
        return load_settings(env).push_allowed_hosts

    assert load_settings({"HUB_DATA_DIR": str(tmp_path)}).push_allowed_hosts == frozenset()
    assert allowed(" Push.Internal , 10.0.0.5,[fd00::1] ,") == {
        "push.internal",
        "10.0.0.5",
        "fd00::1",
    }
    with pytest.raises(SettingsError, match="HUB_PUSH_ALLOWED_HOSTS"):
        allowed("push.internal/path")
