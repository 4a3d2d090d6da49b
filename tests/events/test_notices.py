"""The notice board: leaders post, edit and take down; links clickable, no raw HTML."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hub.community.actions import do_create_building
from hub.community.roles import Role
from hub.events import actions
from hub.events.tables import Notice
from hub.events.text import linkify
from tests.accounts.pages import assert_page, en, location
from tests.factories import World, add_member, make_person
from tests.web_client import Web, text_of


def post(web: Web, world: World, **form: str) -> None:
    data = {"title": "Water off on Friday", "text": "From 9 to 12.", **form}
    assert location(web.post(f"/b/{world.building_id}/notices", data)) == (
        f"/b/{world.building_id}/notices"
    )


def notices(web: Web) -> list[dict]:
    return web.run(lambda: Notice.select().order_by(Notice.id))


def test_text_is_escaped_then_linked() -> None:
    html = str(linkify("<b>Hi</b> see https://example.org/a?b=1&c=2. and javascript:alert(1)"))
    assert "<b>" not in html
    assert "&lt;b&gt;Hi&lt;/b&gt;" in html
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">' in html
    assert "javascript:alert(1)" in html
    assert 'href="javascript' not in html


@pytest.mark.parametrize("htmx", [False, True])
def test_board_and_forms(web: Web, world: World, htmx: bool) -> None:
    web.sign_in(world.leader.login)
    response = web.get(f"/b/{world.building_id}/notices/new", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    post(web, world, text="Details: https://example.org/water <script>x</script>", pinned="on")
    response = web.get(f"/b/{world.building_id}/notices", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    assert '<a href="https://example.org/water"' in response.text
    assert "<script>x" not in response.text
    assert "Pinned" in text_of(response)
    web.sign_in(world.resident.login)
    response = web.get(f"/b/{world.building_id}/notices", headers=en())
    assert "Water off on Friday" in text_of(response)
    assert "Post a notice" not in text_of(response)


def test_bad_notice_keeps_what_was_typed(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    response = web.post(
        f"/b/{world.building_id}/notices",
        {"title": "Lift repair", "text": "", "ends_on": "soon"},
        headers=en(),
    )
    assert_page(response, 422, htmx=False)
    assert 'value="Lift repair"' in response.text
    assert "Please give a date such as" in response.text
    assert notices(web) == []


def test_edit_retire_and_end_date(web: Web, world: World) -> None:
    web.sign_in(world.leader.login)
    post(web, world)
    [notice] = notices(web)
    base = f"/b/{world.building_id}/notices/{notice['id']}"
    for htmx in (False, True):
        response = web.get(f"{base}/edit", htmx=htmx, headers=en())
        assert_page(response, htmx=htmx)
        assert 'value="Water off on Friday"' in response.text
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    web.post(f"{base}/edit", {"title": "Water off", "text": "Over.", "ends_on": yesterday})
    assert "Water off" not in text_of(web.get(f"/b/{world.building_id}/notices"))
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    web.post(f"{base}/edit", {"title": "Water off", "text": "Soon.", "ends_on": tomorrow})
    assert "Water off" in text_of(web.get(f"/b/{world.building_id}/notices"))
    assert location(web.post(f"{base}/retire")) == f"/b/{world.building_id}/notices"
    assert "Water off" not in text_of(web.get(f"/b/{world.building_id}/notices"))
    assert web.get(f"{base}/edit").status_code == 404


def test_community_wide_notices_show_in_every_building(web: Web, world: World) -> None:
    neighbour_building = web.run(
        do_create_building,
        world.admin.id,
        world.community_id,
        name="Building 3",
        address="",
        timezone="Asia/Shanghai",
    )
    neighbour = web.run(make_person, "Neighbour Sun")
    web.run(add_member, neighbour, neighbour_building, Role.LEADER)
    web.sign_in(world.admin.login)
    post(web, world, title="Community meeting", text="Saturday", community_wide="on", urgent="on")
    web.sign_in(neighbour.login)
    board = text_of(web.get(f"/b/{neighbour_building}/notices", headers=en()))
    assert "Community meeting" in board
    assert "Urgent" in board
    assert "Community meeting" in text_of(web.get("/", headers=en()))
    [notice] = notices(web)
    assert web.get(f"/b/{neighbour_building}/notices/{notice['id']}/edit").status_code == 403
    web.sign_in(world.other_leader.login)
    assert "Community meeting" not in text_of(
        web.get(f"/b/{world.other_building_id}/notices", headers=en())
    )


def test_today_shows_pinned_and_new_notices_and_next_events(web: Web, world: World) -> None:
    from tests.events.support import make_event

    web.run(
        actions.do_post_notice,
        world.leader.id,
        world.community_id,
        world.building_id,
        actions.NoticeDetails(
            title="Lobby painting", text="Wet paint", pinned=True, urgent=False, ends_on=None
        ),
    )
    event_id = web.run(make_event, world.leader.id, world.community_id, world.building_id)
    web.sign_in(world.resident.login)
    for htmx in (False, True):
        response = web.get("/", htmx=htmx, headers=en())
        assert_page(response, htmx=htmx)
        text = text_of(response)
        assert "Lobby painting" in text
        assert "Legal-knowledge talk" in text
        assert f'id="answer-{event_id}"' in response.text
