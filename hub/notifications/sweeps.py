"""The periodic sweeps the areas declare (`Periodic` in each area.py), installed once by
hub.areas.install(); the worker runs them about once a minute, or less often where a sweep says
so."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from hub.area import Periodic, Sweep

log = logging.getLogger(__name__)
_sweeps: list[Periodic] = []


def install_sweeps(sweeps: Iterable[Periodic]) -> None:
    _sweeps[:] = list(sweeps)


async def run_sweeps(now: datetime, last_runs: dict[Sweep, datetime] | None = None) -> None:
    """Run the installed sweeps; one that fails is logged and does not stop the others.

    `last_runs` is the worker's memory of when each sweep last ran: a sweep whose `every` has not
    passed since is skipped. Without it every sweep runs (a single run, as `hub worker --once`)."""
    for periodic in list(_sweeps):
        if last_runs is not None:
            last = last_runs.get(periodic.fn)
            if last is not None and now - last < periodic.every:
                continue
            last_runs[periodic.fn] = now
        try:
            await periodic.fn(now)
        except Exception:
            log.exception("notification sweep %s failed", getattr(periodic.fn, "__qualname__", ""))
