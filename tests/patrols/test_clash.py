"""The clash rule: which of my other shifts overlaps the one I just took, called directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub.patrols.schedule_times import first_overlap

SEVEN = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)


@dataclass
class Slot:
    id: int
    starts_at: datetime
    ends_at: datetime


def slot(shift_id: int, start_hours: float, hours: float = 1) -> Slot:
    starts = SEVEN + timedelta(hours=start_hours)
    return Slot(shift_id, starts, starts + timedelta(hours=hours))


def test_an_overlapping_shift_is_the_clash_and_the_shift_itself_is_not() -> None:
    taken = slot(1, 0, 2)
    assert first_overlap(taken, [taken]) is None
    assert first_overlap(taken, [taken, slot(2, 1)]) == slot(2, 1)
    assert first_overlap(taken, [slot(3, -0.5), slot(2, 1)]) == slot(3, -0.5)


def test_shifts_that_only_touch_do_not_clash() -> None:
    taken = slot(1, 0, 2)
    assert first_overlap(taken, [slot(2, 2), slot(3, -1)]) is None
    assert first_overlap(taken, []) is None
