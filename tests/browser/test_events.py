"""Events in a real browser on a phone: a resident asks for a place with one guest at a full
event, lands on the waitlist, another person cancels, and the resident is promoted and told on
Today; axe finds nothing on the events and notices pages in either language."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from hub.events import actions
from tests.browser.support import (
    LANGUAGES,
    PHONE,
    Tab,
    axe_violations,
    describe_violations,
    run_async,
)
from tests.events.support import make_event
from tests.factories import World

OpenTab = Callable[..., Tab]


def full_event(world: World) -> int:
    """Three places: the volunteer comes with a guest and the leader alone."""
    event_id = run_async(
        make_event, world.leader.id, world.community_id, world.building_id, capacity=3
    )
    run_async(actions.do_answer, world.volunteer.id, world.building_id, event_id, "going", 1)
    run_async(actions.do_answer, world.leader.id, world.building_id, event_id, "going", 0)
    return event_id


def test_waitlist_then_promotion(open_tab: OpenTab, world: World) -> None:
    event_id = full_event(world)
    path = f"/b/{world.building_id}/events/{event_id}"

    resident = open_tab("en", **PHONE)
    resident.sign_in(world.resident.login)
    resident.page.locator("#mainnav a", has_text="Events").click()
    resident.page.wait_for_url(resident.url(f"/b/{world.building_id}/events"))
    resident.page.get_by_role("link", name="Legal-knowledge talk").click()
    resident.page.wait_for_url(resident.url(path))
    answer = resident.page.locator(f"#answer-{event_id}")
    expect(answer).to_contain_text("0 of 3 places left")
    answer.locator("button[name=change][value=more]").click()
    expect(answer.locator("output")).to_have_text("1")
    answer.locator("button[name=status][value=going]").click()
    expect(answer).to_contain_text("You are on the waitlist")
    expect(answer).to_contain_text("waitlist: 1")
    resident.screenshot("events-waitlisted-en-390")
    resident.assert_clean("the resident's answer")

    volunteer = open_tab("en", **PHONE)
    volunteer.sign_in(world.volunteer.login)
    volunteer.goto(path)
    volunteer.page.locator(f"#answer-{event_id} button[name=status][value=no]").click()
    expect(
        volunteer.page.locator(f"#answer-{event_id} button[name=status][value=no]")
    ).to_have_attribute("aria-pressed", "true")
    # The two places the volunteer freed went at once to the resident and their guest.
    expect(volunteer.page.locator(f"#answer-{event_id}")).to_contain_text("0 of 3 places left")
    volunteer.assert_clean("the volunteer's cancellation")

    resident.page.locator("#mainnav a", has_text="Today").click()
    resident.page.wait_for_url(resident.url("/"))
    news = resident.page.locator(".news")
    expect(news).to_contain_text("You got a place, off the waitlist: Legal-knowledge talk")
    expect(resident.page.locator(f"#answer-{event_id}")).to_contain_text(
        "You are going. With 1 guest."
    )
    resident.screenshot("events-promoted-today-en-390")
    resident.assert_clean("the resident's Today")


def visit_all(tab: Tab, world: World, event_id: int, notice_id: int) -> list[tuple[str, str]]:
    b = world.building_id
    pages = [
        ("events-list", f"/b/{b}/events"),
        ("events-mine", f"/b/{b}/events?list=mine"),
        ("event", f"/b/{b}/events/{event_id}"),
        ("event-new", f"/b/{b}/events/new"),
        ("event-edit", f"/b/{b}/events/{event_id}/edit"),
        ("event-people", f"/b/{b}/events/{event_id}/people"),
        ("notices", f"/b/{b}/notices"),
        ("notice-new", f"/b/{b}/notices/new"),
        ("notice-edit", f"/b/{b}/notices/{notice_id}/edit"),
        ("calendar", "/calendar"),
        ("today-with-events", "/"),
    ]
    return pages


@pytest.mark.parametrize("language", LANGUAGES)
def test_events_pages_are_accessible(open_tab: OpenTab, world: World, language: str) -> None:
    event_id = full_event(world)
    run_async(actions.do_answer, world.resident.id, world.building_id, event_id, "going", 1)
    notice_id = run_async(
        actions.do_post_notice,
        world.leader.id,
        world.community_id,
        world.building_id,
        actions.NoticeDetails(
            title="Water off on Friday",
            text="From 9 to 12. Details: https://example.org/water",
            pinned=True,
            urgent=True,
            ends_on=None,
        ),
    )
    tab = open_tab(language, **PHONE)
    tab.sign_in(world.leader.login)
    report: list[str] = []
    for name, path in visit_all(tab, world, event_id, notice_id):
        tab.goto(path)
        tab.screenshot(f"{name}-{language}-390")
        violations = axe_violations(tab.page)
        if violations:
            report.append(f"{path}:\n{describe_violations(violations)}")
        report += [f"{path}: {problem}" for problem in tab.problems()]
        tab.watch.clear()
    # A form sent back with its errors.
    tab.goto(f"/b/{world.building_id}/events/new")
    with tab.page.expect_navigation(wait_until="load"):
        tab.page.locator("main form button[type=submit]").click()
    tab.screenshot(f"event-new-errors-{language}-390")
    violations = axe_violations(tab.page)
    if violations:
        report.append(f"event form with errors:\n{describe_violations(violations)}")
    assert not report, "\n".join(report)
