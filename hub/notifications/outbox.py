"""Queueing notifications in the outbox, inside the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from hub import clock
from hub.notifications.kinds import spec_of
from hub.notifications.tables import Notification

PENDING = "pending"


async def notify(
    user_ids: Iterable[int],
    kind: str,
    *,
    params: Mapping[str, Any],
    url: str,
    due_at: datetime | None = None,
    key: str | None = None,
) -> int:
    """Queue one notification per user. Call it inside the caller's write transaction, so the
    change and its notifications are written together. `params` must be JSON-serialisable
    (pass datetimes as ISO strings). `url` is a path like /b/3/tasks/7 that a tap opens.
    `due_at` (UTC, default now) schedules it for later. `key` makes it idempotent: a second
    notify with the same (user, key) is ignored, so periodic sweeps can run often. A `kind` no
    area declares raises UnknownKind. Returns how many rows were queued."""
    users = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    if not users:
        return 0
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError(f"notify(url=...) takes a path such as /b/3/tasks/7, not {url!r}")
    spec_of(kind)  # refuses an undeclared kind before anything is written
    when = (due_at or clock.now()).astimezone(UTC)
    encoded = json.dumps(dict(params), ensure_ascii=False)
    query = Notification.insert(
        *[
            Notification(
                user=user_id,
                kind=kind,
                params=encoded,
                url=url,
                key=key,
                due_at=when,
                next_attempt_at=when,
                state=PENDING,
            )
            for user_id in users
        ]
    )
    if key is not None:
        query = query.on_conflict(action="DO NOTHING")
    rows = await query.returning(Notification.id)
    return len(rows)


async def cancel(key: str) -> int:
    """Withdraw not-yet-sent notifications with this key (e.g. a shift reminder after the
    volunteer withdraws). Returns how many. The rows go, so a later notify() with the same key
    queues afresh."""
    rows = (
        await Notification.delete()
        .where((Notification.key == key) & (Notification.state == PENDING))
        .returning(Notification.id)
    )
    return len(rows)
