"""Every change a person makes to their notifications: devices, preferences, quiet hours, and
the test notification (at most TEST_LIMIT in TEST_WINDOW, and only to someone with a device)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import time, timedelta

from cryptography.hazmat.primitives.asymmetric import ec

from hub import clock
from hub.db import write_transaction
from hub.errors import Refused
from hub.i18n import _
from hub.notifications.endpoints import Verdict, check_endpoint, verdict_without_dns
from hub.notifications.kinds import optional_kinds
from hub.notifications.outbox import notify
from hub.notifications.tables import (
    Notification,
    NotificationPreference,
    PushSubscription,
    QuietHours,
)

MAX_LABEL_LENGTH = 80
MAX_ENDPOINT_LENGTH = 1000
SETTINGS_PATH = "/settings/notifications"
TEST = "test"  # the kind of the test notification (hub/notifications/area.py)
TEST_LIMIT = 3
TEST_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class NewSubscription:
    endpoint: str
    p256dh: str
    auth: str
    label: str


def _key_bytes(text: object) -> bytes | None:
    if not isinstance(text, str) or not text or len(text) > 200:
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _refuse_address(verdict: Verdict) -> None:
    if verdict is Verdict.NOT_HTTPS:
        raise Refused(_("The subscription has no valid push address."), "subscription")
    if verdict is Verdict.NOT_PUBLIC:
        raise Refused(
            _(
                "Hub sends notifications only to push services on the internet, and this "
                "browser gave an address inside a private network."
            ),
            "subscription",
        )
    if verdict is Verdict.UNKNOWN_HOST:
        raise Refused(
            _(
                "Hub could not find this browser's push service on the internet just now. "
                "Please try again in a few minutes."
            ),
            "subscription",
        )


def parse_subscription(
    data: object, label: object = "", allowed_hosts: Collection[str] = ()
) -> NewSubscription:
    """A browser's `PushSubscription.toJSON()` checked field by field: an https address that is
    not inside a private network by its looks (or on one of `allowed_hosts`), a P-256 public
    key and a 16-byte auth secret. Anything else is refused with a reason. Where the address's
    name leads is `read_subscription`'s question."""
    if not isinstance(data, Mapping):
        raise Refused(_("The browser sent no subscription. Please try again."), "subscription")
    endpoint = data.get("endpoint")
    keys = data.get("keys")
    if not isinstance(endpoint, str) or len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise Refused(_("The subscription has no valid push address."), "subscription")
    _refuse_address(verdict_without_dns(endpoint, allowed_hosts) or Verdict.ALLOWED)
    if not isinstance(keys, Mapping):
        raise Refused(_("The subscription has no encryption keys."), "subscription")
    p256dh = _key_bytes(keys.get("p256dh"))
    auth = _key_bytes(keys.get("auth"))
    try:
        if p256dh is None:
            raise ValueError
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError as error:
        raise Refused(_("The subscription's keys are not valid."), "subscription") from error
    if auth is None or len(auth) != 16:
        raise Refused(_("The subscription's keys are not valid."), "subscription")
    if not isinstance(label, str):
        label = ""
    return NewSubscription(
        endpoint=endpoint,
        p256dh=str(keys["p256dh"]).rstrip("="),
        auth=str(keys["auth"]).rstrip("="),
        label=" ".join(label.split())[:MAX_LABEL_LENGTH] or _("My device"),
    )


async def read_subscription(
    data: object, label: object, allowed_hosts: Collection[str]
) -> NewSubscription:
    """A subscription whose push service Hub may send to: https on a host whose every address
    is public, or a host the HUB_PUSH_ALLOWED_HOSTS setting names."""
    subscription = parse_subscription(data, label, allowed_hosts)
    _refuse_address(await check_endpoint(subscription.endpoint, allowed_hosts))
    return subscription


async def do_subscribe(user_id: int, subscription: NewSubscription) -> int:
    """Store a device; the same endpoint again (even from another account on a shared phone)
    updates the one row, which then belongs to this user."""
    async with write_transaction():
        existing = await PushSubscription.select(PushSubscription.id).where(
            PushSubscription.endpoint == subscription.endpoint
        )
        if existing:
            await PushSubscription.update(
                {
                    PushSubscription.user: user_id,
                    PushSubscription.p256dh: subscription.p256dh,
                    PushSubscription.auth: subscription.auth,
                    PushSubscription.label: subscription.label,
                }
            ).where(PushSubscription.id == existing[0]["id"])
            return int(existing[0]["id"])
        rows = await PushSubscription.insert(
            PushSubscription(
                user=user_id,
                endpoint=subscription.endpoint,
                p256dh=subscription.p256dh,
                auth=subscription.auth,
                label=subscription.label,
            )
        ).returning(PushSubscription.id)
        return int(rows[0]["id"])


async def do_remove_device(user_id: int, subscription_id: int) -> bool:
    """Forget one of the user's own devices; someone else's, or one already gone, is left
    alone (and says nothing about whether it exists)."""
    async with write_transaction():
        rows = (
            await PushSubscription.delete()
            .where((PushSubscription.id == subscription_id) & (PushSubscription.user == user_id))
            .returning(PushSubscription.id)
        )
    return bool(rows)


def no_device_message() -> str:
    return _(
        "No test was sent: no device gets your notifications yet. Turn them on for this device "
        "above first."
    )


def too_many_tests_message() -> str:
    return _(
        "You can send yourself %(count)s test notifications in %(minutes)s minutes. Please wait "
        "a few minutes before the next one.",
        count=TEST_LIMIT,
        minutes=int(TEST_WINDOW.total_seconds() // 60),
    )


async def do_send_test(user_id: int) -> int:
    """Queue a test notification; returns how many devices it goes to. Refused (field
    "devices") when the user has no device, or (field "test") after TEST_LIMIT tests in the
    last TEST_WINDOW."""
    now = clock.now()
    async with write_transaction():
        devices = await PushSubscription.count().where(PushSubscription.user == user_id)
        if not devices:
            raise Refused(no_device_message(), "devices")
        recent = await Notification.count().where(
            (Notification.user == user_id)
            & (Notification.kind == TEST)
            & (Notification.created_at >= now - TEST_WINDOW)
        )
        if recent >= TEST_LIMIT:
            raise Refused(too_many_tests_message(), "test")
        await notify([user_id], TEST, params={"at": now.isoformat()}, url=SETTINGS_PATH, due_at=now)
    return devices


async def do_save_settings(
    user_id: int,
    *,
    enabled: Collection[str],
    quiet: tuple[time, time] | None,
    timezone: str,
) -> None:
    """Keep the user's on/off choice of every optional kind and their quiet hours (None for
    none), in one transaction."""
    async with write_transaction():
        await NotificationPreference.delete().where(NotificationPreference.user == user_id)
        await NotificationPreference.insert(
            *[
                NotificationPreference(user=user_id, kind=kind, enabled=kind in enabled)
                for kind in optional_kinds()
            ]
        )
        await QuietHours.delete().where(QuietHours.user == user_id)
        if quiet is not None:
            await QuietHours.insert(
                QuietHours(user=user_id, start_time=quiet[0], end_time=quiet[1], timezone=timezone)
            )
