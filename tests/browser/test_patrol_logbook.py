"""The patrol log book and the coverage grid on a 390 x 844 phone: a week with two rounds,
screenshots, axe-core clean in Chinese and English, and nothing wider than the screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from hub.patrols.tables import CheckIn
from tests.browser.support import (
    HTML_LANG,
    LANGUAGES,
    Tab,
    axe_violations,
    describe_violations,
    run_async,
)
from tests.factories import World
from tests.patrols.test_logbook import at_local, old_route, past_round, this_monday

OpenTab = Callable[..., Tab]


def a_week_with_two_rounds(world: World) -> str:
    """Two rounds last week (one complete with a note and a late-sent check-in, one with a
    skipped checkpoint); returns that week's Monday."""
    monday = this_monday() - timedelta(weeks=1)

    async def make() -> None:
        patrol = await old_route(world, names=("大堂", "6楼楼梯间", "自行车棚"))
        tuesday = at_local(monday + timedelta(days=1), 19)
        await past_round(
            patrol,
            world.volunteer.id,
            tuesday,
            [
                {"index": 0, "note": "门口的灯不亮了"},
                {"index": 1, "manual": True},
                {"index": 2, "device_time": tuesday + timedelta(minutes=2)},
            ],
        )
        thursday = at_local(monday + timedelta(days=3), 20, 30)
        await past_round(
            patrol,
            world.leader.id,
            thursday,
            [{"index": 0}, {"index": 1}, {"index": 2, "skipped": True, "note": "门锁着"}],
        )

    run_async(make)
    return monday.isoformat()


def assert_fits_the_phone(tab: Tab) -> None:
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{tab.path} is {width}px wide on a 390px phone"


def assert_axe_clean(tab: Tab, where: str) -> None:
    violations = axe_violations(tab.page)
    assert not violations, f"{where}:\n{describe_violations(violations)}"
    tab.assert_clean(where)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_log_book_of_a_week_with_two_rounds_on_a_phone(
    open_tab: OpenTab, world: World, language: str
) -> None:
    monday = a_week_with_two_rounds(world)
    tab = open_tab(language)
    tab.sign_in(world.leader.login)
    tab.goto(f"/b/{world.building_id}/logbook?week={monday}")
    assert tab.html_lang() == HTML_LANG[language]
    cards = tab.page.locator("tr.log-round")
    assert cards.count() == 2
    assert "大堂" in cards.first.inner_text()
    assert "门锁着" in cards.last.inner_text()
    # On the phone every round is a card: the table header is hidden, the rows are blocks.
    assert cards.first.evaluate("(el) => getComputedStyle(el).display") == "block"
    assert_fits_the_phone(tab)
    tab.screenshot(f"patrol-logbook-{language}")
    tab.screenshot(f"patrol-logbook-{language}-end", bottom=True)
    assert_axe_clean(tab, f"log book ({language})")

    # On paper it is a table again, with the signature column.
    tab.page.emulate_media(media="print")
    assert cards.first.evaluate("(el) => getComputedStyle(el).display") == "table-row"
    assert tab.page.locator("th.log-sign").first.is_visible()
    assert not tab.page.locator("#mainnav").is_visible()
    tab.page.emulate_media(media="screen")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_coverage_grid_on_a_phone(open_tab: OpenTab, world: World, language: str) -> None:
    a_week_with_two_rounds(world)
    # and a visit right now, so this week has one too

    async def now() -> None:
        await CheckIn.update({CheckIn.recorded_at: datetime.now(UTC)}).where(
            CheckIn.note == "门口的灯不亮了"
        )

    run_async(now)
    tab = open_tab(language)
    tab.sign_in(world.leader.login)
    tab.goto(f"/b/{world.building_id}/coverage?weeks=2")
    assert tab.page.locator("table.heat tbody tr").count() == 3
    assert tab.page.locator("td.heat-4").count() >= 1
    grid = tab.page.locator(".heat-scroll")
    assert grid.evaluate("(el) => el.scrollWidth > el.clientWidth"), "the grid scrolls in its box"
    assert_fits_the_phone(tab)
    tab.screenshot(f"patrol-coverage-{language}")
    assert_axe_clean(tab, f"coverage ({language})")
