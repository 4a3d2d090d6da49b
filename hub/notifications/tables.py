from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from hub.accounts.tables import User


class PushSubscription(Table, tablename="hub_push_subscription"):
    """One browser on one device that agreed to receive a user's notifications."""

    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    endpoint = Varchar(length=1000, unique=True)
    p256dh = Varchar(length=200)
    auth = Varchar(length=100)
    label = Varchar(length=80, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_success_at = Timestamptz(null=True, default=None)


class Notification(Table, tablename="hub_notification"):
    """The durable outbox: one row per notification for one user, written in the transaction of
    the change that causes it and delivered by the worker. `state` is pending, sent, skipped
    (the user turned the kind off), no_device or failed. A worker claims a row by setting
    `claimed_until` and `claim_token`; a claim that expires (the worker died) is taken again."""

    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=32)
    params = JSON(default="{}")
    url = Varchar(length=500, default="/")
    key = Varchar(length=200, null=True, default=None)
    due_at = Timestamptz(default=TimestamptzNow())
    state = Varchar(length=16, default="pending")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    claimed_until = Timestamptz(null=True, default=None)
    claim_token = Varchar(length=32, null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class NotificationPreference(Table, tablename="hub_notification_preference"):
    """A user's choice for one kind; a kind without a row is on."""

    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=32)
    enabled = Boolean(default=True)


class QuietHours(Table, tablename="hub_quiet_hours"):
    """A user's nightly quiet hours in local time; no row means none. `start_time` after `end_time`
    spans midnight (22:00 to 07:00)."""

    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, unique=True)
    start_time = Time()
    end_time = Time()
    timezone = Varchar(length=64, default="Asia/Shanghai")


class NotificationDelivery(Table, tablename="hub_notification_delivery"):
    """One notification accepted by the push service for one device, written as soon as the
    service says so: a worker that takes a notification over from another sends it only to the
    devices without a row here. `subscription` is a plain id, so the record outlives a device
    that is later removed."""

    id: Serial
    notification = ForeignKey(references=Notification, on_delete=OnDelete.cascade)
    subscription = Integer()
    delivered_at = Timestamptz(default=TimestamptzNow())


class PushOutage(Table, tablename="hub_push_outage"):
    """A push service (an endpoint origin) in trouble: `failures` sends in a row found it
    unavailable. From OUTAGE_AFTER failures it is down: until `retry_at` the worker sends it
    nothing and the notifications for it wait without using up attempts, then one message
    probes it. The row goes as soon as the service answers again."""

    id: Serial
    origin = Varchar(length=300, unique=True)
    since = Timestamptz(default=TimestamptzNow())
    failures = Integer(default=0)
    retry_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
