"""Claims on outbox rows, which let several workers share one outbox.

A worker claims due rows by writing its token and an expiry into them: on PostgreSQL the rows
are selected FOR UPDATE SKIP LOCKED in the claiming transaction; on SQLite that transaction is
IMMEDIATE, which serialises the claims of every process. The worker renews its claims while it
works on them, so they expire only when it has died or lost the database for longer than the
claim lasts; then another worker takes the rows over.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from hub.db import engine, write_transaction
from hub.notifications.outbox import PENDING
from hub.notifications.tables import Notification

CLAIMED_COLUMNS = (
    Notification.id,
    Notification.user,
    Notification.kind,
    Notification.params,
    Notification.url,
    Notification.key,
    Notification.due_at,
    Notification.attempts,
    Notification.created_at,
)


async def claim_due(
    token: str, now: datetime, until: datetime, *, limit: int
) -> list[dict[str, Any]]:
    """Claim up to `limit` rows due at `now` for the worker with `token`, until `until`. Each
    row says whether it was `taken_over` from a worker whose claim ran out (it may have
    delivered to some devices already)."""
    free = Notification.claimed_until.is_null() | (Notification.claimed_until < now)
    async with write_transaction():
        query = (
            Notification.select(Notification.id, Notification.claim_token)
            .where((Notification.state == PENDING) & (Notification.next_attempt_at <= now) & free)
            .order_by(Notification.next_attempt_at)
            .limit(limit)
        )
        if isinstance(engine(), PostgresEngine):
            query = query.lock_rows("UPDATE", skip_locked=True, of=(Notification,))
        found = await query
        if not found:
            return []
        ids = [row["id"] for row in found]
        taken_over = {row["id"] for row in found if row["claim_token"] is not None}
        rows = (
            await Notification.update(
                {Notification.claimed_until: until, Notification.claim_token: token}
            )
            .where(Notification.id.is_in(ids))
            .returning(*CLAIMED_COLUMNS)
        )
    for row in rows:
        row["taken_over"] = row["id"] in taken_over
    return sorted(rows, key=lambda row: row["id"])


def still_ours(token: str, ids: Collection[int]) -> Any:
    """The rows among `ids` that are pending and still claimed by `token`."""
    return (
        Notification.id.is_in(sorted(ids))
        & (Notification.claim_token == token)
        & (Notification.state == PENDING)
    )


async def renew(token: str, ids: Collection[int], until: datetime) -> set[int]:
    """Extend this worker's claims on `ids` to `until`, inside the caller's transaction;
    returns the ids that are still ours (the others were taken over or withdrawn)."""
    if not ids:
        return set()
    rows = (
        await Notification.update({Notification.claimed_until: until})
        .where(still_ours(token, ids))
        .returning(Notification.id)
    )
    return {row["id"] for row in rows}


async def release(token: str, ids: Collection[int]) -> None:
    """Give rows back untouched (the worker stops), so any worker may take them at once."""
    if ids:
        async with write_transaction():
            await Notification.update(
                {Notification.claimed_until: None, Notification.claim_token: None}
            ).where(still_ours(token, ids))
