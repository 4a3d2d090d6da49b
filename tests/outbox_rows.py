"""Reading the notification outbox back in tests of the kinds' producers."""

from __future__ import annotations

from typing import Any

from hub.notifications.tables import Notification
from tests.web_client import Web


async def _rows(kind: str | None) -> list[dict[str, Any]]:
    query = (
        Notification.select(
            Notification.user,
            Notification.kind,
            Notification.url,
            Notification.key,
            Notification.due_at,
            Notification.params,
        )
        .order_by(Notification.id)
        .output(load_json=True)
    )
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return await query


def outbox(web: Web, kind: str | None = None) -> list[dict[str, Any]]:
    """The queued notifications (of one kind), oldest first, params decoded."""
    return web.run(_rows, kind)


def recipients(web: Web, kind: str) -> list[int]:
    return sorted(row["user"] for row in outbox(web, kind))
