"""Paper: the printed log book holds only the days that have rounds, on white, its narrow columns
as wide as their content; the posters' preview on a phone keeps the QR code square."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from hub.patrols import actions as patrols
from hub.patrols.observations import do_observe
from tests.browser.support import PHONE, Tab, run_async
from tests.factories import World
from tests.patrols.world import make_route

OpenTab = Callable[..., Tab]


def test_the_printed_log_book_keeps_only_the_days_with_rounds(
    open_tab: OpenTab, world: World
) -> None:
    patrol = run_async(make_route, world)
    run_async(
        patrols.do_start_round, world.leader.id, world.building_id, patrol.route_id, shift_id=None
    )
    _round, check_in_id = run_async(
        patrols.do_check_in,
        world.leader.id,
        world.building_id,
        patrol.checkpoint_ids[0],
        patrols.CheckInInput(client_uuid=str(uuid.uuid4()), device_time=None, manual=True),
    )
    run_async(
        do_observe,
        world.leader.id,
        world.building_id,
        check_in_id,
        kind="repair",
        severity="high",
        note="Lobby light out",
    )
    tab = open_tab("en", viewport={"width": 1000, "height": 800})
    tab.sign_in(world.leader.login)
    tab.goto(f"/b/{world.building_id}/logbook")
    assert tab.page.locator(".log-day").count() == 7
    tab.page.emulate_media(media="print")
    shown = tab.page.evaluate(
        "[...document.querySelectorAll('.log-day')].filter((d) => d.getClientRects().length).length"
    )
    assert shown == 1, "the six days without rounds take no paper"
    observation = tab.page.locator(".log-note.observation")
    assert observation.is_visible(), "what was seen on the round is on paper too"
    assert "Lobby light out" in observation.inner_text()
    background = tab.page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), background
    widths = tab.page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.log-table thead th')]
            .map((th) => [th.textContent.trim(), th.getBoundingClientRect().width]))"""
    )
    assert widths["Start"] < widths["Checkpoints"] / 2, widths
    assert widths["End"] < widths["Checkpoints"] / 2, widths
    tab.assert_clean("the printed log book")


def test_the_poster_preview_on_a_phone_keeps_the_qr_code_square(
    open_tab: OpenTab, world: World
) -> None:
    patrol = run_async(make_route, world)
    tab = open_tab("zh", **PHONE)
    tab.sign_in(world.leader.login)
    b = world.building_id
    for path in (
        f"/b/{b}/invite/poster",
        f"/b/{b}/checkpoints/{patrol.checkpoint_ids[0]}/poster?size=a4",
        f"/b/{b}/checkpoints/{patrol.checkpoint_ids[0]}/poster?size=a5",
    ):
        tab.goto(path)
        box = tab.page.locator(".poster-qr").bounding_box()
        assert box is not None
        assert abs(box["width"] - box["height"]) <= 1, f"{path}: the QR code is {box}"
        assert box["width"] <= PHONE["viewport"]["width"], f"{path}: wider than the phone"
    tab.assert_clean("poster previews")


def pdf_pages(tab: Tab) -> list[tuple[float, float]]:
    """The size of each page (width, height in points) of the page printed to PDF."""
    import re

    pdf = tab.page.pdf(prefer_css_page_size=True)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(round(float(w)), round(float(h))) for w, h in boxes]


A4 = (595, 842)
A5 = (420, 595)
A4_LANDSCAPE = (842, 595)


def test_a_routes_posters_print_one_a_page_on_the_paper_chosen(
    open_tab: OpenTab, world: World
) -> None:
    patrol = run_async(make_route, world)
    tab = open_tab("zh", viewport={"width": 1000, "height": 800})
    tab.sign_in(world.leader.login)
    posters = f"/b/{world.building_id}/routes/{patrol.route_id}/posters"
    for size, pages in (("a4", [A4] * 3), ("a5", [A5] * 3), ("a5x2", [A4_LANDSCAPE] * 2)):
        tab.goto(f"{posters}?size={size}")
        tab.page.wait_for_function(
            "[...document.images].every((img) => img.complete && img.naturalWidth > 0)"
        )
        assert pdf_pages(tab) == pages, size
        tab.screenshot(f"route-posters-{size}-zh-1000")
    tab.assert_clean("a route's posters")
