"""Reading the audit trail back, and making an action fail just after it wrote its entry, so a
test sees the entry and the change rolled back together."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from hub.community.tables import AuditEntry
from tests.web_client import Web


class FailedAfterAudit(RuntimeError):
    """Raised by an action's `record` once the entry is written, inside its transaction."""


def audit(web: Web, action: str | None = None) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        query = AuditEntry.select(
            AuditEntry.actor,
            AuditEntry.action,
            AuditEntry.detail,
            AuditEntry.building,
            AuditEntry.community,
        ).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return await query

    return web.run(read)


def fail_after_audit(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> None:
    """The actions of `module` raise FailedAfterAudit right after writing an audit entry."""
    real = module.record

    async def record_then_fail(*args: Any, **kwargs: Any) -> None:
        await real(*args, **kwargs)
        raise FailedAfterAudit

    monkeypatch.setattr(module, "record", record_then_fail)
