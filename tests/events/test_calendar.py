"""Calendars: each event's .ics, and each person's private feed, parsed as a calendar app would."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import pytest

from hub.events import actions
from tests.accounts.pages import assert_page, en, location
from tests.events.support import make_event
from tests.factories import World
from tests.web_client import Web

STARTS = datetime(2030, 5, 1, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai


def parse(body: bytes) -> icalendar.Calendar:
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    return calendar


def check_event(calendar: icalendar.Calendar, title: str) -> None:
    [vevent] = [c for c in calendar.walk("VEVENT") if str(c["SUMMARY"]) == title]
    assert vevent["UID"]
    assert vevent["DTSTAMP"]
    start = vevent.decoded("DTSTART")
    assert start == STARTS
    assert str(start.tzinfo) == "Asia/Shanghai"
    assert start.hour == 14
    assert vevent["DTSTART"].params["TZID"] == "Asia/Shanghai"
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Shanghai"


def test_each_event_downloads_as_ics(web: Web, world: World) -> None:
    event_id = web.run(
        make_event,
        world.leader.id,
        world.community_id,
        world.building_id,
        starts_at=STARTS,
        ends_at=STARTS.replace(hour=8),
    )
    web.sign_in(world.resident.login)
    response = web.get(f"/b/{world.building_id}/events/{event_id}/event.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    check_event(parse(response.content), "Legal-knowledge talk")


@pytest.mark.parametrize("htmx", [False, True])
def test_private_feed_with_a_token_that_can_be_reset(web: Web, world: World, htmx: bool) -> None:
    going = web.run(
        make_event,
        world.leader.id,
        world.community_id,
        world.building_id,
        title="Festival",
        starts_at=STARTS,
        ends_at=STARTS.replace(hour=9),
    )
    web.run(
        make_event,
        world.leader.id,
        world.community_id,
        world.building_id,
        title="Not answered",
        starts_at=STARTS,
        ends_at=STARTS.replace(hour=9),
    )
    web.run(actions.do_answer, world.resident.id, world.building_id, going, "going")
    web.sign_in(world.resident.login)
    response = web.get("/calendar", htmx=htmx, headers=en())
    assert_page(response, htmx=htmx)
    token = web.run(actions.do_calendar_token, world.resident.id)
    feed_path = f"/calendar/feed/{token}"
    assert feed_path in response.text
    web.sign_out()
    feed = web.get(feed_path)  # public: a calendar app has no session
    assert feed.status_code == 200
    calendar = parse(feed.content)
    check_event(calendar, "Festival")
    assert [str(c["SUMMARY"]) for c in calendar.walk("VEVENT")] == ["Festival"]
    assert web.get("/calendar/feed/not-the-token").status_code == 404
    web.sign_in(world.resident.login)
    assert location(web.post("/calendar/reset")) == "/calendar"
    assert web.get(feed_path).status_code == 404
    new_token = web.run(actions.do_calendar_token, world.resident.id)
    assert new_token != token
    assert web.get(f"/calendar/feed/{new_token}").status_code == 200
