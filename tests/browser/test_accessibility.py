"""axe-core on every page of Hub, in Chinese and in English, and no console error or CSP
violation on any of them.

A known defect that is not fixed yet goes in an allow-list below, named after the page, so the
suite stays green meanwhile and a new defect still fails; empty the entry once it is fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.support import (
    HTML_LANG,
    LANGUAGES,
    Tab,
    axe_violations,
    describe_violations,
    join_token,
    setup_token,
)
from tests.factories import World


def unexpected_problems(tab: Tab) -> list[str]:
    return tab.problems()


# The pages ------------------------------------------------------------------------------------


def submit(tab: Tab, form: str, *, status: int) -> None:
    with tab.page.expect_navigation(wait_until="load") as navigation:
        tab.page.locator(f"{form} button[type=submit]").last.click()
    response = navigation.value
    assert response is not None
    assert response.status == status, f"{form}: {response.status}, expected {status}"


def login_page(tab: Tab, world: World | None) -> None:
    tab.goto("/login")


def login_with_wrong_password(tab: Tab, world: World | None) -> None:
    tab.goto("/login")
    tab.page.locator("#f-login").fill("13900000001")
    tab.page.locator("#f-password").fill("not the password")
    submit(tab, "form[action='/login']", status=422)
    assert tab.page.locator("#f-login").input_value() == "13900000001", "what was typed is lost"
    assert tab.page.locator("#f-login").get_attribute("aria-invalid") == "true"


def join_page(tab: Tab, world: World | None) -> None:
    assert world is not None
    tab.goto(f"/join/{join_token(world.building_id)}")


def join_with_bad_phone(tab: Tab, world: World | None) -> None:
    assert world is not None
    token = join_token(world.building_id)
    tab.goto(f"/join/{token}")
    tab.page.locator("#f-display_name").fill("Aunt Wang, 6F")
    tab.page.locator("#f-contact").fill("12345")
    tab.page.locator("#f-password").fill("long enough password")
    submit(tab, f"form[action='/join/{token}']", status=422)
    assert tab.page.locator("#f-display_name").input_value() == "Aunt Wang, 6F"
    assert tab.page.locator("#f-contact").get_attribute("aria-invalid") == "true"


def setup_page(tab: Tab, world: World | None) -> None:
    tab.goto(f"/setup/{setup_token()}")


def setup_with_nothing_filled_in(tab: Tab, world: World | None) -> None:
    token = setup_token()
    tab.goto(f"/setup/{token}")
    submit(tab, f"form[action='/setup/{token}']", status=422)
    assert tab.page.locator("[aria-invalid=true]").count() == 5


def not_found(tab: Tab, world: World | None) -> None:
    tab.goto("/no-such-page", status=404)


def today(tab: Tab, world: World | None) -> None:
    tab.goto("/")


def members(tab: Tab, world: World | None) -> None:
    assert world is not None
    tab.goto(f"/b/{world.building_id}/members")


def invite(tab: Tab, world: World | None) -> None:
    assert world is not None
    tab.goto(f"/b/{world.building_id}/invite")


def join_poster(tab: Tab, world: World | None) -> None:
    assert world is not None
    tab.goto(f"/b/{world.building_id}/invite/poster")


def profile(tab: Tab, world: World | None) -> None:
    tab.goto("/profile")


def password(tab: Tab, world: World | None) -> None:
    tab.goto("/password")


def admin(tab: Tab, world: World | None) -> None:
    tab.goto("/admin")


def notification_settings(tab: Tab, world: World | None) -> None:
    tab.goto("/settings/notifications")
    tab.page.locator("[data-push-state='ready']").wait_for(state="visible")


def notification_settings_with_bad_hours(tab: Tab, world: World | None) -> None:
    tab.goto("/settings/notifications")
    tab.page.locator("#f-quiet").check()
    tab.page.locator("#f-quiet_end").fill("22:00")
    tab.page.locator("#f-quiet_start").fill("22:00")
    submit(tab, "form[action='/settings/notifications']", status=422)
    assert tab.page.locator("#f-quiet_end").get_attribute("aria-invalid") == "true"
    assert tab.page.locator("#f-quiet_start").input_value() == "22:00", "what was typed is lost"


@dataclass(frozen=True)
class PageCase:
    name: str
    visit: Callable[[Tab, World | None], None]
    # Who looks at it: a role of tests/factories.World, "anonymous", or "first start" (no
    # account exists yet, so there is no world either).
    who: str = "anonymous"


PAGES = [
    PageCase("login", login_page),
    PageCase("login-error", login_with_wrong_password),
    PageCase("join", join_page),
    PageCase("join-error", join_with_bad_phone),
    PageCase("setup", setup_page, who="first start"),
    PageCase("setup-error", setup_with_nothing_filled_in, who="first start"),
    PageCase("not-found-anonymous", not_found),
    PageCase("today-resident", today, who="resident"),
    PageCase("today-volunteer", today, who="volunteer"),
    PageCase("today-leader", today, who="leader"),
    PageCase("members", members, who="leader"),
    PageCase("invite", invite, who="leader"),
    PageCase("join-poster", join_poster, who="leader"),
    PageCase("profile", profile, who="leader"),
    PageCase("password", password, who="leader"),
    PageCase("admin", admin, who="admin"),
    PageCase("notifications", notification_settings, who="resident"),
    PageCase("notifications-error", notification_settings_with_bad_hours, who="resident"),
    PageCase("not-found", not_found, who="leader"),
]


# The test -------------------------------------------------------------------------------------

VIEWERS = list(dict.fromkeys(case.who for case in PAGES))


def check_page(tab: Tab, case: PageCase, world: World | None) -> list[str]:
    """What is wrong with one page: console errors, CSP violations, axe violations."""
    case.visit(tab, world)
    failures = unexpected_problems(tab)
    tab.watch.clear()
    if tab.html_lang() != HTML_LANG[tab.language]:
        failures.append(f"<html lang> is {tab.html_lang()!r}, expected {HTML_LANG[tab.language]!r}")
    tab.screenshot(f"{case.name}-{tab.language}-390")
    violations = axe_violations(tab.page)
    if violations:
        failures.append(f"axe on {tab.path}:\n{describe_violations(violations)}")
    return failures


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("who", VIEWERS)
def test_pages_are_accessible_and_error_free(
    who: str, language: str, open_tab: Callable[..., Tab], request: pytest.FixtureRequest
) -> None:
    """Every page this viewer can see, one after the other in one browser context."""
    world: World | None = None if who == "first start" else request.getfixturevalue("world")
    tab = open_tab(language)
    if world is not None and who != "anonymous":
        tab.sign_in(world.people[who].login)
    report: list[str] = []
    for case in (case for case in PAGES if case.who == who):
        try:
            failures = check_page(tab, case, world)
        except (AssertionError, PlaywrightError) as error:
            failures = [f"{type(error).__name__}: {error}"]
        report += [f"[{case.name}] {failure}" for failure in failures]
    assert not report, f"{who}, {language}:\n" + "\n".join(report)


def test_the_watch_sees_csp_violations_and_console_errors(open_tab: Callable[..., Tab]) -> None:
    """The checks above would pass on a broken page if the listeners heard nothing."""
    tab = open_tab("en")
    tab.goto("/login")
    tab.page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "https://example.invalid/tracker.png";
            document.body.append(img);
            console.error("something broke");
        }"""
    )
    blocked = "CSP violation: img-src blocked https://example.invalid/tracker.png"
    for _ in range(40):  # the violation event arrives a moment after the image is added
        problems = tab.problems()
        if any(p.startswith(blocked) for p in problems):
            break
        tab.page.wait_for_timeout(50)
    assert any(p.startswith(blocked) for p in problems), problems
    assert any(p.startswith("console error: something broke") for p in problems), problems
