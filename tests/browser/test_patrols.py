"""A patrol in a real browser on a phone: a volunteer signs up for a shift, starts the round,
opens each checkpoint's poster URL as a phone camera would, adds a note and a photo, finishes,
and finds the round in the log book; axe finds
nothing on the patrol pages in either language."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    LANGUAGES,
    PHONE,
    Tab,
    axe_violations,
    describe_violations,
    run_async,
)
from tests.factories import World
from tests.media.images import phone_jpeg
from tests.patrols.world import make_route, make_shift

OpenTab = Callable[..., Tab]


def test_a_volunteer_walks_a_round_from_sign_up_to_finish(open_tab: OpenTab, world: World) -> None:
    patrol = run_async(make_route, world)
    shift_id = run_async(make_shift, world, patrol.route_id, volunteers=2, in_hours=0.5)
    b = world.building_id

    tab = open_tab("en", **PHONE)
    tab.sign_in(world.volunteer.login)
    tab.page.locator("#mainnav a", has_text="Patrols").click()
    tab.page.wait_for_url(tab.url(f"/b/{b}/patrols"))
    card = tab.page.locator(f"#shift-{shift_id}")
    card.get_by_role("button", name="Sign up").click()
    expect(card).to_contain_text("Volunteer Li")
    expect(card.get_by_role("button", name="Withdraw")).to_be_visible()
    tab.screenshot("patrols-signed-up-en-390")

    tab.goto(f"/b/{b}/patrols")
    tab.page.get_by_role("button", name="Start round").click()
    tab.page.wait_for_url(lambda url: "/rounds/" in url)
    round_url = tab.page.url
    expect(tab.page.locator("main")).to_contain_text("0 of 3 checkpoints")

    for number, token in enumerate(patrol.tokens, start=1):
        tab.goto(f"/c/{token}")  # what the phone camera opens
        if number == 2:  # a note and a photo taken with the check-in
            tab.page.locator("summary", has_text="Add a note or a photo").click()
            tab.page.get_by_label("Note").fill("Handrail loose on the 6th floor")
            tab.page.get_by_label("Photo").set_input_files(
                {"name": "handrail.jpg", "mimeType": "image/jpeg", "buffer": phone_jpeg()}
            )
            tab.screenshot("patrols-check-in-with-photo-en-390")
        tab.page.get_by_role("button", name="Check in here").click()
        tab.page.wait_for_url(round_url)
        expect(tab.page.locator("main")).to_contain_text(f"{number} of 3 checkpoints")

    tab.page.locator("summary", has_text="Add a note").first.click()
    tab.page.get_by_label("Note for Lobby").fill("Light out by the mailboxes")
    tab.page.get_by_role("button", name="Save note").first.click()
    tab.page.wait_for_url(round_url)
    expect(tab.page.locator("main")).to_contain_text("Light out by the mailboxes")
    expect(tab.page.locator("main")).to_contain_text("Handrail loose on the 6th floor")
    photo = tab.page.get_by_role("img", name="Photo 1 at Stairwell 6F")
    expect(photo).to_be_visible()
    assert photo.evaluate("image => image.naturalWidth") > 0
    tab.screenshot("patrols-round-en-390")
    violations = axe_violations(tab.page)
    assert not violations, describe_violations(violations)

    tab.page.get_by_role("button", name="Finish round").click()
    tab.page.wait_for_url(round_url)  # with the round's summary
    expect(tab.page.locator(".round-summary")).to_contain_text("3 / 3")

    tab.goto(f"/b/{b}/logbook")
    book = tab.page.locator("main")
    expect(book).to_contain_text("Volunteer Li")
    expect(book).to_contain_text("Handrail loose on the 6th floor")
    expect(book).to_contain_text("Light out by the mailboxes")
    logged_photo = book.get_by_role("img", name="Photo 1 at Stairwell 6F")
    expect(logged_photo).to_be_visible()
    tab.screenshot("patrols-logbook-after-round-en-390", at=logged_photo)
    tab.assert_clean("the round")


@pytest.mark.parametrize("language", LANGUAGES)
def test_patrol_pages_are_accessible(open_tab: OpenTab, world: World, language: str) -> None:
    patrol = run_async(make_route, world)
    run_async(make_shift, world, patrol.route_id, volunteers=2)
    b = world.building_id
    tab = open_tab(language, **PHONE)
    tab.sign_in(world.leader.login)
    pages = [
        f"/b/{b}/patrols",
        f"/b/{b}/patrols/week",
        f"/b/{b}/routes",
        f"/b/{b}/routes/{patrol.route_id}",
        f"/b/{b}/checkpoints/{patrol.checkpoint_ids[0]}/poster?size=a5",
        f"/c/{patrol.tokens[0]}",
    ]
    failures = []
    for path in pages:
        tab.goto(path)
        violations = axe_violations(tab.page)
        if violations:
            failures.append(f"{path}:\n{describe_violations(violations)}")
    tab.screenshot(f"patrols-route-{language}-390")
    assert not failures, "\n".join(failures)
    tab.assert_clean("patrol pages")


def test_a_check_in_can_carry_the_phones_location(open_tab: OpenTab, world: World) -> None:
    from hub.patrols.tables import CheckIn

    patrol = run_async(make_route, world)
    tab = open_tab(
        "en",
        **PHONE,
        permissions=["geolocation"],
        geolocation={"latitude": 31.1446, "longitude": 121.5101},
    )
    tab.sign_in(world.volunteer.login)
    tab.goto(f"/c/{patrol.tokens[0]}")
    share = tab.page.get_by_label("Add my location to this check-in")
    share.check()
    expect(tab.page.locator("[data-geo=latitude]")).to_have_value("31.1446")
    tab.page.get_by_role("button", name="Start a round and check in here").click()
    tab.page.wait_for_url(lambda url: "/rounds/" in url)
    expect(tab.page.locator("main")).to_contain_text("with location")
    row = run_async(CheckIn.select(CheckIn.latitude, CheckIn.longitude).first().run)
    assert (round(row["latitude"], 4), round(row["longitude"], 4)) == (31.1446, 121.5101)
    tab.assert_clean("a check-in with location")
