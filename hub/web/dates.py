"""Dates and times as people read them, in the page's language, one helper per kind of date.

Every one goes through Babel's locale-aware skeletons (CLDR), so Chinese reads "12月7日周一 19:00"
and English "Mon 7 Dec, 19:00": the month is always a word or 月, never a number that can be read
as day/month or month/day. The templates reach these as filters (hub/web/templating.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_interval, format_skeleton, format_timedelta

from hub import clock as hub_clock  # dates.clock is the time of day on a page
from hub.i18n import current_language

BABEL_LOCALES = {"zh": "zh_Hans_CN", "en": "en_GB"}
DEFAULT_TIMEZONE = "Asia/Shanghai"


@cache
def _locale_of(language: str) -> Locale:
    return Locale.parse(BABEL_LOCALES.get(language, "zh_Hans_CN"))


def babel_locale() -> Locale:
    return _locale_of(current_language.get())


# A page shows the same few days and times again and again (a week of shifts, to everyone who
# opens it), and Babel's matching of a skeleton to a pattern is the costliest part of rendering
# them: each result is kept. The keys are local wall times without a zone, since two aware
# datetimes of the same instant compare equal whatever their zones.
def _wall(value: date | datetime) -> date | datetime:
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


@lru_cache(maxsize=16384)
def _skeleton(skeleton: str, value: date | datetime, language: str) -> str:
    return format_skeleton(skeleton, value, locale=_locale_of(language))


@lru_cache(maxsize=8192)
def _interval(start: date | datetime, end: date | datetime, skeleton: str, language: str) -> str:
    return format_interval(start, end, skeleton, locale=_locale_of(language))


def _format(skeleton: str, value: date | datetime) -> str:
    return _skeleton(skeleton, _wall(value), current_language.get())


def _format_interval(start: date | datetime, end: date | datetime, skeleton: str) -> str:
    return _interval(_wall(start), _wall(end), skeleton, current_language.get())


def _local(moment: datetime, timezone: str) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone))


def _as_day(value: date | datetime, timezone: str) -> date:
    return _local(value, timezone).date() if isinstance(value, datetime) else value


def _join(day_text: str, time_text: str) -> str:
    """A day and a time joined as the locale joins them ("{1} {0}", "{1}, {0}")."""
    pattern = str(babel_locale().datetime_formats["medium"])
    return pattern.replace("{1}", day_text).replace("{0}", time_text)


def _either_end(first: str, second: str) -> str:
    """Two ends of a range in the locale's fallback pattern: "A - B"."""
    pattern = str(babel_locale().interval_formats.get(None) or "{0} – {1}")
    return pattern.replace("{0}", first).replace("{1}", second)


def day(
    value: date | datetime | str | None,
    timezone: str = DEFAULT_TIMEZONE,
    *,
    today: date | None = None,
) -> str:
    """The day alone: "12月7日周一" / "Mon 7 Dec", with the year when it is not this year's.
    A string is an ISO date, as a task's timeline keeps it."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    shown = _as_day(value, timezone)
    this_year = (today or hub_clock.local_today(timezone)).year
    skeleton = "MMMEd" if shown.year == this_year else "yMMMEd"
    return _format(skeleton, shown)


def long_day(value: date | datetime, timezone: str = DEFAULT_TIMEZONE) -> str:
    """A day heading with the weekday in full where the language has it: "Monday 7 December"."""
    return _format("MMMMEEEEd", _as_day(value, timezone))


def clock(moment: datetime | None, timezone: str = DEFAULT_TIMEZONE) -> str:
    """ "19:00", in the 24-hour clock both languages use here."""
    if moment is None:
        return ""
    return _format("Hm", _local(moment, timezone))


def day_time(
    moment: datetime | None, timezone: str = DEFAULT_TIMEZONE, *, today: date | None = None
) -> str:
    """ "12月7日周一 19:00" / "Mon 7 Dec, 19:00"."""
    if moment is None:
        return ""
    return _join(day(moment, timezone, today=today), clock(moment, timezone))


def clock_span(start: datetime, end: datetime, timezone: str = DEFAULT_TIMEZONE) -> str:
    """The times of a span under a heading that names its day: "19:00-20:00"; one that ends
    on a later day names that day's weekday: "23:00 - Tue 01:00"."""
    local_start, local_end = _local(start, timezone), _local(end, timezone)
    if local_start.date() == local_end.date():
        return _format_interval(local_start, local_end, "Hm")
    return _either_end(clock(start, timezone), _format("EHm", local_end))


def span(
    start: datetime, end: datetime, timezone: str = DEFAULT_TIMEZONE, *, today: date | None = None
) -> str:
    """A span with its day: "Mon 7 Dec, 19:00-20:00"; over midnight both ends in full:
    "Mon 7 Dec, 23:00 - Tue 8 Dec, 01:00"."""
    local_start, local_end = _local(start, timezone), _local(end, timezone)
    if local_start.date() == local_end.date():
        return _join(day(start, timezone, today=today), clock_span(start, end, timezone))
    return _either_end(day_time(start, timezone, today=today), day_time(end, timezone, today=today))


def day_span(first: date, last: date, *, today: date | None = None) -> str:
    """A run of days, such as a week: "12月7日至13日" / "7 - 13 Dec"; the year too when it is
    not this year's."""
    this_year = (today or hub_clock.server_today()).year
    skeleton = "MMMd" if first.year == last.year == this_year else "yMMMd"
    if first == last:
        return _format(skeleton, first)
    return _format_interval(first, last, skeleton)


def duration(start: datetime, end: datetime) -> str:
    """How long from start to end, in minutes up to two hours: "32分钟" / "32 minutes"."""
    return format_timedelta(
        end - start, granularity="minute", threshold=2, format="long", locale=babel_locale()
    )


def relative(moment: datetime | None, *, now: datetime | None = None) -> str:
    """How far from now: "2小时后" / "in 2 hours", "20分钟前" / "20 minutes ago"."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta: timedelta = moment - (now or hub_clock.now())
    return format_timedelta(delta, granularity="minute", add_direction=True, locale=babel_locale())


def machine(value: date | datetime | None) -> str:
    """The value of a `datetime` attribute: ISO 8601 to the second, as HTML wants it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return value.isoformat()
