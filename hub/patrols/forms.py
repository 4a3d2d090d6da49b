"""Reading the patrol forms: routes and checkpoints, times of day, weekdays, dates, sizes,
check-ins and the reasons for skipped checkpoints."""

from __future__ import annotations

import re
from datetime import date

from hub.forms import Form, device_time, sane_day, whole_number
from hub.i18n import _
from hub.media.images import StoredImage
from hub.patrols.actions import MAX_NOTE_LENGTH, CheckInInput, WeeklyPlan
from hub.patrols.schedule_times import MAX_DURATION_MINUTES, WEEKDAYS

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MAX_VOLUNTEERS = 20
NAME_LENGTH = 80
LOCATION_LENGTH = 200
NOTE_LENGTH = MAX_NOTE_LENGTH


def route_settings(form: Form) -> tuple[str, bool, bool]:
    """A route's name, whether it is walked in order, and whether it may be walked off shift."""
    return (
        form.text("name", max_length=NAME_LENGTH),
        form.flag("in_order"),
        form.flag("allow_unscheduled"),
    )


def checkpoint(form: Form) -> tuple[str, str]:
    """A checkpoint's name and where it is."""
    return (
        form.text("name", max_length=NAME_LENGTH),
        form.text("location", max_length=LOCATION_LENGTH, required=False),
    )


def time_of_day(form: Form, name: str) -> int:
    """Minutes after midnight for "HH:MM"."""
    match = _TIME.match(form.raw(name).strip())
    if not match:
        form.error(name, _("Please give a time such as 19:00."))
        return 0
    return int(match[1]) * 60 + int(match[2])


def day(form: Form, name: str, *, required: bool = True) -> date | None:
    raw = form.raw(name).strip()
    if not raw and not required:
        return None
    value = sane_day(raw)
    if value is None:
        form.error(name, _("Please give a date such as 2026-12-01."))
    return value


def number(form: Form, name: str, *, low: int, high: int) -> int:
    value = whole_number(form.raw(name), high)
    if value is not None and value >= low:
        return value
    form.error(name, _("Please give a number from %(low)s to %(high)s.", low=low, high=high))
    return low


def weekly_plan(form: Form) -> WeeklyPlan | None:
    weekdays = "".join(form.choices("weekdays", list(WEEKDAYS)))
    if not weekdays and "weekdays" not in form.errors:
        form.error("weekdays", _("Please choose at least one day."))
    start_minute = time_of_day(form, "start")
    end_minute = time_of_day(form, "end")
    duration = (end_minute - start_minute) % (24 * 60)
    if "end" not in form.errors and not 0 < duration <= MAX_DURATION_MINUTES:
        form.error("end", _("A shift lasts between a minute and 12 hours."))
    volunteers = number(form, "volunteers", low=1, high=MAX_VOLUNTEERS)
    starts_on = day(form, "starts_on")
    ends_on = day(form, "ends_on", required=False)
    if starts_on and ends_on and ends_on < starts_on:
        form.error("ends_on", _("The last day comes before the first."))
    if not form.ok or starts_on is None:
        return None
    return WeeklyPlan(
        weekdays=weekdays,
        start_minute=start_minute,
        duration_minutes=duration,
        volunteers=volunteers,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def check_in_input(form: Form, *, manual: bool, photo: StoredImage | None = None) -> CheckInInput:
    return CheckInInput(
        client_uuid=form.raw("client_uuid"),
        device_time=device_time(form.raw("device_time")),
        manual=manual,
        note=form.text("note", max_length=NOTE_LENGTH, required=False, multiline=True),
        latitude=coordinate(form.raw("latitude"), 90),
        longitude=coordinate(form.raw("longitude"), 180),
        photo=photo,
    )


def skip_reasons(form: Form) -> dict[int, str]:
    """Why each checkpoint left out of a round was skipped, from its "skip-<id>" field."""
    reasons: dict[int, str] = {}
    for key, values in form.data.items():
        checkpoint_id = whole_number(key.removeprefix("skip-")) if key.startswith("skip-") else None
        if checkpoint_id is not None and values[0].strip():
            reasons[checkpoint_id] = values[0].strip()[:NOTE_LENGTH]
    return reasons


def coordinate(raw: str, limit: float) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if -limit <= value <= limit else None


def minutes_to_time(minutes: int) -> str:
    hours, rest = divmod(minutes % (24 * 60), 60)
    return f"{hours:02d}:{rest:02d}"
