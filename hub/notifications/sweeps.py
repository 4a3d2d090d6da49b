"""Periodic producers registered by the areas; the worker runs them about once a minute."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

Sweep = Callable[[datetime], Awaitable[None]]
_sweeps: list[Sweep] = []
log = logging.getLogger(__name__)


def sweep(fn: Sweep) -> Sweep:
    """Register `fn(now)`: it finds what has become due and calls notify() with a key, so that
    running it again sends nothing twice."""
    if fn not in _sweeps:
        _sweeps.append(fn)
    return fn


async def run_sweeps(now: datetime) -> None:
    """Run every registered sweep; one that fails is logged and does not stop the others."""
    for fn in list(_sweeps):
        try:
            await fn(now)
        except Exception:
            log.exception("notification sweep %s failed", getattr(fn, "__qualname__", fn))
