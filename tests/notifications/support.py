"""What the notification tests share: devices on the test push service, the outbox read back,
and a path value for the route matrix."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hub.notifications.actions import NewSubscription, do_subscribe
from hub.notifications.push import Pusher
from hub.notifications.tables import Notification, PushSubscription
from hub.notifications.worker import run_once
from hub.settings import get_settings
from tests.notifications.push_service import Device

T = TypeVar("T")
NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai


def run(fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
    return asyncio.run(fn(*args, **kwargs))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser_subscription(endpoint: str = "https://push.example.net/send/abc") -> dict[str, Any]:
    """What a browser's PushSubscription.toJSON() looks like, with fresh keys."""
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": b64url(point), "auth": b64url(os.urandom(16))},
    }


async def subscribe(user_id: int, device: Device, label: str = "Test phone") -> int:
    """Store a device of the test push service (its endpoint is http://127.0.0.1, which the
    settings page would refuse, so this goes straight to the action)."""
    return await do_subscribe(
        user_id, NewSubscription(device.endpoint, device.p256dh, device.auth, label)
    )


async def deliver(now: datetime = NOW) -> int:
    async with Pusher(get_settings()) as pusher:
        return await run_once(now, pusher)


async def rows(**where: Any) -> list[dict[str, Any]]:
    query = Notification.select().order_by(Notification.id)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return await query


async def subscription_ids(user_id: int) -> list[int]:
    found = await PushSubscription.select(PushSubscription.id).where(
        PushSubscription.user == user_id
    )
    return [row["id"] for row in found]


async def path_values_in(user_id: int) -> dict[str, Any]:
    """A value for each path parameter of the notification routes: a device of `user_id`."""
    subscription_id = await do_subscribe(
        user_id,
        NewSubscription(
            endpoint=f"https://push.example.net/send/{user_id}-{os.urandom(4).hex()}",
            p256dh=browser_subscription()["keys"]["p256dh"],
            auth=b64url(os.urandom(16)),
            label="Phone",
        ),
    )
    return {"subscription_id": subscription_id}
