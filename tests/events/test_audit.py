"""Event and notice changes leave an audit entry written in the same transaction as the change;
an action names the building it acts from, and what it acts on must be seen there."""

from __future__ import annotations

import pytest

from hub.errors import Refused
from hub.events import actions
from hub.events.notifications import EVENT_CANCELLED, URGENT_NOTICE
from hub.events.tables import Event, Notice
from tests.audit_rows import FailedAfterAudit, audit, fail_after_audit
from tests.events.support import details, make_event
from tests.factories import World
from tests.outbox_rows import outbox
from tests.web_client import Web


def notice(urgent: bool = False, title: str = "Water off") -> actions.NoticeDetails:
    return actions.NoticeDetails(
        title=title, text="Friday", pinned=False, urgent=urgent, ends_on=None
    )


def cancelled(web: Web, event_id: int) -> bool:
    async def read() -> bool:
        row = await Event.select(Event.cancelled_at).where(Event.id == event_id).first()
        assert row is not None
        return row["cancelled_at"] is not None

    return web.run(read)


def test_changing_and_cancelling_an_event_are_audited(web: Web, world: World) -> None:
    leader, building = world.leader.id, world.building_id
    event_id = web.run(make_event, leader, world.community_id, building)
    web.run(actions.do_update_event, leader, building, event_id, details(title="Moved talk"))
    web.run(actions.do_cancel_event, leader, building, event_id)
    web.run(actions.do_cancel_event, leader, building, event_id)  # once cancelled, nothing more
    rows = [row for row in audit(web) if row["action"].startswith("event.")]
    assert [(row["action"], row["actor"], row["building"]) for row in rows] == [
        ("event.created", leader, building),
        ("event.updated", leader, building),
        ("event.cancelled", leader, building),
    ]
    assert {row["community"] for row in rows} == {world.community_id}
    assert rows[1]["detail"] == f"event={event_id} Moved talk"


def test_a_community_wide_event_is_audited_for_its_community(web: Web, world: World) -> None:
    event_id = web.run(make_event, world.admin.id, world.community_id, None)
    web.run(actions.do_cancel_event, world.admin.id, world.building_id, event_id)
    [row] = audit(web, "event.cancelled")
    assert (row["building"], row["community"]) == (None, world.community_id)


def test_a_cancel_and_its_entry_roll_back_together(
    web: Web, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id = web.run(make_event, world.leader.id, world.community_id, world.building_id)
    web.run(actions.do_answer, world.resident.id, world.building_id, event_id, "going")
    fail_after_audit(monkeypatch, actions)
    with pytest.raises(FailedAfterAudit):
        web.run(actions.do_cancel_event, world.leader.id, world.building_id, event_id)
    assert not cancelled(web, event_id)
    assert audit(web, "event.cancelled") == []
    assert outbox(web, EVENT_CANCELLED) == []


def test_an_event_of_another_building_is_not_found_from_this_one(web: Web, world: World) -> None:
    foreign = web.run(
        make_event, world.other_leader.id, world.other_community_id, world.other_building_id
    )
    with pytest.raises(Refused):
        web.run(actions.do_cancel_event, world.leader.id, world.building_id, foreign)
    with pytest.raises(Refused):
        web.run(actions.do_answer, world.resident.id, world.building_id, foreign, "going")
    assert not cancelled(web, foreign)
    assert audit(web, "event.cancelled") == []


def test_notices_are_audited_and_roll_back_with_their_entry(
    web: Web, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    leader, building = world.leader.id, world.building_id
    notice_id = web.run(actions.do_post_notice, leader, world.community_id, building, notice())
    web.run(actions.do_edit_notice, leader, building, notice_id, notice(title="Water off Sat"))
    web.run(actions.do_retire_notice, leader, building, notice_id)
    assert [row["action"] for row in audit(web) if row["action"].startswith("notice.")] == [
        "notice.posted",
        "notice.edited",
        "notice.retired",
    ]
    second = web.run(actions.do_post_notice, leader, world.community_id, building, notice())
    fail_after_audit(monkeypatch, actions)
    with pytest.raises(FailedAfterAudit):
        web.run(actions.do_edit_notice, leader, building, second, notice(True, "Gas off"))

    async def title() -> str:
        row = await Notice.select(Notice.title).where(Notice.id == second).first()
        assert row is not None
        return str(row["title"])

    assert web.run(title) == "Water off"
    assert len(audit(web, "notice.edited")) == 1
    assert outbox(web, URGENT_NOTICE) == []


def test_a_notice_of_another_building_is_not_found_from_this_one(web: Web, world: World) -> None:
    foreign = web.run(
        actions.do_post_notice,
        world.other_leader.id,
        world.other_community_id,
        world.other_building_id,
        notice(),
    )
    with pytest.raises(Refused):
        web.run(actions.do_retire_notice, world.leader.id, world.building_id, foreign)
    assert audit(web, "notice.retired") == []
