"""The kinds of notification and how the push service should treat each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from hub.web.i18n import N_, _

HOUR = 60 * 60
DAY = 24 * HOUR
TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class Kind(StrEnum):
    SHIFT_REMINDER = "shift_reminder"  # to a volunteer, before their shift
    OPEN_PLACES = "open_places"  # tonight's shifts have open places
    MISSED_ROUND = "missed_round"  # to leaders
    NEW_OBSERVATION = "new_observation"  # to leaders
    TASK_ASSIGNED = "task_assigned"
    TASK_STATUS = "task_status"  # to the reporter
    TASK_FOLLOW_UP = "task_follow_up"  # "is it fixed?" a week after done
    EVENT_REMINDER = "event_reminder"  # the day before
    WAITLIST_PROMOTION = "waitlist_promotion"
    EVENT_CANCELLED = "event_cancelled"
    URGENT_NOTICE = "urgent_notice"  # ignores quiet hours
    TEST = "test"  # "send me a test notification"


@dataclass(frozen=True, slots=True)
class KindSpec:
    """`ttl` is how long (seconds) the push service keeps the message for an offline phone;
    `urgency` is RFC 8030's very-low/low/normal/high; `topic`, when set, makes a newer message
    of the kind replace an undelivered older one (only for kinds where the latest is all that
    matters); `label` names the kind on the settings page."""

    ttl: int
    urgency: str
    label: str
    topic: str | None = None
    ignores_quiet_hours: bool = False
    optional: bool = True


SPECS: dict[Kind, KindSpec] = {
    Kind.SHIFT_REMINDER: KindSpec(2 * HOUR, "high", N_("Reminders of my patrol shifts")),
    Kind.OPEN_PLACES: KindSpec(
        4 * HOUR, "normal", N_("Open places on tonight's patrols"), topic="open-places"
    ),
    Kind.MISSED_ROUND: KindSpec(DAY, "normal", N_("Missed patrol rounds (leaders)")),
    Kind.NEW_OBSERVATION: KindSpec(DAY, "normal", N_("New observations from patrols (leaders)")),
    Kind.TASK_ASSIGNED: KindSpec(3 * DAY, "normal", N_("Repair tasks given to me")),
    Kind.TASK_STATUS: KindSpec(3 * DAY, "low", N_("Progress on problems I reported")),
    Kind.TASK_FOLLOW_UP: KindSpec(7 * DAY, "low", N_("Asking whether a repair holds")),
    Kind.EVENT_REMINDER: KindSpec(DAY, "normal", N_("Reminders of events I am going to")),
    Kind.WAITLIST_PROMOTION: KindSpec(2 * DAY, "high", N_("A place for me from a waitlist")),
    Kind.EVENT_CANCELLED: KindSpec(2 * DAY, "high", N_("Cancelled events")),
    Kind.URGENT_NOTICE: KindSpec(DAY, "high", N_("Urgent notices"), ignores_quiet_hours=True),
    Kind.TEST: KindSpec(
        HOUR,
        "normal",
        N_("Test notifications"),
        topic="test",
        ignores_quiet_hours=True,
        optional=False,
    ),
}

assert set(SPECS) == set(Kind)
assert all(spec.topic is None or TOPIC.match(spec.topic) for spec in SPECS.values())


def spec_of(kind: Kind | str) -> KindSpec:
    return SPECS[Kind(kind)]


def label_of(kind: Kind | str) -> str:
    """The kind's name in the current language."""
    return _(spec_of(kind).label)


def optional_kinds() -> list[Kind]:
    """The kinds a user may turn off, in the order of the settings page."""
    return [kind for kind, spec in SPECS.items() if spec.optional]
