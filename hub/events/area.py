"""Events and notices: what leaders announce, and residents' answers."""

from __future__ import annotations

from datetime import timedelta

from hub.area import Area, Periodic, Permission, TodaySection
from hub.events import calendar, notifications, today
from hub.events.notifications import (
    EVENT_CANCELLED,
    EVENT_REMINDER,
    URGENT_NOTICE,
    WAITLIST_PROMOTION,
)
from hub.events.tables import Event, Notice
from hub.i18n import N_
from hub.notifications.kinds import DAY, KindSpec

AREA = Area(
    name="events",
    routes=("hub.events.event_routes:router", "hub.events.notice_routes:router"),
    today=(
        TodaySection(20, today.notices_section),
        TodaySection(25, today.events_section),
    ),
    calendar=(calendar.answered_events,),
    sweeps=(Periodic(notifications.event_reminder_sweep),),
    kinds={
        EVENT_REMINDER: KindSpec(
            notifications.event_reminder_text,
            ttl=DAY,
            urgency="normal",
            label=N_("Reminders of events I am going to"),
            lifetime=timedelta(days=2),
            ends_with="starts_at",
        ),
        WAITLIST_PROMOTION: KindSpec(
            notifications.waitlist_promotion_text,
            ttl=2 * DAY,
            urgency="high",
            label=N_("A place for me from a waitlist"),
            lifetime=timedelta(days=7),
            ends_with="starts_at",
        ),
        EVENT_CANCELLED: KindSpec(
            notifications.event_cancelled_text,
            ttl=2 * DAY,
            urgency="high",
            label=N_("Cancelled events"),
            lifetime=timedelta(days=7),
            ends_with="starts_at",
        ),
        URGENT_NOTICE: KindSpec(
            notifications.urgent_notice_text,
            ttl=DAY,
            urgency="high",
            label=N_("Urgent notices"),
            lifetime=timedelta(days=2),
            ignores_quiet_hours=True,
        ),
    },
    photo_columns=lambda: (Event.cover, Notice.photo),
    permissions=(
        Permission("events.attend", N_("See the building's events and answer them")),
        Permission(
            "events.manage", N_("Announce, change and cancel events, and see who is coming")
        ),
        Permission(
            "events.community_wide",
            N_("Announce community-wide events and notices, and manage their answers"),
        ),
        Permission("notices.read", N_("Read the building's notice board")),
        Permission("notices.manage", N_("Post, change and take down notices")),
    ),
)
