"""One clock for Hub (hub.clock): nothing else reads the wall clock, and the tests' `clock`
fixture moves the time that every part of Hub reads."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from inspect import signature
from pathlib import Path

from hub import clock as hub_clock
from hub.events import actions as events
from hub.i18n import current_language
from hub.notifications.worker import run_worker
from hub.patrols import actions as patrols
from hub.tasks import actions as tasks
from hub.web import dates
from tests.stopped_clock import StoppedClock

HUB = Path(__file__).resolve().parent.parent / "hub"
WALL_CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today")}
AT = datetime(2026, 12, 6, 16, 30, tzinfo=UTC)  # 00:30 on 7 December in Shanghai


def test_nothing_but_hub_clock_reads_the_wall_clock() -> None:
    readers = []
    for path in sorted(HUB.rglob("*.py")):
        if path == HUB / "clock.py" or "piccolo_migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in WALL_CLOCK
            ):
                readers.append(f"{path.relative_to(HUB)}:{node.lineno}")
    assert not readers


def test_the_clock_is_the_wall_clock_in_utc() -> None:
    before = datetime.now(UTC)
    moment = hub_clock.now()
    assert before <= moment <= datetime.now(UTC)
    assert moment.utcoffset() == timedelta(0)
    assert hub_clock.server_today() == date.today()


def test_a_local_day_is_the_day_on_the_buildings_clocks() -> None:
    assert hub_clock.local_today("Asia/Shanghai", AT) == date(2026, 12, 7)
    assert hub_clock.local_today("Europe/London", AT) == date(2026, 12, 6)


def test_the_clock_fixture_moves_the_time_every_part_reads(clock: StoppedClock) -> None:
    clock.set(AT)
    assert hub_clock.now() == AT
    assert tasks.now() == events.now() == patrols._now() == AT
    assert hub_clock.local_today("Asia/Shanghai") == date(2026, 12, 7)
    assert signature(run_worker).parameters["clock"].default() == AT  # unless given another
    token = current_language.set("en")
    try:
        assert dates.relative(AT + timedelta(hours=2)) == "in 2 hours"
        clock.move(timedelta(hours=3))
        assert hub_clock.now() == AT + timedelta(hours=3)
        assert dates.relative(AT + timedelta(hours=2)) == "1 hour ago"
    finally:
        current_language.reset(token)
