"""The tests' one way to move time: the `clock` fixture (tests/conftest.py) stops Hub's clock
(hub.clock) at the wall time and moves it only when the test says, for the whole app at once:
actions, queries, pages, sweeps and the worker's default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass
class StoppedClock:
    moment: datetime

    def __call__(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the clock takes an aware moment")
        self.moment = moment.astimezone(UTC)

    def move(self, by: timedelta) -> None:
        self.moment += by
