"""Attempts per client address over the last minute (a sliding window), kept in the database so
that every process and host counts them together.

Each address has one row. The first statement of the transaction writes that row (creating it
if needed), which locks it until the commit (on SQLite the IMMEDIATE transaction locks the whole
database), so two processes counting attempts from one address take turns and lose none.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from hub import clock
from hub.accounts.tables import AttemptLog
from hub.db import write_transaction

_LOCK_SQL = (
    "INSERT INTO hub_attempt_log (address, times, updated_at) VALUES ({}, '[]', {}) "
    "ON CONFLICT (address) DO UPDATE SET updated_at = excluded.updated_at "
    "RETURNING times"
)


async def attempt_allowed(
    address: str, *, limit: int, window: timedelta, now: datetime | None = None
) -> bool:
    """Record an attempt from this address unless it already made `limit` in the window; then
    refuse it (a refused attempt is not recorded, so the address may try again as its older
    attempts leave the window)."""
    now = now or clock.now()
    since = (now - window).timestamp()
    async with write_transaction():
        rows = await AttemptLog.raw(_LOCK_SQL, address, now)
        times = [t for t in json.loads(rows[0]["times"]) if t > since]
        allowed = len(times) < limit
        if allowed:
            times.append(now.timestamp())
        await AttemptLog.update({AttemptLog.times: json.dumps(times)}).where(
            AttemptLog.address == address
        )
        if len(times) <= 1:  # a new run of attempts: forget the addresses that stopped long ago
            await AttemptLog.delete().where(AttemptLog.updated_at < now - 2 * window)
    return allowed


async def forget_attempts() -> None:
    await AttemptLog.delete(force=True)
