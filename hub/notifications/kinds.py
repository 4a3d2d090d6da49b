"""The kinds of notification and how the push service should treat each.

Each area declares the kinds it sends (`kinds` in its area.py: a key and its KindSpec) and
hub.areas.install() hands them to install_kinds(); the outbox, the worker and the settings page
read them here. The key is what the outbox and the preferences store: it never changes once a
kind has been sent."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hub.i18n import _

HOUR = 60 * 60
DAY = 24 * HOUR
KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")  # as the outbox and preferences store it
TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
URGENCIES = ("very-low", "low", "normal", "high")

TextMaker = Callable[[Mapping[str, Any]], tuple[str, str]]  # params: (title, body)


@dataclass(frozen=True, slots=True)
class KindSpec:
    """`text` makes the (title, body) of a notification from its params, in the current
    language. `ttl` is how long (seconds) the push service keeps the message for an offline
    phone; `urgency` is RFC 8030's very-low/low/normal/high; `topic`, when set, makes a newer
    message of the kind replace an undelivered older one (only for kinds where the latest is all
    that matters); `label` names the kind on the settings page, where a user may turn off the
    `optional` ones. A notification is worth sending for `lifetime` after it is due, and no
    longer than the moment its `ends_with` parameter names (a shift reminder is useless once the
    shift has started); the worker retries until then."""

    text: TextMaker
    ttl: int
    urgency: str
    label: str
    lifetime: timedelta
    ends_with: str | None = None
    topic: str | None = None
    ignores_quiet_hours: bool = False
    optional: bool = True


class UnknownKind(LookupError):
    """No area declares a kind by this key (a typo, or a row of a kind since retired)."""


_kinds: dict[str, KindSpec] = {}


def install_kinds(declared: list[tuple[str, KindSpec]]) -> None:
    """Take the kinds every area declares, in the order of the area list and of each area's
    declaration (the order of the settings page). A key declared twice, or a spec the push
    service would refuse, stops the start."""
    kinds: dict[str, KindSpec] = {}
    for key, spec in declared:
        if key in kinds:
            raise ValueError(f"notification kind {key!r} is declared twice")
        if not KEY.match(key):
            raise ValueError(f"notification kind {key!r}: a key is lowercase letters and _")
        if spec.urgency not in URGENCIES:
            raise ValueError(f"notification kind {key!r}: urgency {spec.urgency!r}")
        if spec.topic is not None and not TOPIC.match(spec.topic):
            raise ValueError(f"notification kind {key!r}: topic {spec.topic!r}")
        kinds[key] = spec
    _kinds.clear()
    _kinds.update(kinds)


def known_kinds() -> list[str]:
    return list(_kinds)


def spec_of(kind: str) -> KindSpec:
    try:
        return _kinds[kind]
    except KeyError:
        raise UnknownKind(f"no area declares the notification kind {kind!r}") from None


def expires_at(kind: str, params: Mapping[str, Any], due_at: datetime) -> datetime:
    """When a notification due at `due_at` stops being worth sending."""
    spec = spec_of(kind)
    end = due_at + spec.lifetime
    if spec.ends_with is not None and isinstance(params.get(spec.ends_with), str):
        try:
            moment = datetime.fromisoformat(params[spec.ends_with])
        except ValueError:
            return end
        if moment.tzinfo is not None:
            end = min(end, moment)
    return end


def label_of(kind: str) -> str:
    """The kind's name in the current language."""
    return _(spec_of(kind).label)


def optional_kinds() -> list[str]:
    """The kinds a user may turn off, in the order of the settings page."""
    return [kind for kind, spec in _kinds.items() if spec.optional]
