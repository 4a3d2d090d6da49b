"""Every change a person makes to their notifications: devices, preferences, quiet hours, and
the test notification."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from hub.db import write_transaction
from hub.errors import Refused
from hub.notifications.kinds import Kind, optional_kinds
from hub.notifications.outbox import notify
from hub.notifications.tables import NotificationPreference, PushSubscription, QuietHours
from hub.web.i18n import _

MAX_LABEL_LENGTH = 80
MAX_ENDPOINT_LENGTH = 1000
SETTINGS_PATH = "/settings/notifications"


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


def parse_subscription(data: object, label: object = "") -> NewSubscription:
    """A browser's `PushSubscription.toJSON()` checked field by field: an https endpoint, a
    P-256 public key and a 16-byte auth secret. Anything else is refused with a reason."""
    if not isinstance(data, Mapping):
        raise Refused(_("The browser sent no subscription. Please try again."), "subscription")
    endpoint = data.get("endpoint")
    keys = data.get("keys")
    if (
        not isinstance(endpoint, str)
        or len(endpoint) > MAX_ENDPOINT_LENGTH
        or urlsplit(endpoint).scheme != "https"
        or not urlsplit(endpoint).hostname
    ):
        raise Refused(_("The subscription has no valid push address."), "subscription")
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


async def do_send_test(user_id: int) -> int:
    async with write_transaction():
        return await notify(
            [user_id],
            Kind.TEST,
            params={"at": datetime.now(UTC).isoformat()},
            url=SETTINGS_PATH,
        )


async def do_save_settings(
    user_id: int,
    *,
    enabled: Collection[Kind],
    quiet: tuple[time, time] | None,
    timezone: str,
) -> None:
    """Keep the user's on/off choice of every optional kind and their quiet hours (None for
    none), in one transaction."""
    async with write_transaction():
        await NotificationPreference.delete().where(NotificationPreference.user == user_id)
        await NotificationPreference.insert(
            *[
                NotificationPreference(user=user_id, kind=kind.value, enabled=kind in enabled)
                for kind in optional_kinds()
            ]
        )
        await QuietHours.delete().where(QuietHours.user == user_id)
        if quiet is not None:
            await QuietHours.insert(
                QuietHours(user=user_id, start_time=quiet[0], end_time=quiet[1], timezone=timezone)
            )
