"""Who changed what: the one audit record every action writes for a change others rely on.

`record` runs inside the action's own write transaction, so the entry and the change it tells
of are committed, or rolled back, together. The rows live in `hub_audit_entry`, whose table is
declared by the community app (`hub.community.tables.AuditEntry`), where the trail began: moving
it to an app of its own would mean a migration that drops and recreates a table holding data.
Community is core (it imports no feature area), so any area may use this module.
"""

from __future__ import annotations

from hub.community.tables import AuditEntry
from hub.db import engine


class NotInTransaction(RuntimeError):
    """An audit entry written outside its action's transaction could outlive a rolled-back
    change, or be missing from a committed one."""


async def record(
    actor: int | None,
    action: str,
    detail: str = "",
    *,
    building: int | None = None,
    community: int | None = None,
) -> None:
    """One audit entry: `action` is "area.what" (such as "task.assigned"), `detail` says which
    row and how it changed, `actor` is the user id (None for the system)."""
    if not engine().transaction_exists():
        raise NotInTransaction(action)
    await AuditEntry.insert(
        AuditEntry(
            actor=actor,
            action=action,
            detail=detail,
            building=building,
            community=community,
        )
    )
