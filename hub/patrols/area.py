"""Patrols: routes of checkpoints, the weekly plan of shifts, rounds walked and the log book."""

from __future__ import annotations

from datetime import timedelta

from hub.area import Area, Periodic, Permission, TodaySection
from hub.i18n import N_
from hub.notifications.kinds import DAY, HOUR, KindSpec
from hub.patrols import actions, calendar, notifications, today
from hub.patrols.notifications import MISSED_ROUND, OPEN_PLACES, SHIFT_REMINDER
from hub.patrols.observations import NEW_OBSERVATION
from hub.patrols.tables import CheckInPhoto

AREA = Area(
    name="patrols",
    routes=(
        "hub.patrols.week_routes:router",
        "hub.patrols.plan_routes:router",
        "hub.patrols.round_routes:router",
        "hub.patrols.logbook_routes:router",
    ),
    today=(
        TodaySection(5, today.running_round_section),
        TodaySection(6, today.attention_section),
        TodaySection(7, today.observations_section),
        TodaySection(8, today.my_shifts_section),
    ),
    calendar=(calendar.my_shifts,),
    sweeps=(
        Periodic(notifications.open_places_sweep),
        Periodic(notifications.missed_round_sweep),
        Periodic(actions.extend_schedules_sweep, every=actions.EXTEND_EVERY),
    ),
    kinds={
        SHIFT_REMINDER: KindSpec(
            notifications.shift_reminder_text,
            ttl=2 * HOUR,
            urgency="high",
            label=N_("Reminders of my patrol shifts"),
            lifetime=timedelta(days=1),
            ends_with="starts_at",
        ),
        OPEN_PLACES: KindSpec(
            notifications.open_places_text,
            ttl=4 * HOUR,
            urgency="normal",
            label=N_("Open places on tonight's patrols"),
            lifetime=timedelta(hours=15),
            ends_with="first",
            topic="open-places",
        ),
        MISSED_ROUND: KindSpec(
            notifications.missed_round_text,
            ttl=DAY,
            urgency="normal",
            label=N_("Missed patrol rounds (leaders)"),
            lifetime=timedelta(days=2),
        ),
        NEW_OBSERVATION: KindSpec(
            notifications.new_observation_text,
            ttl=DAY,
            urgency="normal",
            label=N_("New observations from patrols (leaders)"),
            lifetime=timedelta(days=2),
        ),
    },
    photo_columns=lambda: (CheckInPhoto.file,),
    permissions=(
        Permission("patrols.walk", N_("Sign up for patrol shifts and walk rounds")),
        Permission(
            "patrols.plan",
            N_("Plan patrol routes, checkpoints and shifts, and put volunteers on shifts"),
        ),
        Permission(
            "patrols.review",
            N_(
                "Read every round, the whole log book and the coverage, and make repair tasks of"
                " what was seen"
            ),
        ),
    ),
)
