"""What a worker has learned and not yet written: deliveries to devices, rows finished or to be
tried again, devices reached or gone, push services in trouble or back. The worker writes it a
few times a second in one transaction, which also renews the claims about to run out.

A row's new state is written only while the claim is still this worker's. A delivery to a
device is written as a row of `hub_notification_delivery`, whoever holds the claim by then, so
nothing a worker did is lost when another has taken the row over; only a delivery whose row is
closed in the same transaction needs no such row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from hub.db import engine, write_transaction
from hub.notifications.claims import renew, still_ours
from hub.notifications.outages import Trouble, write_changes
from hub.notifications.outbox import PENDING
from hub.notifications.tables import Notification, NotificationDelivery, PushSubscription

INSERT_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Finish:
    """A row's next state: a final one, or PENDING again from `next_attempt_at`. `tried` adds
    one to its attempts (a message went out this time)."""

    state: str
    next_attempt_at: datetime | None = None
    tried: bool = False
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """A notification accepted for a device. `created_at` tells the notification from a later
    one that took its id after it was withdrawn (SQLite reuses the highest id)."""

    notification: int
    created_at: datetime
    subscription: int


@dataclass
class Ledger:
    finished: dict[Finish, list[int]] = field(default_factory=lambda: defaultdict(list))
    deliveries: list[Delivery] = field(default_factory=list)
    reached: set[int] = field(default_factory=set)
    gone: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.finished or self.deliveries or self.reached or self.gone)

    def finish(self, row_id: int, finish: Finish) -> None:
        self.finished[finish].append(row_id)

    def finished_ids(self) -> set[int]:
        return {row_id for ids in self.finished.values() for row_id in ids}

    def take(self) -> Ledger:
        """Everything so far, leaving this ledger empty for what comes while it is written."""
        taken = Ledger(self.finished, self.deliveries, self.reached, self.gone)
        self.finished, self.deliveries = defaultdict(list), []
        self.reached, self.gone = set(), set()
        return taken

    def put_back(self, taken: Ledger) -> None:
        """A ledger whose write failed goes back in front of what came since."""
        for finish, ids in taken.finished.items():
            self.finished[finish][:0] = ids
        self.deliveries[:0] = taken.deliveries
        self.reached |= taken.reached
        self.gone |= taken.gone


def _row_values(finish: Finish, now: datetime) -> dict[Any, Any]:
    values: dict[Any, Any] = {Notification.state: finish.state}
    if finish.state == PENDING:
        values[Notification.next_attempt_at] = finish.next_attempt_at
    values[Notification.claimed_until] = None
    values[Notification.claim_token] = None
    if finish.tried:
        values[Notification.attempts] = Notification.attempts + 1
    if finish.error is not None:
        values[Notification.last_error] = finish.error
    if finish.state == "sent":
        values[Notification.sent_at] = now
    return values


async def _still_there(deliveries: list[Delivery]) -> list[Delivery]:
    """The deliveries whose notification has not been withdrawn meanwhile (outbox.cancel), kept
    from being withdrawn until the transaction ends (SQLite's write lock does that already)."""
    if not deliveries:
        return []
    query = Notification.select(Notification.id, Notification.created_at).where(
        Notification.id.is_in(sorted({delivery.notification for delivery in deliveries}))
    )
    if isinstance(engine(), PostgresEngine):
        query = query.lock_rows("KEY SHARE", of=(Notification,))
    there = {(row["id"], row["created_at"]) for row in await query}
    return [d for d in deliveries if (d.notification, d.created_at) in there]


async def write(
    ledger: Ledger,
    troubles: dict[str, Trouble | None],
    *,
    token: str,
    now: datetime,
    renewing: Collection[int],
    until: datetime,
) -> set[int]:
    """Write the ledger and the push services' trouble, and renew this worker's claims on
    `renewing` to `until`, in one transaction; returns the renewed rows (the others among them
    were taken over or withdrawn)."""
    async with write_transaction():
        closed: set[int] = set()
        for finish, ids in ledger.finished.items():
            rows = (
                await Notification.update(_row_values(finish, now))
                .where(still_ours(token, ids))
                .returning(Notification.id)
            )
            if finish.state != PENDING:
                closed.update(row["id"] for row in rows)
        open_deliveries = await _still_there(
            [d for d in ledger.deliveries if d.notification not in closed]
        )
        for start in range(0, len(open_deliveries), INSERT_CHUNK):
            await NotificationDelivery.insert(
                *[
                    NotificationDelivery(
                        notification=d.notification, subscription=d.subscription, delivered_at=now
                    )
                    for d in open_deliveries[start : start + INSERT_CHUNK]
                ]
            ).on_conflict(action="DO NOTHING")
        if ledger.reached:
            await PushSubscription.update({PushSubscription.last_success_at: now}).where(
                PushSubscription.id.is_in(sorted(ledger.reached))
            )
        if ledger.gone:
            await PushSubscription.delete().where(PushSubscription.id.is_in(sorted(ledger.gone)))
        if troubles:
            await write_changes(troubles, now)
        return await renew(token, renewing, until)
