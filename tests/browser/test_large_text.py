"""Every page at 320 px with large text, in Chinese and English: Hub's own large-text setting, and
the browser's text at 200% (Chromium's default font size doubled, as a person sets it).

On each page: nothing scrolls sideways; every link and button is a 44x44 px target; nothing fixed
or sticky lies over a control when it is scrolled into the middle of the screen; and the bottom
navigation shows each of its labels whole.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.events import actions as events
from hub.patrols import actions as patrols
from hub.tasks.actions import NewReport, do_report
from tests.browser.support import LANGUAGES, Tab, run_async
from tests.factories import World
from tests.patrols.world import make_route, make_shift

OpenTab = Callable[..., Tab]
SMALL_PHONE: dict[str, Any] = {
    "viewport": {"width": 320, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
MIN_TARGET = 44
CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea, summary"

# What a person sees wrong with a page, measured in the page itself.
PAGE_PROBLEMS = """
([selector, minTarget]) => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) {
    problems.push(`scrolls sideways: ${document.documentElement.scrollWidth}px in ${width}px`);
  }
  const name = (el) => {
    const label = (el.getAttribute("aria-label") || el.textContent || el.name || "").trim();
    return `${el.tagName.toLowerCase()} "${label.replace(/\\s+/g, " ").slice(0, 40)}"`;
  };
  // A box or a round option is tapped on its row or label, which is its target.
  const target = (el) => (el.type === "checkbox" || el.type === "radio")
    ? (el.closest(".check, .checkbox, .chip-choice") || (el.labels && el.labels[0]) || el) : el;
  const shown = [...document.querySelectorAll(selector)].filter((el) => {
    const box = target(el).getBoundingClientRect();
    return box.right > 0 && box.width > 0 && target(el).checkVisibility({visibilityProperty: true});
  });
  for (const el of shown) {
    const box = target(el).getBoundingClientRect();
    if (box.width < minTarget - 0.5 || box.height < minTarget - 0.5) {
      problems.push(`${name(el)} is ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
    if (box.right > width + 1) problems.push(`${name(el)} runs off the screen`);
    if (el.closest(".mainnav, .topbar") || el.type === "file") continue;
    target(el).scrollIntoView({block: "center"});
    const middle = target(el).getBoundingClientRect();
    const x = middle.left + Math.min(middle.width / 2, 20);
    const y = middle.top + middle.height / 2;
    const top = document.elementFromPoint(x, y);
    const byLabel = el.labels && [...el.labels].some((label) => label.contains(top));
    if (top && !target(el).contains(top) && !byLabel) {
      problems.push(`${name(el)} is covered by ${name(top)}`);
    }
  }
  window.scrollTo(0, 0);
  for (const link of document.querySelectorAll(".mainnav a")) {
    if (link.getClientRects().length === 0) continue;
    const label = link.querySelector("span");
    const box = link.getBoundingClientRect();
    if (label.scrollWidth > label.clientWidth + 1 || box.right > width + 1 || box.left < -1) {
      problems.push(`the navigation cuts "${label.textContent.trim()}"`);
    }
  }
  return problems;
}
"""


def make_data(world: World) -> dict[str, int]:
    """A route with a shift on now and a round walked on it, an event, a notice, a task."""
    patrol = run_async(make_route, world)
    shift = run_async(make_shift, world, patrol.route_id, in_hours=-0.2, volunteers=2)
    run_async(patrols.do_sign_up, world.volunteer.id, world.building_id, shift)
    round_id = run_async(
        patrols.do_start_round,
        world.volunteer.id,
        world.building_id,
        patrol.route_id,
        shift_id=shift,
    )
    run_async(
        patrols.do_check_in,
        world.volunteer.id,
        world.building_id,
        patrol.checkpoint_ids[0],
        patrols.CheckInInput(client_uuid=str(uuid.uuid4()), device_time=None, manual=True),
    )
    starts = datetime.now(UTC) + timedelta(days=2)
    event_id = run_async(
        events.do_create_event,
        world.leader.id,
        world.community_id,
        world.building_id,
        events.EventDetails(
            title="Stairwell clean-up with the neighbours of building two",
            description="Bring gloves.",
            place="Lobby",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=30,
            rsvp_deadline=None,
            guests_allowed=True,
            max_guests=2,
        ),
    )
    notice_id = run_async(
        events.do_post_notice,
        world.leader.id,
        world.community_id,
        world.building_id,
        events.NoticeDetails(
            title="Water off on Saturday morning",
            text="From 9 to 12.",
            pinned=True,
            urgent=False,
            ends_on=None,
        ),
    )
    task_id = run_async(
        do_report,
        world.resident.id,
        world.building_id,
        NewReport(
            title="Stair light broken on the sixth floor",
            description="It is dark at night.",
            place_kind="stairwell",
            place="Stairwell 6F",
            category="lighting",
        ),
    )
    return {
        "route": patrol.route_id,
        "round": round_id,
        "event": event_id,
        "notice": notice_id,
        "task": task_id,
    }


def pages_of(who: str, world: World, ids: dict[str, int]) -> list[str]:
    b = world.building_id
    common = [
        "/",
        f"/b/{b}/events",
        f"/b/{b}/events/{ids['event']}",
        f"/b/{b}/notices",
        f"/b/{b}/tasks",
        f"/b/{b}/tasks/{ids['task']}",
        f"/b/{b}/tasks/new",
        "/profile",
        "/settings/notifications",
        "/calendar",
    ]
    if who == "anonymous":
        return ["/login", "/offline"]
    if who == "volunteer":
        return [
            *common,
            f"/b/{b}/patrols",
            f"/b/{b}/patrols/week",
            f"/b/{b}/rounds/{ids['round']}",
            f"/b/{b}/logbook",
            f"/b/{b}/tasks/mine",
        ]
    if who == "leader":
        return [
            "/",
            f"/b/{b}/members",
            f"/b/{b}/invite",
            f"/b/{b}/routes",
            f"/b/{b}/routes/{ids['route']}",
            f"/b/{b}/logbook",
            f"/b/{b}/coverage",
            f"/b/{b}/events/new",
            f"/b/{b}/events/{ids['event']}/people",
            f"/b/{b}/notices/{ids['notice']}/edit",
            f"/b/{b}/tasks/{ids['task']}",
            f"/b/{b}/tasks/{ids['task']}/assign",
            "/password",
        ]
    return common


def double_the_browsers_text(tab: Tab) -> None:
    """Chromium's own text size setting (chrome://settings/fonts), doubled."""
    session = tab.page.context.new_cdp_session(tab.page)
    session.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})


def turn_on_large_text(tab: Tab, who: str) -> None:
    tab.goto("/login" if who == "anonymous" else "/")
    button = tab.page.locator(".topbar form[action='/preferences/text-size'] button")
    with tab.page.expect_navigation(wait_until="load"):
        button.click()
    assert "large-text" in (tab.page.locator("html").get_attribute("class") or "")


@pytest.mark.parametrize("size", ["hub-large-text", "browser-200%"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_holds_at_320px_with_large_text(
    open_tab: OpenTab, world: World, language: str, size: str
) -> None:
    ids = make_data(world)
    report: list[str] = []
    for who in ("anonymous", "resident", "volunteer", "leader"):
        tab = open_tab(language, **SMALL_PHONE)
        if size == "browser-200%":
            double_the_browsers_text(tab)
        if who != "anonymous":
            tab.sign_in(world.people[who].login)
        if size == "hub-large-text":
            turn_on_large_text(tab, who)
        for path in pages_of(who, world, ids):
            tab.goto(path)
            font = tab.page.evaluate(
                "parseFloat(getComputedStyle(document.documentElement).fontSize)"
            )
            assert font >= 20, f"{path}: the text is {font}px, not large"
            problems = tab.page.evaluate(PAGE_PROBLEMS, [CONTROLS, MIN_TARGET])
            report += [f"{who} {path}: {problem}" for problem in problems]
            name = path.strip("/").replace("/", "-") or "today"
            tab.screenshot(f"large-{size}-{who}-{name}-{language}-320")
        report += [f"{who}: {problem}" for problem in tab.problems()]
    assert not report, f"{language}, {size}:\n" + "\n".join(report)
