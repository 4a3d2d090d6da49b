"""Hub as an installed app in headless Chromium: nothing stops installing it, the service
worker shows push notifications in the person's language, and a volunteer's round goes on in a
basement with no network: check-ins, a note and a problem report wait on the phone and reach
the server once each, with the phone's times, when the network is back."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer
from tests.browser.support import (
    LOCALES,
    PHONE,
    Tab,
    Watch,
    axe_violations,
    describe_violations,
    next_client_address,
    run_async,
)
from tests.factories import World
from tests.media.images import small_jpeg
from tests.patrols.world import make_route

OpenTab = Callable[..., Tab]


def wait_for_service_worker(tab: Tab) -> None:
    """Until the service worker is active and controls this page. It claims the open pages when
    it starts, but a page whose load began while it was installing stays uncontrolled: such a
    page is loaded again, as the person's next page would be."""
    tab.page.evaluate("() => navigator.serviceWorker.ready")
    if not tab.page.evaluate("() => navigator.serviceWorker.controller !== null"):
        tab.page.reload()
    tab.page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def queued(tab: Tab) -> list[dict[str, Any]]:
    return tab.page.evaluate(
        "async () => (await HubQueue.all()).map(({id, kind, deviceTime, state}) =>"
        " ({id, kind, deviceTime, state}))"
    )


def start_round(world: World, route_id: int) -> int:
    from hub.patrols.actions import do_start_round

    return run_async(do_start_round, world.building_id, route_id, world.volunteer.id, shift_id=None)


# Installing -----------------------------------------------------------------------------------


@pytest.fixture
def profile_tab(
    browser: Any, live_server: LiveServer, tmp_path: Path
) -> Iterator[Callable[[str], Tab]]:
    """A tab in a browser with a profile on disk: Chromium never offers to install an app from
    the throwaway (incognito) contexts the other tests use."""
    contexts: list[Any] = []

    def open_profile_tab(language: str) -> Tab:
        context = browser.browser_type.launch_persistent_context(
            str(tmp_path / f"profile-{language}"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            locale=LOCALES[language],
            extra_http_headers={"X-Forwarded-For": next_client_address()},
            **PHONE,
        )
        contexts.append(context)
        context.set_default_timeout(10_000)
        watch = Watch()
        page = context.pages[0] if context.pages else context.new_page()
        page.on("console", watch.on_console)
        page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
        page.on("response", watch.on_response)
        return Tab(page, live_server.url, language, watch)

    yield open_profile_tab
    for context in contexts:
        context.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_chromium_finds_nothing_that_stops_installing(
    profile_tab: Callable[[str], Tab], world: World, language: str
) -> None:
    tab = profile_tab(language)
    tab.sign_in(world.volunteer.login)
    tab.goto("/")
    wait_for_service_worker(tab)
    cdp = tab.page.context.new_cdp_session(tab.page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert not manifest["errors"], manifest["errors"]
    name = json.loads(manifest["data"])["short_name"]
    assert name == ("邻里通" if language == "zh" else "Hub")
    tab.assert_clean("Today, installable")


# Push -----------------------------------------------------------------------------------------


def deliver_push(tab: Tab, data: str) -> list[dict[str, Any]]:
    """Deliver a push message to the page's service worker through the DevTools Protocol and
    return the notifications it then shows."""
    cdp = tab.page.context.new_cdp_session(tab.page)
    registrations: list[str] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(
            r["registrationId"] for r in event["registrations"] if not r["isDeleted"]
        ),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(100):
        if registrations:
            break
        tab.page.wait_for_timeout(20)
    assert registrations, "no service worker registration was reported"
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": tab.base_url, "registrationId": registrations[0], "data": data},
    )
    for _ in range(100):
        shown = tab.page.evaluate(
            """async () => (await (await navigator.serviceWorker.ready).getNotifications()).map(
                (n) => ({title: n.title, body: n.body, tag: n.tag, icon: n.icon, badge: n.badge,
                         lang: n.lang, url: n.data && n.data.url}))"""
        )
        if shown:
            return shown
        tab.page.wait_for_timeout(20)
    return []


def test_the_service_worker_shows_a_push_notification(open_tab: OpenTab, world: World) -> None:
    tab = open_tab("zh", **PHONE)
    tab.page.context.grant_permissions(["notifications"], origin=tab.base_url)
    tab.sign_in(world.volunteer.login)
    wait_for_service_worker(tab)
    payload = {
        "title": "巡逻快开始了",
        "body": "1号楼 19:00 大堂",
        "url": f"/b/{world.building_id}/patrols",
        "tag": "shift-7",
        "kind": "shift_reminder",
        "lang": "zh",
    }
    [shown] = deliver_push(tab, json.dumps(payload, ensure_ascii=False))
    assert shown["title"] == payload["title"]
    assert shown["body"] == payload["body"]
    assert shown["tag"] == "shift-7"
    assert shown["url"] == payload["url"]
    assert shown["lang"] == "zh-Hans"
    assert shown["icon"].endswith("/static/icons/icon-192.png")
    assert shown["badge"].endswith("/static/icons/badge-96.png")


def test_a_push_that_is_not_json_shows_a_general_message_in_the_persons_language(
    open_tab: OpenTab, world: World
) -> None:
    tab = open_tab("en", **PHONE)
    tab.page.context.grant_permissions(["notifications"], origin=tab.base_url)
    tab.sign_in(world.volunteer.login)
    wait_for_service_worker(tab)
    [shown] = deliver_push(tab, "not json")
    assert (shown["title"], shown["body"]) == ("Hub", "Something new for you in Hub.")
    assert shown["url"] == "/"


# Offline --------------------------------------------------------------------------------------


def test_a_round_in_a_basement_reaches_the_server_once_when_the_network_is_back(
    open_tab: OpenTab, world: World
) -> None:
    from hub.patrols.tables import CheckIn
    from hub.tasks.tables import Task, TaskPhoto

    patrol = run_async(make_route, world)
    round_id = start_round(world, patrol.route_id)
    b = world.building_id
    round_path = f"/b/{b}/rounds/{round_id}"
    tab = open_tab("en", **PHONE)
    tab.sign_in(world.volunteer.login)
    wait_for_service_worker(tab)
    tab.goto(f"/b/{b}/tasks/new")  # both pages are kept for offline use once opened
    tab.goto(round_path)
    main = tab.page.locator("main")
    expect(main).to_contain_text("0 of 3 checkpoints")

    tab.page.context.set_offline(True)
    checkpoints = tab.page.locator(".round-checkpoint")
    for index in range(3):
        row = checkpoints.nth(index)
        row.get_by_role("button", name=re.compile("^I am at ")).click()
        expect(row).to_contain_text("waiting to send")
    checkpoints.first.get_by_label("Note for Lobby").fill("Light out by the mailboxes")
    checkpoints.first.get_by_role("button", name="Save note").click()
    outbox = tab.page.locator("#outbox")
    expect(outbox).to_contain_text("3 waiting to send")
    expect(outbox).to_contain_text("Saved on this phone")

    tab.goto(f"/b/{b}/tasks/new")  # the kept copy: there is no network
    tab.page.get_by_label("What is wrong?").fill("Basement light flickers")
    tab.page.locator("label[for=place-basement]").click()
    tab.page.locator("label[for=category-lighting]").click()
    tab.page.get_by_label("Photos (up to 6)").set_input_files(
        [{"name": "light.jpg", "mimeType": "image/jpeg", "buffer": small_jpeg()}]
    )
    tab.page.locator("form.report-form button[type=submit]").click()
    expect(outbox).to_contain_text("4 waiting to send")

    tab.goto(f"/b/{b}/events")  # never opened before: the offline page, not the browser's error
    expect(tab.page.locator("h1")).to_have_text("You are offline")
    violations = axe_violations(tab.page)
    assert not violations, describe_violations(violations)

    tab.goto(round_path)
    expect(main).to_contain_text("0 of 3 checkpoints")
    expect(tab.page.locator(".round-checkpoint.queued")).to_have_count(3)
    tab.screenshot("pwa-round-offline-waiting-en-390")
    tab.page.locator("#outbox summary").click()
    expect(outbox).to_contain_text("Problem report: Basement light flickers")
    expect(outbox.get_by_role("button", name="Remove")).to_have_count(0)
    waiting = queued(tab)
    assert [item["kind"] for item in waiting] == ["check-in"] * 3 + ["report"]
    device_times = {item["id"]: datetime.fromisoformat(item["deviceTime"]) for item in waiting}

    with tab.page.expect_navigation():  # sent on `online`; the round page then shows them
        tab.page.context.set_offline(False)
    expect(main).to_contain_text("3 of 3 checkpoints")
    expect(outbox).to_contain_text("All sent.")
    assert queued(tab) == []

    check_ins = run_async(CheckIn.select().order_by(CheckIn.id).run)
    assert len(check_ins) == 3
    for row in check_ins:
        assert row["device_time"] == device_times[row["client_uuid"]]
    notes = {row["checkpoint"]: row["note"] for row in check_ins}
    assert notes == dict(
        zip(patrol.checkpoint_ids, ["Light out by the mailboxes", "", ""], strict=True)
    )
    tasks = run_async(Task.select().run)
    assert len(tasks) == 1
    assert tasks[0]["title"] == "Basement light flickers"
    assert tasks[0]["device_time"] == device_times[tasks[0]["client_uuid"]]
    assert run_async(TaskPhoto.count().run) == 1
    tab.screenshot("pwa-round-sent-en-390")
    tab.assert_clean("the round offline and back")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_offline_page_is_accessible(open_tab: OpenTab, world: World, language: str) -> None:
    tab = open_tab(language, **PHONE)
    tab.sign_in(world.resident.login)
    wait_for_service_worker(tab)
    tab.page.context.set_offline(True)
    # A link of the bottom navigation (htmx, boosted) becomes a plain page load offline.
    tab.page.locator(f"#mainnav a[href='/b/{world.building_id}/tasks']").click()
    expect(tab.page.locator("h1")).to_have_text(
        "你现在没有网络" if language == "zh" else "You are offline"
    )
    violations = axe_violations(tab.page)
    assert not violations, describe_violations(violations)
    tab.screenshot(f"pwa-offline-{language}-390")
    tab.page.context.set_offline(False)


def test_a_check_in_whose_network_fails_midway_waits_on_the_phone(
    open_tab: OpenTab, world: World
) -> None:
    """The phone thinks it is online, but the check-in never reaches the server: the service
    worker keeps it and goes back to the round page instead of the browser's error."""
    from hub.patrols.tables import CheckIn

    patrol = run_async(make_route, world)
    round_id = start_round(world, patrol.route_id)
    round_path = f"/b/{world.building_id}/rounds/{round_id}"
    tab = open_tab("zh", **PHONE)
    tab.sign_in(world.volunteer.login)
    wait_for_service_worker(tab)
    tab.goto(round_path)
    check_ins = f"{tab.base_url}/b/{world.building_id}/checkins"
    tab.page.context.route(check_ins, lambda route: route.abort("internetdisconnected"))
    first = tab.page.locator(".round-checkpoint").first
    with tab.page.expect_navigation():
        first.locator("form[action$='/checkins'] button").click()
    expect(first).to_contain_text("等待发送")
    expect(tab.page.locator("#outbox")).to_contain_text("1 条等待发送")
    tab.screenshot("pwa-round-network-failed-zh-390")
    assert run_async(CheckIn.count().run) == 0

    tab.page.context.unroute(check_ins)
    with tab.page.expect_navigation():
        tab.page.locator("#outbox summary").click()
        tab.page.get_by_role("button", name="现在发送").click()
    expect(tab.page.locator("main")).to_contain_text("已完成 1 / 3 个巡逻点")
    assert run_async(CheckIn.count().run) == 1
