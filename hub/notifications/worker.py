"""The delivery worker: claims due outbox rows, checks preferences, quiet hours and expiry,
renders the words in each recipient's language and pushes them to every device of the
recipient that has not had them yet.

Rows flow through a worker a few hundred at a time, each on its own: a push service that is
slow or never answers holds only the rows for its devices, for at most SEND_SECONDS per try.
What the worker learns is written a few times a second (hub.notifications.ledger), together
with the renewal of its claims (hub.notifications.claims), which therefore last as long as the
worker works. A row that fails is tried again with a growing delay for as long as its kind
says it matters (hub.notifications.kinds.expires_at); a push service that is down is probed
instead of being sent every waiting row (hub.notifications.outages).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic
from typing import Any

from hub.clock import now
from hub.i18n import DEFAULT_LANGUAGE, LANGUAGES
from hub.notifications import claims, ledger
from hub.notifications.kinds import UnknownKind, expires_at, spec_of
from hub.notifications.outages import PROBE, Outages, Wait
from hub.notifications.outbox import PENDING
from hub.notifications.push import Endpoint, Pusher, Sent, origin_of
from hub.notifications.quiet import quiet_until
from hub.notifications.sweeps import Sweep, run_sweeps
from hub.notifications.tables import (
    NotificationDelivery,
    NotificationPreference,
    PushSubscription,
    QuietHours,
)
from hub.notifications.texts import render
from hub.settings import Settings, get_settings

SENT = "sent"
SKIPPED = "skipped"
NO_DEVICE = "no_device"
FAILED = "failed"
EXPIRED = "expired"

CLAIM_SECONDS = 120.0
RENEWALS_PER_CLAIM = 4
CLAIM_MARGIN_SECONDS = 1.0
ROWS_IN_FLIGHT = 256
CONCURRENT_SENDS = 64
WRITE_EVERY_SECONDS = 0.05
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
POLL_SECONDS = 2.0
SWEEP_SECONDS = 60.0
STOP_GRACE_SECONDS = 10.0
WAITING_FOR_SERVICE = "waiting for the push service to answer again"

log = logging.getLogger(__name__)


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the n-th failed attempt: 30 s, 1 min, 2 min, ... up to an hour."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def payload_of(row: dict[str, Any], params: dict[str, Any], language: str) -> str:
    """The JSON the service worker shows: title, body, url, tag, kind and lang."""
    kind = row["kind"]
    title, body = render(kind, params, language)
    tag = spec_of(kind).topic or row["key"] or f"{kind}-{row['id']}"
    return json.dumps(
        {
            "title": title,
            "body": body,
            "url": row["url"],
            "tag": tag,
            "kind": kind,
            "lang": language,
        },
        ensure_ascii=False,
    )


def params_of(row: dict[str, Any]) -> dict[str, Any]:
    params = row["params"]
    if isinstance(params, str):
        params = json.loads(params or "{}")
    return params if isinstance(params, dict) else {}


@dataclass
class Context:
    """What the rows of one claim need to know about their recipients."""

    languages: dict[int, str]
    muted: set[tuple[int, str]]
    quiet: dict[int, datetime]
    devices: dict[int, list[tuple[int, Endpoint]]]
    delivered: dict[int, set[int]]


async def _context(rows: list[dict[str, Any]], now: datetime) -> Context:
    user_ids = sorted({row["user"] for row in rows})
    languages: dict[int, str] = {}
    devices: dict[int, list[tuple[int, Endpoint]]] = defaultdict(list)
    for row in await PushSubscription.select(
        PushSubscription.id,
        PushSubscription.user,
        PushSubscription.endpoint,
        PushSubscription.p256dh,
        PushSubscription.auth,
        PushSubscription.user.language.as_alias("language"),
    ).where(PushSubscription.user.is_in(user_ids)):
        languages[row["user"]] = row["language"]
        devices[row["user"]].append(
            (row["id"], Endpoint(row["endpoint"], row["p256dh"], row["auth"]))
        )
    muted = {
        (row["user"], row["kind"])
        for row in await NotificationPreference.select(
            NotificationPreference.user, NotificationPreference.kind
        ).where(
            NotificationPreference.user.is_in(user_ids) & (NotificationPreference.enabled == False)  # noqa: E712 - a SQL comparison
        )
    }
    quiet: dict[int, datetime] = {}
    for row in await QuietHours.select().where(QuietHours.user.is_in(user_ids)):
        until = quiet_until(now, row["start_time"], row["end_time"], row["timezone"])
        if until is not None:
            quiet[row["user"]] = until
    delivered: dict[int, set[int]] = defaultdict(set)
    tried = [row["id"] for row in rows if row["attempts"] or row["taken_over"]]
    if tried:
        for row in await NotificationDelivery.select(
            NotificationDelivery.notification, NotificationDelivery.subscription
        ).where(NotificationDelivery.notification.is_in(tried)):
            delivered[row["notification"]].add(row["subscription"])
    return Context(languages, muted, quiet, devices, delivered)


LOST = "lost"  # the row's claim is no longer this worker's


class Courier:
    """One worker's deliveries: its claims, the rows in flight and what it has yet to write."""

    def __init__(
        self,
        pusher: Pusher,
        clock: Callable[[], datetime],
        *,
        rows_in_flight: int = ROWS_IN_FLIGHT,
        concurrent_sends: int = CONCURRENT_SENDS,
    ) -> None:
        self.pusher = pusher
        self.clock = clock
        self.capacity = rows_in_flight
        self.token = secrets.token_hex(8)
        self.held: dict[int, datetime] = {}  # row id: when its claim ends, as last written
        self.lost: set[int] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.ledger = ledger.Ledger()
        self.outages = Outages()
        self.sends = asyncio.Semaphore(concurrent_sends)
        self.news = asyncio.Event()
        self.progress = asyncio.Event()
        self.written = asyncio.Event()
        self.writing = asyncio.Lock()
        self.stopping = False
        self.handled = 0

    # Claims and writes ------------------------------------------------------------------------

    def _claim_until(self, now: datetime) -> datetime:
        return now + timedelta(seconds=CLAIM_SECONDS)

    async def _claim(self, limit: int) -> int:
        now = self.clock()
        until = self._claim_until(now)
        rows = await claims.claim_due(self.token, now, until, limit=limit)
        if not rows:
            return 0
        for row in rows:
            self.held[row["id"]] = until
        await self.outages.load()
        context = await _context(rows, now)
        for row in rows:
            task = asyncio.create_task(self._handle(row, context))
            self.tasks.add(task)
            task.add_done_callback(self._done)
        return len(rows)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        self.news.set()
        self.progress.set()

    async def _write(self) -> None:
        """Write what was learned and renew the claims still worked on."""
        async with self.writing:
            if self.ledger or self.outages.changed or self.held:
                await self._write_now()
        written, self.written = self.written, asyncio.Event()
        written.set()
        self.progress.set()

    def _needed(self) -> timedelta:
        """How long a claim must still last for a send to start under it."""
        return timedelta(seconds=self.pusher.send_seconds + CLAIM_MARGIN_SECONDS)

    async def _write_now(self) -> None:
        """Renew the claims that have run a quarter of their time (RENEWALS_PER_CLAIM), or
        would not outlast a send."""
        taken = self.ledger.take()
        changes = self.outages.take_changes()
        finished = taken.finished_ids()
        now = self.clock()
        until = self._claim_until(now)
        soon = now + max(
            timedelta(seconds=CLAIM_SECONDS * (1 - 1 / RENEWALS_PER_CLAIM)), self._needed()
        )
        renewing = [
            row_id for row_id, ends in self.held.items() if row_id not in finished and ends <= soon
        ]
        try:
            ours = await ledger.write(
                taken, changes, token=self.token, now=now, renewing=renewing, until=until
            )
        except BaseException:
            self.ledger.put_back(taken)
            self.outages.put_back(changes)
            raise
        for row_id in finished:
            self.held.pop(row_id, None)
        for row_id in renewing:
            if row_id in ours:
                self.held[row_id] = until
            else:
                self.held.pop(row_id, None)
                self.lost.add(row_id)

    async def _keep(self) -> None:
        """Write news as it comes (at most every WRITE_EVERY_SECONDS) and renew the claims
        RENEWALS_PER_CLAIM times per claim period, until the worker stops."""
        while not self.stopping:
            with suppress(TimeoutError):
                async with asyncio.timeout(CLAIM_SECONDS / RENEWALS_PER_CLAIM):
                    await self.news.wait()
            self.news.clear()
            if self.stopping:
                return
            try:
                await self._write()
            except Exception:
                log.exception("notification worker: cannot write its results; trying again")
                await asyncio.sleep(1)
                self.news.set()
                continue
            await asyncio.sleep(WRITE_EVERY_SECONDS)

    async def _still_held(self, row_id: int) -> bool:
        """Whether this worker may start a send for the row: its claim is ours and lasts past
        the send's longest time (else the next write renews it first). A row whose claim
        cannot be renewed is let go: another worker takes it when the claim runs out."""
        for _ in range(3):
            if row_id in self.lost or row_id not in self.held:
                return False
            if self.held[row_id] - self.clock() > self._needed():
                return True
            written = self.written
            self.news.set()
            with suppress(TimeoutError):
                async with asyncio.timeout(CLAIM_SECONDS):
                    await written.wait()
        self.held.pop(row_id, None)
        return False

    # One row ----------------------------------------------------------------------------------

    async def _handle(self, row: dict[str, Any], context: Context) -> None:
        try:
            finish = await self._deliver(row, context)
        except Exception as error:
            log.exception("notification worker: row %s failed", row["id"])
            finish = ledger.Finish(
                PENDING,
                next_attempt_at=self.clock() + retry_delay(row["attempts"] + 1),
                tried=True,
                error=f"{type(error).__name__}: {error}"[:500],
            )
        if finish is None:  # lost: its new holder finishes it
            self.lost.discard(row["id"])
            self.held.pop(row["id"], None)
            return
        self.ledger.finish(row["id"], finish)
        self.handled += 1

    async def _deliver(self, row: dict[str, Any], context: Context) -> ledger.Finish | None:
        now = self.clock()
        kind = row["kind"]
        try:
            spec = spec_of(kind)
        except UnknownKind:  # a row of a kind no area declares (any more): kept, never sent
            return ledger.Finish(FAILED, error=f"unknown kind {kind!r}")
        params = params_of(row)
        expiry = expires_at(kind, params, row["due_at"])
        delivered = context.delivered.get(row["id"], set())
        if now >= expiry:
            return ledger.Finish(SENT if delivered else EXPIRED)
        user = row["user"]
        if spec.optional and (user, kind) in context.muted:
            return ledger.Finish(SKIPPED)
        if not spec.ignores_quiet_hours and user in context.quiet:
            until = context.quiet[user]
            if until >= expiry:
                return ledger.Finish(SENT if delivered else EXPIRED)
            return ledger.Finish(PENDING, next_attempt_at=until)
        devices = [d for d in context.devices.get(user, []) if d[0] not in delivered]
        if not devices:
            return ledger.Finish(SENT if delivered else NO_DEVICE)
        language = context.languages.get(user) or DEFAULT_LANGUAGE
        language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        try:
            payload = payload_of(row, params, language)
        except (KeyError, ValueError, TypeError) as error:
            return ledger.Finish(FAILED, error=f"cannot render: {error}"[:500])
        ttl = min(spec.ttl, int((expiry - now).total_seconds()))
        topic = f"n{row['id']}"
        sends = [
            self._send(row, device_id, to, payload, ttl, spec.urgency, topic)
            for device_id, to in devices
        ]
        outcomes = [await sends[0]] if len(sends) == 1 else await asyncio.gather(*sends)
        if LOST in outcomes:
            return None
        return self._after(row, outcomes, bool(delivered), expiry)

    def _after(
        self,
        row: dict[str, Any],
        outcomes: list[Sent | Wait | str],
        delivered_before: bool,
        expiry: datetime,
    ) -> ledger.Finish:
        now = self.clock()
        sent = [o for o in outcomes if isinstance(o, Sent)]
        waits = [o for o in outcomes if isinstance(o, Wait)]
        failed = [o for o in sent if o.result in ("error", "unavailable")]
        tried = bool(sent) or any(wait.tried for wait in waits)
        reached = delivered_before or any(o.result == "ok" for o in sent)
        if not failed and not waits:
            return ledger.Finish(SENT if reached else NO_DEVICE, tried=tried)
        retry_at = [wait.until for wait in waits]
        if failed:
            retry_at.append(now + retry_delay(row["attempts"] + 1))
        details = [o.detail for o in failed] + [w.detail for w in waits if w.detail]
        error = details[0] if details else WAITING_FOR_SERVICE
        if min(retry_at) >= expiry:
            return ledger.Finish(SENT if reached else EXPIRED, tried=tried, error=error)
        return ledger.Finish(PENDING, next_attempt_at=min(retry_at), tried=tried, error=error)

    async def _send(
        self,
        row: dict[str, Any],
        device_id: int,
        to: Endpoint,
        payload: str,
        ttl: int,
        urgency: str,
        topic: str,
    ) -> Sent | Wait | str:
        origin = origin_of(to.endpoint)
        gate = await self.outages.gate(origin, self.clock())
        if isinstance(gate, Wait):
            return gate
        probe = gate == PROBE
        sent: Sent | None = None
        try:
            async with self.sends:
                wait = None if probe else self.outages.waiting(origin, self.clock())
                if wait is not None:
                    return wait
                if not await self._still_held(row["id"]):
                    return LOST
                sent = await self.pusher.send(to, payload, ttl=ttl, urgency=urgency, topic=topic)
        finally:
            self.outages.observe(origin, sent, self.clock(), probe=probe)
        if sent.result == "unavailable":
            down = self.outages.waiting(origin, self.clock())
            if down is not None:  # this send found the service down: wait for it, not the row
                return Wait(down.until, tried=True, detail=sent.detail)
        if sent.result == "ok":
            self.ledger.deliveries.append(ledger.Delivery(row["id"], row["created_at"], device_id))
            self.ledger.reached.add(device_id)
        elif sent.result in ("gone", "refused"):
            self.ledger.gone.add(device_id)
        self.news.set()
        return sent

    # The loop ---------------------------------------------------------------------------------

    async def _wait_for_progress(self, stop: asyncio.Event | None) -> None:
        self.progress.clear()
        waiters = [asyncio.ensure_future(self.progress.wait())]
        if stop is not None:
            waiters.append(asyncio.ensure_future(stop.wait()))
        try:
            await asyncio.wait(waiters, timeout=POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def run(
        self, stop: asyncio.Event | None = None, *, sweeps: dict[Sweep, datetime] | None = None
    ) -> int:
        """Deliver until `stop` is set, or, without `stop`, until nothing is due any more;
        returns how many rows were handled. With `sweeps` (when each sweep last ran), run the
        sweeps about once a minute too."""
        keeper = asyncio.create_task(self._keep(), name="notification-writes")
        next_sweep = 0.0
        try:
            while stop is None or not stop.is_set():
                if sweeps is not None and monotonic() >= next_sweep:
                    next_sweep = monotonic() + SWEEP_SECONDS
                    await run_sweeps(self.clock(), sweeps)
                room = self.capacity - len(self.tasks)
                if room >= max(1, self.capacity // 4) and await self._claim(room):
                    continue
                if stop is None and not self.tasks:
                    await self._write()
                    if not await self._claim(self.capacity):
                        break
                    continue
                await self._wait_for_progress(stop)
        finally:
            await self._finish(keeper)
        return self.handled

    async def _finish(self, keeper: asyncio.Task[None]) -> None:
        """Let the rows in flight end (cut short after STOP_GRACE_SECONDS), write what they
        learned and give back the claims of rows left unfinished."""
        if self.tasks:
            _, late = await asyncio.wait(set(self.tasks), timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        self.stopping = True
        self.news.set()
        await asyncio.gather(keeper, return_exceptions=True)
        try:
            await self._write()
            await claims.release(self.token, list(self.held))
        except Exception:
            log.exception("notification worker: stopping, could not write; claims will expire")


async def deliver_all(pusher: Pusher, clock: Callable[[], datetime], **options: int) -> int:
    """Deliver everything due by `clock()`; returns how many rows were handled."""
    return await Courier(pusher, clock, **options).run()


async def run_once(now: datetime, pusher: Pusher) -> int:
    """Run the sweeps, then deliver everything due at `now`; returns how many rows were
    handled."""
    await run_sweeps(now)
    return await deliver_all(pusher, lambda: now)


async def run_worker(
    stop: asyncio.Event,
    settings: Settings | None = None,
    clock: Callable[[], datetime] = now,
) -> None:
    """Deliver notifications as they fall due and run the sweeps about once a minute, until
    `stop` is set. A round that fails is logged and started again."""
    async with Pusher(settings or get_settings()) as pusher:
        last_runs: dict[Sweep, datetime] = {}  # kept while the worker runs, across failed rounds
        while not stop.is_set():
            try:
                await Courier(pusher, clock).run(stop, sweeps=last_runs)
            except Exception:
                log.exception("notification worker: a round failed; starting again shortly")
                with suppress(TimeoutError):
                    async with asyncio.timeout(POLL_SECONDS):
                        await stop.wait()


def worker_lifespan(settings: Settings) -> Callable[[object], AbstractAsyncContextManager[None]]:
    """A Litestar lifespan that runs the worker beside the web app when HUB_WORKER is on."""

    @asynccontextmanager
    async def lifespan(_: object = None) -> AsyncIterator[None]:
        if not settings.worker:
            yield
            return
        stop = asyncio.Event()
        task = asyncio.create_task(run_worker(stop, settings), name="notification-worker")
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, STOP_GRACE_SECONDS + 5)
            except TimeoutError:
                log.warning("notification worker did not stop in time; its claims will expire")

    return lifespan
