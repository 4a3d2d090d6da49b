"""Push services in trouble, as one worker sees them and as every worker shares them through
`hub_push_outage`.

A service (an endpoint origin) is down once OUTAGE_AFTER sends in a row, by any worker, found
it unavailable (no answer in time, no connection, 5xx, 429). While it is down nothing is sent
to it and the notifications for it wait without using up their attempts. When its `retry_at`
comes, one message probes it while the others for it wait for the answer: a failed probe
doubles the wait (30 s up to 5 minutes, or longer when the service asks with Retry-After); an
answer ends the trouble and everything waiting goes out.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.notifications.push import Sent
from hub.notifications.tables import PushOutage

OUTAGE_AFTER = 3
FIRST_PROBE_WAIT = timedelta(seconds=30)
LONGEST_PROBE_WAIT = timedelta(minutes=5)
LONGEST_RETRY_AFTER = timedelta(hours=1)
PROBE = "probe"
SEND = "send"


@dataclass(frozen=True, slots=True)
class Trouble:
    """`failures` in a row; `retry_at` is set once that makes the service down."""

    failures: int
    retry_at: datetime | None
    last_error: str


@dataclass(frozen=True, slots=True)
class Wait:
    """Send nothing to this service before `until`; `tried` when a message went out and found
    the service down, with what it said in `detail`."""

    until: datetime
    tried: bool = False
    detail: str = ""


def probe_wait(probes: int, retry_after: float | None = None) -> timedelta:
    """How long to leave a service alone after its n-th failed probe (0: it just went down)."""
    wait = min(FIRST_PROBE_WAIT * 2**probes, LONGEST_PROBE_WAIT)
    if retry_after is not None:
        wait = max(wait, min(timedelta(seconds=retry_after), LONGEST_RETRY_AFTER))
    return wait


class Outages:
    """One worker's view of the services in trouble, and the changes it has yet to write."""

    def __init__(self) -> None:
        self.known: dict[str, Trouble] = {}
        self.changed: dict[str, Trouble | None] = {}
        self.probes: dict[str, asyncio.Future[None]] = {}

    async def load(self) -> None:
        """Read what every worker knows; this worker's unwritten changes stay on top."""
        rows = await PushOutage.select(
            PushOutage.origin, PushOutage.failures, PushOutage.retry_at, PushOutage.last_error
        )
        known = {
            row["origin"]: Trouble(row["failures"], row["retry_at"], row["last_error"])
            for row in rows
        }
        for origin, change in self.changed.items():
            if change is None:
                known.pop(origin, None)
            else:
                known[origin] = change
        self.known = known

    def waiting(self, origin: str, now: datetime) -> Wait | None:
        trouble = self.known.get(origin)
        if trouble is not None and trouble.retry_at is not None and trouble.retry_at > now:
            return Wait(trouble.retry_at)
        return None

    async def gate(self, origin: str, now: datetime) -> str | Wait:
        """SEND, PROBE (this send tells whether the service is back) or Wait."""
        while origin in self.probes:
            await asyncio.shield(self.probes[origin])
        trouble = self.known.get(origin)
        if trouble is None or trouble.retry_at is None:
            return SEND
        wait = self.waiting(origin, now)
        if wait is not None:
            return wait
        self.probes[origin] = asyncio.get_running_loop().create_future()
        return PROBE

    def observe(self, origin: str, sent: Sent | None, now: datetime, *, probe: bool) -> None:
        """Learn from one send's result (None: a probe that sent nothing after all)."""
        if sent is not None and sent.result == "unavailable":
            trouble = self.known.get(origin)
            failures = (trouble.failures if trouble else 0) + 1
            retry_at = trouble.retry_at if trouble else None
            if probe or (retry_at is None and failures >= OUTAGE_AFTER):
                wait = probe_wait(max(failures - OUTAGE_AFTER, 0), sent.retry_after)
                retry_at = now + wait
            self._change(origin, Trouble(failures, retry_at, sent.detail))
        elif sent is not None and sent.result != "refused" and origin in self.known:
            self._change(origin, None)
        if probe:
            future = self.probes.pop(origin, None)
            if future is not None and not future.done():
                future.set_result(None)

    def _change(self, origin: str, trouble: Trouble | None) -> None:
        self.changed[origin] = trouble
        if trouble is None:
            self.known.pop(origin, None)
        else:
            self.known[origin] = trouble

    def take_changes(self) -> dict[str, Trouble | None]:
        changes, self.changed = self.changed, {}
        return changes

    def put_back(self, changes: dict[str, Trouble | None]) -> None:
        """Changes whose write failed: they are written with the next ones."""
        self.changed = {**changes, **self.changed}


async def write_changes(changes: dict[str, Trouble | None], now: datetime) -> None:
    """Record trouble begun, grown or ended, inside the caller's transaction."""
    ended = [origin for origin, trouble in changes.items() if trouble is None]
    if ended:
        await PushOutage.delete().where(PushOutage.origin.is_in(ended))
    for origin, trouble in changes.items():
        if trouble is None:
            continue
        await PushOutage.insert(
            PushOutage(
                origin=origin,
                since=now,
                failures=trouble.failures,
                retry_at=trouble.retry_at,
                last_error=trouble.last_error,
            )
        ).on_conflict(
            target=PushOutage.origin,
            action="DO UPDATE",
            values=[PushOutage.failures, PushOutage.retry_at, PushOutage.last_error],
        )
