"""Notifications: push subscriptions, preferences, quiet hours and the test notification, the
one kind this area sends itself."""

from __future__ import annotations

from datetime import timedelta

from hub.area import Area
from hub.i18n import N_
from hub.notifications.actions import TEST
from hub.notifications.kinds import HOUR, KindSpec
from hub.notifications.texts import test_text

AREA = Area(
    name="notifications",
    routes=("hub.notifications.routes:router",),
    kinds={
        TEST: KindSpec(
            test_text,
            ttl=HOUR,
            urgency="normal",
            label=N_("Test notifications"),
            lifetime=timedelta(hours=1),
            topic="test",
            ignores_quiet_hours=True,
            optional=False,
        ),
    },
)
