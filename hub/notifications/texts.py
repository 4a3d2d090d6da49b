"""The words of notifications: each kind's `text` (declared with the kind in its area's area.py),
rendered by the worker in the recipient's language at delivery time, and the shared way of
writing a moment in them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hub.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, current_language
from hub.notifications.kinds import spec_of

WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def render(kind: str, params: Mapping[str, Any], language: str) -> tuple[str, str]:
    """(title, body) of a notification in `language` ('' or unknown means the default); an
    undeclared kind raises UnknownKind."""
    maker = spec_of(kind).text
    token = current_language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        return maker(params)
    finally:
        current_language.reset(token)


def when_text(iso: str, timezone: str) -> str:
    """An ISO-8601 datetime as the recipient reads it in `timezone`: "12月6日 周日 19:00" or
    "Sun 6 Dec 19:00". A naive datetime is taken as UTC."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    local = moment.astimezone(ZoneInfo(timezone))
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if current_language.get() == "en":
        return f"{WEEKDAYS_EN[local.weekday()]} {local.day} {MONTHS_EN[local.month - 1]} {clock}"
    return f"{local.month}月{local.day}日 {WEEKDAYS_ZH[local.weekday()]} {clock}"


def test_text(params: Mapping[str, Any]) -> tuple[str, str]:
    return _("Hub test notification"), _("Notifications work on this device.")
