"""What the notification settings page reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from hub.notifications.kinds import optional_kinds
from hub.notifications.tables import NotificationPreference, PushSubscription, QuietHours


@dataclass(frozen=True, slots=True)
class Device:
    id: int
    label: str
    created_at: datetime
    last_success_at: datetime | None


async def devices_of(user_id: int) -> list[Device]:
    rows = (
        await PushSubscription.select(
            PushSubscription.id,
            PushSubscription.label,
            PushSubscription.created_at,
            PushSubscription.last_success_at,
        )
        .where(PushSubscription.user == user_id)
        .order_by(PushSubscription.created_at)
    )
    return [Device(**row) for row in rows]


async def enabled_kinds(user_id: int) -> set[str]:
    """The optional kinds the user gets: every kind without an 'off' row."""
    off = {
        row["kind"]
        for row in await NotificationPreference.select(NotificationPreference.kind).where(
            (NotificationPreference.user == user_id) & (NotificationPreference.enabled == False)  # noqa: E712 - a SQL comparison
        )
    }
    return {kind for kind in optional_kinds() if kind not in off}


async def quiet_hours_of(user_id: int) -> tuple[time, time] | None:
    row: dict[str, Any] | None = (
        await QuietHours.select(QuietHours.start_time, QuietHours.end_time)
        .where(QuietHours.user == user_id)
        .first()
    )
    return (row["start_time"], row["end_time"]) if row else None
