"""What a new building team meets in its first week (issue 13), in a real browser: signed-out
forms at full width on a laptop, a round finished with its summary, the join link shared or
copied, and a round walked offline where a double tap is one check-in."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.support import DESKTOP, PHONE, Tab, join_token, run_async, setup_token
from tests.browser.test_pwa import queued, start_round, wait_for_service_worker
from tests.factories import World
from tests.patrols.world import make_route, make_shift

OpenTab = Callable[..., Tab]
NARROWEST_FORM = 400  # CSS px: the signed-out forms' card is 28rem (448 px) on a laptop


def form_width(tab: Tab) -> float:
    box = tab.page.locator("main form").last.bounding_box()
    assert box is not None
    return float(box["width"])


@pytest.mark.parametrize("language", ["zh", "en"])
def test_signed_out_forms_are_not_squeezed_on_a_laptop(open_tab: OpenTab, language: str) -> None:
    tab = open_tab(language, **DESKTOP)
    tab.goto(f"/setup/{setup_token()}")
    assert form_width(tab) >= NARROWEST_FORM, "first start"
    tab.screenshot(f"setup-{language}-1280")
    tab.goto("/login")
    assert form_width(tab) >= NARROWEST_FORM, "sign in"
    tab.screenshot(f"login-{language}-1280")


def test_the_join_form_is_not_squeezed_on_a_laptop(open_tab: OpenTab, world: World) -> None:
    tab = open_tab("zh", **DESKTOP)
    tab.goto(f"/join/{join_token(world.building_id)}")
    assert form_width(tab) >= NARROWEST_FORM
    main = tab.page.locator("main").bounding_box()
    assert main is not None
    assert main["x"] > 100, "the content sits in the middle, not in a navigation column"
    tab.screenshot("join-zh-1280")
    tab.assert_clean("the join page on a laptop")


# Item 13: the join link, shared or copied -----------------------------------------------------

SHARE_SHEET = """
navigator.share = async (data) => { window.__shared = data; };
"""


@pytest.mark.parametrize("language", ["zh", "en"])
def test_on_a_phone_the_join_link_goes_to_the_share_sheet(
    open_tab: OpenTab, world: World, language: str
) -> None:
    tab = open_tab(language, **PHONE)
    tab.page.context.add_init_script(SHARE_SHEET)  # the phone's share sheet, as Android has it
    tab.sign_in(world.leader.login)
    tab.goto(f"/b/{world.building_id}/invite")
    button = tab.page.locator("[data-share]")
    expect(button).to_have_text("分享链接" if language == "zh" else "Share the link")
    tab.screenshot(f"invite-share-{language}-390", at=button)
    button.click()
    shared = tab.page.wait_for_function("() => window.__shared").json_value()
    assert shared["url"] == f"{tab.base_url}/join/{join_token(world.building_id)}"
    assert "Building 2" in shared["title"]
    tab.assert_clean("sharing the join link")


def test_elsewhere_the_join_link_is_copied(open_tab: OpenTab, world: World) -> None:
    tab = open_tab("en", **DESKTOP)
    tab.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=tab.base_url)
    tab.sign_in(world.leader.login)
    tab.goto(f"/b/{world.building_id}/invite")
    button = tab.page.locator("[data-share]")
    expect(button).to_have_text("Copy the link")
    button.click()
    expect(tab.page.locator(".share-status")).to_have_text(
        "Copied. Paste it into your building’s chat group."
    )
    copied = tab.page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{tab.base_url}/join/{join_token(world.building_id)}"
    tab.screenshot("invite-copied-en-1280")
    tab.assert_clean("copying the join link")


def test_a_phone_without_a_share_sheet_copies_the_link(open_tab: OpenTab, world: World) -> None:
    tab = open_tab("zh", **PHONE)
    tab.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=tab.base_url)
    tab.sign_in(world.leader.login)
    tab.goto(f"/b/{world.building_id}/invite")
    button = tab.page.locator("[data-share]")
    expect(button).to_have_text("复制链接")
    button.click()
    expect(tab.page.locator(".share-status")).not_to_be_empty()
    assert tab.page.evaluate("navigator.clipboard.readText()").endswith(
        f"/join/{join_token(world.building_id)}"
    )
    tab.screenshot("invite-copied-zh-390", at=button)


# Items 2 and 3: a round walked offline --------------------------------------------------------

SAVED = {
    "en": "Check-in saved on this phone. It is sent when you are online.",
    "zh": "打卡已保存在手机上，联网后会自动发送。",
}
WAITING = {"en": "saved on this phone, waiting to send", "zh": "已存在手机上，等待发送"}


def check_ins() -> list[dict[str, object]]:
    from hub.patrols.tables import CheckIn

    return run_async(CheckIn.select().order_by(CheckIn.id).run)


def check_ins_once_stored(seconds: float = 5.0) -> list[dict[str, object]]:
    """The check-ins, read again until there are some: the phone forgets a sent item when the
    server answers, and this test's own connection to the database has been seen to read the
    row a moment after that (empty at once, there 1.5 s later; never lost)."""
    deadline = time.monotonic() + seconds
    rows = check_ins()
    while not rows and time.monotonic() < deadline:
        time.sleep(0.1)
        rows = check_ins()
    return rows


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_double_tap_on_a_poster_offline_is_one_check_in_shown_at_once(
    open_tab: OpenTab, world: World, language: str
) -> None:
    patrol = run_async(make_route, world)
    start_round(world, patrol.route_id)
    poster = f"/c/{patrol.tokens[1]}"
    tab = open_tab(language, **PHONE)
    tab.sign_in(world.volunteer.login)
    wait_for_service_worker(tab)
    tab.goto(poster)  # kept for offline use once opened
    tab.page.context.set_offline(True)
    form = tab.page.locator("form.check-in-form")
    # Two taps before the page has changed, as a thumb does.
    tab.page.evaluate(
        "() => { const form = document.querySelector('form.check-in-form');"
        " form.requestSubmit(); form.requestSubmit(); }"
    )
    saved = tab.page.locator(".saved-here")
    expect(saved).to_have_text("✓ " + SAVED[language])
    expect(form).to_be_hidden()
    assert len(queued(tab)) == 1
    tab.screenshot(f"poster-offline-saved-{language}-390")

    tab.goto(poster)  # the kept copy, opened again: the check-in already waits
    expect(tab.page.locator(".saved-here")).to_be_visible()
    expect(form).to_be_hidden()
    assert len(queued(tab)) == 1

    tab.page.context.set_offline(False)
    tab.page.wait_for_function("async () => (await HubQueue.all()).length === 0")
    rows = check_ins_once_stored()
    assert [row["checkpoint"] for row in rows] == [patrol.checkpoint_ids[1]]
    tab.assert_clean("a double tap on a poster offline")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_round_page_offline_shows_what_waits_on_the_phone_as_done(
    open_tab: OpenTab, world: World, language: str
) -> None:
    patrol = run_async(make_route, world)
    round_id = start_round(world, patrol.route_id)
    round_path = f"/b/{world.building_id}/rounds/{round_id}"
    tab = open_tab(language, **PHONE)
    tab.sign_in(world.volunteer.login)
    wait_for_service_worker(tab)
    tab.goto(round_path)
    tab.goto(f"/c/{patrol.tokens[0]}")
    tab.page.context.set_offline(True)
    tab.page.locator("form.check-in-form button[type=submit]").click()  # scanned, offline
    expect(tab.page.locator(".saved-here")).to_be_visible()

    tab.goto(round_path)  # the copy kept before the scan
    rows = tab.page.locator(".round-checkpoint")
    first = rows.nth(0)
    expect(first).to_have_class(re.compile(r"\bqueued\b"))
    expect(first).to_contain_text(WAITING[language])
    expect(first.locator("form[action$='/checkins']")).to_be_hidden()
    # The next one to walk is still offered.
    expect(rows.nth(1).locator("form[action$='/checkins'] button")).to_be_visible()
    rows.nth(1).locator("form[action$='/checkins'] button").click()  # "I'm here", offline
    expect(rows.nth(1)).to_contain_text(WAITING[language])
    rows.nth(1).locator("form[action$='/checkins'] button").evaluate("b => b.form.requestSubmit()")
    assert len(queued(tab)) == 2, "a checkpoint waits once, however often it is tapped"
    tab.screenshot(f"round-offline-waiting-{language}-390")

    with tab.page.expect_navigation():
        tab.page.context.set_offline(False)
    expect(tab.page.locator("main")).to_contain_text(
        "已完成 2 / 3 个巡逻点" if language == "zh" else "2 of 3 checkpoints"
    )
    assert sorted(row["checkpoint"] for row in check_ins()) == sorted(patrol.checkpoint_ids[:2])
    tab.assert_clean("the round offline")


# Item 7: a round finished, with its summary, and the shift walked ------------------------------


@pytest.mark.parametrize("language", ["zh", "en"])
def test_finishing_a_round_says_so_with_its_summary_and_the_shift_shows_walked(
    open_tab: OpenTab, world: World, language: str
) -> None:
    from hub.patrols.tables import ShiftSignup

    patrol = run_async(make_route, world)
    shift_id = run_async(make_shift, world, patrol.route_id, in_hours=-0.25, hours=1)
    run_async(ShiftSignup.insert(ShiftSignup(shift=shift_id, user=world.volunteer.id)).run)
    b = world.building_id
    tab = open_tab(language, **PHONE)
    tab.sign_in(world.volunteer.login)
    tab.goto(f"/b/{b}/patrols")
    with tab.page.expect_navigation():
        tab.page.locator(f"form:has(input[name=shift_id][value='{shift_id}']) button").click()
    for _ in range(3):
        with tab.page.expect_navigation():
            tab.page.locator("form[action$='/checkins'] button").first.click()
    with tab.page.expect_navigation():
        tab.page.locator(".round-finish button").click()
    told = tab.page.locator(".told .notice")
    expect(told).to_have_text(
        "本次巡逻已完成。谢谢！" if language == "zh" else "Your round is finished. Thank you!"
    )
    summary = tab.page.locator(".round-summary")
    expect(summary).to_contain_text("3 / 3")
    expect(tab.page.locator(".round-finish")).to_have_count(0)
    tab.screenshot(f"round-finished-{language}-390")

    with tab.page.expect_navigation():
        summary.locator(f"a[href='/b/{b}/patrols']").click()
    walked = tab.page.locator(".shift.mine.walked")
    expect(walked).to_contain_text("已巡逻" if language == "zh" else "Walked")
    expect(tab.page.locator(f"input[name=shift_id][value='{shift_id}']")).to_have_count(0)
    tab.screenshot(f"patrols-shift-walked-{language}-390", at=walked)
    tab.assert_clean("a round finished")
