"""Hub in a real browser: languages, large text, the navigation on a phone and a laptop, touch
target sizes, and htmx navigation with the back button."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.support import (
    DESKTOP,
    HTML_LANG,
    LANGUAGES,
    PHONE,
    Tab,
    axe_violations,
    describe_violations,
)
from tests.factories import World

OpenTab = Callable[..., Tab]
MIN_TARGET = 44  # CSS px, the size hub.css promises for every control
INTERACTIVE = "a[href], button, input:not([type=hidden]), select, textarea, summary"
# Every visible control's size, but links in running text (inside a paragraph, not buttons)
# and what sits off screen until focused (the skip link).
MEASURE_TARGETS = """
(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().right > 0)
  .filter((el) => !(el.matches("p a:not(.button)")))
  .map((el) => {
    const box = el.getBoundingClientRect();
    const label = (el.getAttribute("aria-label") || el.textContent || el.name || "").trim();
    const classes = [...el.classList].map((c) => "." + c).join("");
    return {
      what: `${el.tagName.toLowerCase()}${classes} "${label.slice(0, 30)}"`,
      width: Math.round(box.width * 10) / 10,
      height: Math.round(box.height * 10) / 10,
    };
  })
"""


def assert_no_page_errors(tab: Tab, where: str) -> None:
    problems = tab.problems()
    assert not problems, f"{where}:\n  " + "\n  ".join(problems)


def no_horizontal_scroll(tab: Tab) -> None:
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    viewport = tab.page.viewport_size
    assert viewport is not None
    assert width <= viewport["width"], f"{tab.path} is {width}px wide in {viewport['width']}px"


def switch_language(tab: Tab, language: str) -> None:
    button = tab.page.locator(f".topbar .language-switch button[value={language}]")
    with tab.page.expect_navigation(wait_until="load"):
        button.click()
    assert tab.html_lang() == HTML_LANG[language]
    assert button.get_attribute("aria-pressed") == "true"


def test_leader_on_a_phone_switches_language_and_text_size(open_tab: OpenTab, world: World) -> None:
    tab = open_tab("zh", **PHONE)
    tab.sign_in(world.leader.login)
    assert tab.path == "/", "a leader lands on Today"
    assert tab.html_lang() == "zh-Hans"
    headings = {"zh": tab.h1()}
    no_horizontal_scroll(tab)
    tab.screenshot("today-zh-390")

    switch_language(tab, "en")
    assert tab.path == "/"
    headings["en"] = tab.h1()
    assert headings["en"] == "Today"
    assert headings["zh"] != headings["en"], "the heading did not change with the language"
    no_horizontal_scroll(tab)
    tab.screenshot("today-en-390")

    text_size = tab.page.locator(".topbar form[action='/preferences/text-size'] button")
    assert text_size.get_attribute("aria-pressed") == "false"
    normal = tab.page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    with tab.page.expect_navigation(wait_until="load"):
        text_size.click()
    assert "large-text" in (tab.page.locator("html").get_attribute("class") or "")
    assert text_size.get_attribute("aria-pressed") == "true"
    large = tab.page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert large >= normal * 1.2, f"large text is {large}px, normal {normal}px"
    no_horizontal_scroll(tab)
    tab.screenshot("today-en-390-large")
    tab.screenshot("today-en-390-large-end", bottom=True)

    switch_language(tab, "zh")
    assert tab.h1() == headings["zh"]
    assert "large-text" in (tab.page.locator("html").get_attribute("class") or ""), (
        "large text did not survive a change of language"
    )
    no_horizontal_scroll(tab)
    tab.screenshot("today-zh-390-large")
    tab.screenshot("today-zh-390-large-end", bottom=True)
    assert_no_page_errors(tab, "Today")


def test_navigation_is_beside_the_content_on_a_laptop(open_tab: OpenTab, world: World) -> None:
    tab = open_tab("en", **DESKTOP)
    tab.sign_in(world.leader.login)
    nav = tab.page.locator("#mainnav").bounding_box()
    main = tab.page.locator("#main").bounding_box()
    assert nav
    assert main
    assert nav["x"] + nav["width"] <= main["x"] + 1, f"nav {nav} is not left of main {main}"
    assert nav["y"] < DESKTOP["viewport"]["height"] / 2, "the side navigation starts near the top"
    assert nav["height"] > DESKTOP["viewport"]["height"] / 2, "it runs down the side"
    links = tab.page.locator("#mainnav a")
    boxes = [links.nth(i).bounding_box() for i in range(links.count())]
    assert len({round(box["x"]) for box in boxes if box}) == 1, "links are stacked in a column"
    tab.screenshot("today-en-1280")
    assert_no_page_errors(tab, "Today on a laptop")


def test_navigation_is_at_the_bottom_on_a_phone(open_tab: OpenTab, world: World) -> None:
    tab = open_tab("zh", **PHONE)
    tab.sign_in(world.leader.login)
    height = PHONE["viewport"]["height"]
    for path in ("/", f"/b/{world.building_id}/members"):
        tab.goto(path)
        nav = tab.page.locator("#mainnav").bounding_box()
        assert nav, f"no navigation on {path}"
        assert abs(nav["y"] + nav["height"] - height) <= 1, f"nav {nav} is not at the bottom"
        assert nav["x"] <= 0
        assert nav["width"] >= PHONE["viewport"]["width"] - 1
        # At the end of the page, the last control of the content is above the navigation.
        tab.page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        nav = tab.page.locator("#mainnav").bounding_box()
        last = tab.page.locator(f"#main :is({INTERACTIVE})").last.bounding_box()
        assert nav
        assert last
        assert abs(nav["y"] + nav["height"] - height) <= 1, "the navigation scrolled away"
        assert last["y"] + last["height"] <= nav["y"], f"{path}: the nav covers {last}"
    assert_no_page_errors(tab, "navigation on a phone")


def small_targets(tab: Tab, page_name: str) -> dict[str, str]:
    """The controls under MIN_TARGET: "page: control" -> its size."""
    measured = tab.page.evaluate(MEASURE_TARGETS, INTERACTIVE)
    assert measured, f"no controls found on {page_name}"
    return {
        f"{page_name}: {t['what']}": f"{t['width']}x{t['height']}"
        for t in measured
        if t["width"] < MIN_TARGET or t["height"] < MIN_TARGET
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_control_is_a_44px_target(open_tab: OpenTab, world: World, language: str) -> None:
    tab = open_tab(language, **PHONE)
    tab.sign_in(world.leader.login)
    found: dict[str, str] = {}
    for page_name, path in (("today", "/"), ("members", f"/b/{world.building_id}/members")):
        tab.goto(path)
        found |= small_targets(tab, page_name)
    assert not found, f"smaller than {MIN_TARGET}x{MIN_TARGET} CSS px ({language}):\n" + (
        "\n".join(f"{what} is {size}" for what, size in found.items())
    )


def test_htmx_navigation_swaps_the_content_and_back_restores_it(
    open_tab: OpenTab, world: World
) -> None:
    tab = open_tab("en", **PHONE)
    tab.sign_in(world.leader.login)
    page = tab.page
    assert page.evaluate("typeof window.htmx") == "object", "htmx is not loaded"
    today_heading = tab.h1()
    today_title = page.title()
    page.evaluate("window.__marker = 1")

    me = page.locator("#mainnav").get_by_role("link", name="Me", exact=True)
    with page.expect_response(lambda r: r.url.endswith("/profile")) as response_info:
        me.click()
    response = response_info.value
    assert response.request.headers.get("hx-request") == "true", "not an htmx request"
    page.wait_for_url(tab.url("/profile"))
    page.wait_for_function("document.querySelector('#main h1').textContent.includes('My profile')")
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of swapped"
    assert page.title().startswith("My profile"), f"title is {page.title()!r}"
    assert page.locator("#main title").count() == 0, "the fragment's <title> stayed in the page"
    assert me.get_attribute("aria-current") == "page", "the navigation was not updated"
    assert page.locator("#mainnav a[aria-current=page]").count() == 1
    assert page.evaluate("document.activeElement.tagName") == "H1", "focus did not move to h1"
    violations = axe_violations(page)
    assert not violations, f"after the htmx swap:\n{describe_violations(violations)}"

    page.go_back()
    page.wait_for_url(tab.url("/"))
    page.wait_for_function(
        "(heading) => document.querySelector('#main h1')?.textContent.trim() === heading",
        arg=today_heading,
    )
    assert page.evaluate("window.__marker") == 1, "going back reloaded the page"
    assert page.title() == today_title
    assert page.locator("#mainnav a[aria-current=page]").get_attribute("href") == "/"
    assert page.locator("#main .people li").count() == 3, "Today's members did not come back"
    assert_no_page_errors(tab, "htmx navigation")


def test_a_refused_field_is_outlined_in_the_danger_colour(open_tab: OpenTab) -> None:
    tab = open_tab("en", **PHONE)
    tab.goto("/login")
    tab.page.locator("#f-login").fill("not a phone number")
    with tab.page.expect_navigation(wait_until="load"):
        tab.page.locator("form[action='/login'] button[type=submit]").click()
    danger = tab.page.evaluate(
        """() => {
            const probe = document.createElement("span");
            probe.style.color = "var(--danger)";
            document.body.append(probe);
            const colour = getComputedStyle(probe).color;
            probe.remove();
            return colour;
        }"""
    )
    borders = tab.page.evaluate(
        """() => Array.from(document.querySelectorAll("[aria-invalid=true]"), (field) =>
            ["#" + field.id, getComputedStyle(field).borderTopColor])"""
    )
    assert borders, "no field is marked aria-invalid after a refused sign-in"
    not_red = {f"login: {field}": colour for field, colour in borders if colour != danger}
    assert not not_red, f"border is not {danger}: {not_red}"
