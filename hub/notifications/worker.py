"""The delivery worker: claims due outbox rows, checks preferences and quiet hours, renders the
words in each recipient's language and pushes them to every subscription of the recipient.

Claiming is what lets several workers share one outbox: on PostgreSQL the due rows are selected
FOR UPDATE SKIP LOCKED and marked claimed in the same transaction; on SQLite that transaction is
IMMEDIATE, which serialises the claims of every process. A claim lasts CLAIM_SECONDS: a worker
that dies mid-batch leaves rows that another (or the restarted) worker claims again, so nothing
is lost. Every result is written only while the row's claim token is still ours.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from time import monotonic
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from hub.accounts.tables import User
from hub.db import engine, write_transaction
from hub.notifications.kinds import Kind, spec_of
from hub.notifications.outbox import PENDING
from hub.notifications.push import Endpoint, Pusher, Sent
from hub.notifications.quiet import quiet_until
from hub.notifications.sweeps import run_sweeps
from hub.notifications.tables import (
    Notification,
    NotificationPreference,
    PushSubscription,
    QuietHours,
)
from hub.notifications.texts import NoText, render
from hub.settings import Settings, get_settings
from hub.web.i18n import DEFAULT_LANGUAGE, LANGUAGES

SENT = "sent"
SKIPPED = "skipped"
NO_DEVICE = "no_device"
FAILED = "failed"

CLAIM_SECONDS = 120
BATCH_SIZE = 200
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=2)
CONCURRENT_SENDS = 64
POLL_SECONDS = 2.0
SWEEP_SECONDS = 60.0
STOP_GRACE_SECONDS = 10.0

log = logging.getLogger(__name__)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt: 30 s, 1 min, 2 min, ... up to 2 h."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


async def claim_due(now: datetime, *, limit: int = BATCH_SIZE) -> tuple[str, list[dict[str, Any]]]:
    """Claim up to `limit` due rows for this worker; returns the claim token and the rows."""
    token = secrets.token_hex(8)
    free = Notification.claimed_until.is_null() | (Notification.claimed_until < now)
    async with write_transaction():
        query = (
            Notification.select(Notification.id)
            .where((Notification.state == PENDING) & (Notification.next_attempt_at <= now) & free)
            .order_by(Notification.next_attempt_at)
            .limit(limit)
        )
        if isinstance(engine(), PostgresEngine):
            query = query.lock_rows("UPDATE", skip_locked=True, of=(Notification,))
        ids = [row["id"] for row in await query]
        if not ids:
            return token, []
        rows = (
            await Notification.update(
                {
                    Notification.claimed_until: now + timedelta(seconds=CLAIM_SECONDS),
                    Notification.claim_token: token,
                }
            )
            .where(Notification.id.is_in(ids))
            .returning(*Notification.all_columns())
        )
    return token, sorted(rows, key=lambda row: row["id"])


@dataclass
class _Batch:
    """The outcome of one claimed batch, written back in one transaction."""

    done: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    deferred: list[tuple[int, datetime]] = field(default_factory=list)
    retries: list[tuple[int, int, datetime, str]] = field(default_factory=list)
    failed: list[tuple[int, int, str]] = field(default_factory=list)
    reached: set[int] = field(default_factory=set)
    gone: set[int] = field(default_factory=set)


async def _recipients(user_ids: list[int], now: datetime) -> tuple[Any, ...]:
    languages = {
        row["id"]: row["language"]
        for row in await User.select(User.id, User.language).where(User.id.is_in(user_ids))
    }
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
    devices: dict[int, list[tuple[int, Endpoint]]] = defaultdict(list)
    for row in await PushSubscription.select(
        PushSubscription.id,
        PushSubscription.user,
        PushSubscription.endpoint,
        PushSubscription.p256dh,
        PushSubscription.auth,
    ).where(PushSubscription.user.is_in(user_ids)):
        devices[row["user"]].append(
            (row["id"], Endpoint(row["endpoint"], row["p256dh"], row["auth"]))
        )
    return languages, muted, quiet, devices


def payload_of(row: dict[str, Any], language: str) -> str:
    """The JSON the service worker shows: title, body, url, tag, kind and lang."""
    kind = Kind(row["kind"])
    params = row["params"]
    if isinstance(params, str):
        params = json.loads(params or "{}")
    title, body = render(kind, params, language)
    spec = spec_of(kind)
    tag = spec.topic or row["key"] or f"{kind.value}-{row['id']}"
    return json.dumps(
        {
            "title": title,
            "body": body,
            "url": row["url"],
            "tag": tag,
            "kind": kind.value,
            "lang": language,
        },
        ensure_ascii=False,
    )


async def deliver(rows: list[dict[str, Any]], token: str, now: datetime, pusher: Pusher) -> int:
    """Deliver claimed rows and record what became of each; returns how many were handled."""
    if not rows:
        return 0
    languages, muted, quiet, devices = await _recipients(sorted({row["user"] for row in rows}), now)
    batch = _Batch()
    limit = asyncio.Semaphore(CONCURRENT_SENDS)

    async def push(subscription_id: int, to: Endpoint, payload: str, row: dict[str, Any]) -> Sent:
        async with limit:
            kind = Kind(row["kind"])
            result = await pusher.send(to, payload, spec_of(kind), topic=f"n{row['id']}")
        if result.result == "ok":
            batch.reached.add(subscription_id)
        elif result.result == "gone":
            batch.gone.add(subscription_id)
        return result

    async def one(row: dict[str, Any]) -> None:
        attempts = row["attempts"] + 1
        try:
            kind = Kind(row["kind"])
        except ValueError:
            batch.failed.append((row["id"], attempts, f"unknown kind {row['kind']!r}"))
            return
        spec = spec_of(kind)
        user = row["user"]
        if spec.optional and (user, kind.value) in muted:
            batch.done[SKIPPED].append(row["id"])
            return
        if not spec.ignores_quiet_hours and user in quiet:
            batch.deferred.append((row["id"], quiet[user]))
            return
        if not devices.get(user):
            batch.done[NO_DEVICE].append(row["id"])
            return
        language = languages.get(user) or DEFAULT_LANGUAGE
        language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        try:
            payload = payload_of(row, language)
        except (NoText, KeyError, ValueError, TypeError) as error:
            batch.failed.append((row["id"], attempts, f"cannot render: {error}"[:500]))
            return
        results = await asyncio.gather(
            *[push(sub_id, to, payload, row) for sub_id, to in devices[user]]
        )
        if any(result.result == "ok" for result in results):
            batch.done[SENT].append(row["id"])
        elif all(result.result == "gone" for result in results):
            batch.done[NO_DEVICE].append(row["id"])
        else:
            error = next(result.detail for result in results if result.result == "error")
            if attempts >= MAX_ATTEMPTS:
                batch.failed.append((row["id"], attempts, error))
            else:
                batch.retries.append((row["id"], attempts, now + retry_delay(attempts), error))

    await asyncio.gather(*[one(row) for row in rows])
    await _record(batch, token, now)
    return len(rows)


async def _record(batch: _Batch, token: str, now: datetime) -> None:
    ours = Notification.claim_token == token
    released = {Notification.claimed_until: None, Notification.claim_token: None}
    async with write_transaction():
        for state, ids in batch.done.items():
            values: dict[Any, Any] = {**released, Notification.state: state}
            if state == SENT:
                values[Notification.sent_at] = now
                values[Notification.attempts] = Notification.attempts + 1
            await Notification.update(values).where(Notification.id.is_in(ids) & ours)
        for row_id, until in batch.deferred:
            await Notification.update({**released, Notification.next_attempt_at: until}).where(
                (Notification.id == row_id) & ours
            )
        for row_id, attempts, when, error in batch.retries:
            await Notification.update(
                {
                    **released,
                    Notification.attempts: attempts,
                    Notification.next_attempt_at: when,
                    Notification.last_error: error,
                }
            ).where((Notification.id == row_id) & ours)
        for row_id, attempts, error in batch.failed:
            await Notification.update(
                {
                    **released,
                    Notification.state: FAILED,
                    Notification.attempts: attempts,
                    Notification.last_error: error,
                }
            ).where((Notification.id == row_id) & ours)
        if batch.reached:
            await PushSubscription.update({PushSubscription.last_success_at: now}).where(
                PushSubscription.id.is_in(sorted(batch.reached))
            )
        if batch.gone:
            await PushSubscription.delete().where(PushSubscription.id.is_in(sorted(batch.gone)))


async def deliver_due(now: datetime, pusher: Pusher, *, limit: int = BATCH_SIZE) -> int:
    """Claim one batch of due rows and deliver it; returns how many rows were handled."""
    token, rows = await claim_due(now, limit=limit)
    return await deliver(rows, token, now, pusher)


async def run_once(now: datetime, pusher: Pusher) -> int:
    """Run the sweeps, then deliver everything due at `now`; returns how many rows were
    handled."""
    await run_sweeps(now)
    total = 0
    while handled := await deliver_due(now, pusher):
        total += handled
    return total


async def run_worker(
    stop: asyncio.Event,
    settings: Settings | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Poll the outbox every POLL_SECONDS (at once again after a full batch) and run the sweeps
    about once a minute, until `stop` is set."""
    async with Pusher(settings or get_settings()) as pusher:
        next_sweep = 0.0
        while not stop.is_set():
            handled = 0
            try:
                if monotonic() >= next_sweep:
                    next_sweep = monotonic() + SWEEP_SECONDS
                    await run_sweeps(clock())
                handled = await deliver_due(clock(), pusher)
            except Exception:
                log.exception("notification worker: a round failed; trying again shortly")
            if handled < BATCH_SIZE:
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), POLL_SECONDS)


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
                await asyncio.wait_for(task, STOP_GRACE_SECONDS)
            except TimeoutError:
                log.warning("notification worker did not stop in time; its claims will expire")

    return lifespan
