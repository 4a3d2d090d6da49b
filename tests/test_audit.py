"""The one audit record: written only inside an action's transaction, and gone with it."""

from __future__ import annotations

import pytest

from hub.audit import NotInTransaction, record
from hub.db import write_transaction
from tests.audit_rows import audit
from tests.factories import World
from tests.web_client import Web


class Undone(Exception):
    pass


def test_an_entry_outside_a_transaction_is_refused(web: Web, world: World) -> None:
    with pytest.raises(NotInTransaction):
        web.run(record, world.leader.id, "test.outside", building=world.building_id)
    assert audit(web, "test.outside") == []


def test_an_entry_is_kept_or_undone_with_its_transaction(web: Web, world: World) -> None:
    async def write(fail: bool) -> None:
        async with write_transaction():
            await record(world.leader.id, "test.inside", f"fail={fail}", building=world.building_id)
            if fail:
                raise Undone

    with pytest.raises(Undone):
        web.run(write, True)
    web.run(write, False)
    assert audit(web, "test.inside") == [
        {
            "actor": world.leader.id,
            "action": "test.inside",
            "detail": "fail=False",
            "building": world.building_id,
            "community": None,
        }
    ]
