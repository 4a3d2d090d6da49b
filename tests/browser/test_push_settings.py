"""Turning notifications on, on a phone (390 px): when the browser's push service never
answers, when it refuses, and a test asked for with no device. Each ends in a message that says
what failed and what to do, never in a wait without end."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.browser.support import PHONE, Tab
from tests.factories import World

OpenTab = Callable[..., Tab]
PAGE = "/settings/notifications"
# A browser whose push service never answers: subscribing waits for ever. (Headless Chromium
# has no push service at all; it refuses at once, which the second test takes as it is.)
PUSH_SERVICE_NEVER_ANSWERS = """
PushManager.prototype.getSubscription = function () { return Promise.resolve(null); };
PushManager.prototype.subscribe = function () { return new Promise(function () {}); };
"""
INCOGNITO = "does not support the Push API in incognito mode"  # Chromium's console says why


def open_settings(open_tab: OpenTab, world: World, language: str) -> Tab:
    tab = open_tab(language, **PHONE)
    tab.page.context.grant_permissions(["notifications"], origin=tab.base_url)
    tab.sign_in(world.resident.login)
    tab.goto(PAGE)
    tab.page.evaluate("() => navigator.serviceWorker.ready")
    return tab


def test_a_push_service_that_never_answers_ends_in_a_message_that_says_why(
    open_tab: OpenTab, world: World
) -> None:
    tab = open_tab("zh", **PHONE)
    tab.page.add_init_script(PUSH_SERVICE_NEVER_ANSWERS)
    tab.page.clock.install()
    tab.page.context.grant_permissions(["notifications"], origin=tab.base_url)
    tab.sign_in(world.resident.login)
    tab.goto(PAGE)
    tab.page.evaluate("() => navigator.serviceWorker.ready")
    button = tab.page.get_by_role("button", name="在这台设备上开启通知")
    message = tab.page.locator("[data-push-message]")
    button.click()
    expect(message).to_have_text("正在向浏览器的推送服务登记这台设备……")
    expect(button).to_be_disabled()
    tab.page.clock.fast_forward(21_000)
    expect(message).to_contain_text("浏览器的推送服务在 20 秒内没有回应，通知没有开启。")
    expect(message).to_contain_text("请换一个网络或换一个浏览器再试。")
    expect(button).to_be_enabled()
    expect(tab.page.locator("[data-push-state=on]")).to_be_hidden()
    tab.screenshot("push-service-never-answers-390")
    tab.assert_clean("turning notifications on, the push service never answering")


def test_a_push_service_that_refuses_is_named_with_the_browsers_reason(
    open_tab: OpenTab, world: World
) -> None:
    tab = open_settings(open_tab, world, "en")
    tab.page.get_by_role("button", name="Turn on notifications on this device").click()
    message = tab.page.locator("[data-push-message]")
    expect(message).to_contain_text("Your browser could not register with its push service (")
    expect(message).to_contain_text("AbortError")
    expect(message).to_contain_text("try another browser")
    problems = [problem for problem in tab.problems() if INCOGNITO not in problem]
    assert not problems, problems


def test_a_test_without_a_device_says_none_was_sent(open_tab: OpenTab, world: World) -> None:
    tab = open_settings(open_tab, world, "en")
    expect(tab.page.locator("#devices")).to_contain_text("No device gets your notifications yet.")
    tab.page.get_by_role("button", name="Send me a test notification").click()
    status = tab.page.locator("#test-status")
    expect(status).to_contain_text("No test was sent: no device gets your notifications yet.")
    expect(status).not_to_contain_text("on its way")
    assert tab.path == PAGE
