"""Reading the patrol forms: times of day, weekdays, dates, sizes."""

from __future__ import annotations

import re
from datetime import date

from hub.patrols.actions import WeeklyPlan
from hub.patrols.schedule_times import WEEKDAYS
from hub.web.forms import Form
from hub.web.i18n import _

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MAX_DURATION_MINUTES = 12 * 60
MAX_VOLUNTEERS = 20


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
    try:
        return date.fromisoformat(raw)
    except ValueError:
        form.error(name, _("Please give a date such as 2026-12-01."))
        return None


def number(form: Form, name: str, *, low: int, high: int) -> int:
    raw = form.raw(name).strip()
    if raw.isdigit() and low <= int(raw) <= high:
        return int(raw)
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


def coordinate(raw: str, limit: float) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if -limit <= value <= limit else None


def minutes_to_time(minutes: int) -> str:
    hours, rest = divmod(minutes % (24 * 60), 60)
    return f"{hours:02d}:{rest:02d}"
