"""Hub as an installed app in headless Chromium: nothing stops installing it, the service
worker shows push notifications in the person's language, and a volunteer's round goes on in a
basement with no network: check-ins, a note and a problem report wait on the phone and reach
the server once each, with the phone's times, when the network is back."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
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


def wait_until_kept(tab: Tab, note: str) -> None:
    """Until a waiting item carries this note: the queue writes it in the background."""
    for _attempt in range(50):
        if tab.page.evaluate(
            "async (note) => (await HubQueue.all()).some((item) =>"
            " item.fields.some(([name, value]) => name === 'note' && value === note))",
            note,
        ):
            return
        tab.page.wait_for_timeout(100)
    raise AssertionError(f"no waiting item carries the note {note!r}")


def start_round(world: World, route_id: int) -> int:
    from hub.patrols.actions import do_start_round

    return run_async(do_start_round, world.volunteer.id, world.building_id, route_id, shift_id=None)


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
    deadline = time.monotonic() + 15
    while not registrations and time.monotonic() < deadline:
        tab.page.wait_for_timeout(20)
    assert registrations, "no service worker registration was reported"
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": tab.base_url, "registrationId": registrations[0], "data": data},
    )
    # The worker reads the person's language from IndexedDB before it shows anything: on a
    # loaded CI machine that takes seconds, so the wait is bounded by time, not by tries.
    deadline = time.monotonic() + 15
    while True:
        shown = tab.page.evaluate(
            """async () => (await (await navigator.serviceWorker.ready).getNotifications()).map(
                (n) => ({title: n.title, body: n.body, tag: n.tag, icon: n.icon, badge: n.badge,
                         lang: n.lang, url: n.data && n.data.url}))"""
        )
        if shown or time.monotonic() > deadline:
            return shown
        tab.page.wait_for_timeout(50)


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
    wait_until_kept(tab, "Light out by the mailboxes")  # "Saved" was said already
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


def test_two_changes_of_a_kept_item_at_once_both_stay(open_tab: OpenTab, world: World) -> None:
    """The page names a kept check-in while the volunteer saves a note on it: each change is
    made in one transaction, so neither writes back an older copy over the other (the note was
    lost that way)."""
    tab = open_tab("en", **PHONE)
    tab.sign_in(world.volunteer.login)
    kept = tab.page.evaluate(
        """async () => {
          const item = {id: "race-1", url: "/x", kind: "check-in", label: "", state: "waiting",
            reason: "", fields: [["client_uuid", "race-1"]], deviceTime: "2026-12-06T00:00:00Z",
            queuedAt: "2026-12-06T00:00:00Z"};
          await HubQueue.put(item);
          const changes = [];
          for (let n = 0; n < 20; n++) {
            changes.push(HubQueue.update("race-1", (it) => ({...it, label: "Lobby"})));
            changes.push(HubQueue.update("race-1", (it) => ({...it,
              fields: [...it.fields.filter(([name]) => name !== "note"), ["note", `n${n}`]]})));
          }
          await Promise.all(changes);
          const [stored] = (await HubQueue.all()).filter((it) => it.id === "race-1");
          const gone = await HubQueue.update("no-such-item", (it) => it);
          await HubQueue.remove("race-1");
          return {label: stored.label, fields: stored.fields, gone};
        }"""
    )
    assert kept["label"] == "Lobby"
    assert kept["fields"] == [["client_uuid", "race-1"], ["note", "n19"]]
    assert kept["gone"] is False


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


def flush_queue(tab: Tab) -> int:
    """Send what waits, as "Send now" does; the round page may reload itself meanwhile (after
    a check-in or once everything is sent), which ends the call: it is made again."""
    for _ in range(5):
        try:
            return int(tab.page.evaluate("() => HubQueue.flush()"))
        except PlaywrightError as error:
            if "Execution context was destroyed" not in str(error):
                raise
            tab.page.wait_for_load_state("load")
    raise AssertionError("the page kept reloading")


def test_a_check_in_the_server_asks_to_send_later_keeps_waiting(
    open_tab: OpenTab, world: World
) -> None:
    """A replay answered 429 with the code "later" (the server is busy) is neither sent nor
    refused: it waits on the phone and goes when the server takes it."""
    from hub.patrols.tables import CheckIn

    patrol = run_async(make_route, world)
    round_id = start_round(world, patrol.route_id)
    tab = open_tab("en", **PHONE)
    tab.sign_in(world.volunteer.login)
    wait_for_service_worker(tab)
    tab.goto(f"/b/{world.building_id}/rounds/{round_id}")
    check_ins = f"{tab.base_url}/b/{world.building_id}/checkins"

    def no_network(route: Any) -> None:
        route.abort("internetdisconnected")

    tab.page.context.route(check_ins, no_network)
    first = tab.page.locator(".round-checkpoint").first
    with tab.page.expect_navigation():
        first.locator("form[action$='/checkins'] button").click()
    expect(tab.page.locator("#outbox")).to_contain_text("1 waiting to send")

    asked_later: list[str] = []

    def busy(route: Any) -> None:
        asked_later.append(route.request.headers.get("x-hub-replay", ""))
        route.fulfill(
            status=429,
            headers={"X-Hub-Refusal": "later", "Retry-After": "30"},
            content_type="application/json",
            body=json.dumps({"refusal": "later", "message": "Too many requests."}),
        )

    tab.page.context.route(check_ins, busy)  # the newer route answers first: no gap between
    tab.page.context.unroute(check_ins, no_network)
    # Sent as "Send now", the next page load or Background Sync send it (any of them may run).
    assert flush_queue(tab) == 0
    assert asked_later, "the replay did not reach the busy server"
    assert set(asked_later) == {"1"}
    tab.page.reload()
    expect(tab.page.locator("#outbox .outbox-count")).to_have_text("1 waiting to send")
    expect(tab.page.locator("#outbox .outbox-item.refused")).to_have_count(0)
    assert [item["state"] for item in queued(tab)] == ["waiting"]
    assert run_async(CheckIn.count().run) == 0

    tab.page.context.unroute(check_ins)
    flush_queue(tab)
    expect(tab.page.locator("main")).to_contain_text("1 of 3 checkpoints")
    assert run_async(CheckIn.count().run) == 1
    assert queued(tab) == []


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("zh", "未被接受: 您在这条路线上没有正在进行的巡逻。请先开始巡逻。"),
        ("en", "not accepted: You have no round running on this route. Start one first."),
    ],
)
def test_a_check_in_refused_when_sent_shows_the_servers_reason(
    open_tab: OpenTab, world: World, language: str, reason: str
) -> None:
    """The round ended on the server while the check-in waited on the phone: sent again, it is
    refused with a code and a message in the person's language, which the phone shows, keeping
    the check-in for the person to read and remove."""
    from hub.patrols.tables import CheckIn, Round

    patrol = run_async(make_route, world)
    round_id = start_round(world, patrol.route_id)
    round_path = f"/b/{world.building_id}/rounds/{round_id}"
    tab = open_tab(language, **PHONE)
    tab.sign_in(world.volunteer.login)
    wait_for_service_worker(tab)
    tab.goto(round_path)
    refusals: list[str] = []
    tab.page.context.on(  # from the page or its service worker
        "response",
        lambda response: refusals.append(response.headers.get("x-hub-refusal", "")),
    )
    tab.page.context.set_offline(True)
    tab.page.locator(".round-checkpoint form[action$='/checkins'] button").first.click()
    expect(tab.page.locator(".round-checkpoint.queued")).to_have_count(1)
    finished = datetime.now(UTC)
    run_async(Round.update({Round.finished_at: finished}).where(Round.id == round_id).run)

    with tab.page.expect_navigation():  # nothing waits any more: the round page is reloaded
        tab.page.context.set_offline(False)
    outbox = tab.page.locator("#outbox")
    tab.page.locator("#outbox summary").click()
    expect(outbox.locator(".outbox-state")).to_have_text(reason)
    expect(outbox.locator(".outbox-item.refused")).to_have_count(1)
    # Counted as refused, not as waiting or sent, and offered no "Send now".
    refused = "1 条未被接受，原因见下" if language == "zh" else "1 not accepted: see why below"
    expect(outbox.locator(".outbox-count")).to_have_text(refused)
    expect(outbox.locator("[data-outbox-send]")).to_be_hidden()
    expect(outbox.locator(".outbox-status")).not_to_contain_text(
        "All sent" if language == "en" else "全部已发送"
    )
    assert "over" in refusals
    assert [item["state"] for item in queued(tab)] == ["refused"]
    assert run_async(CheckIn.count().run) == 0
    tab.screenshot(f"pwa-replay-refused-{language}-390")

    outbox.get_by_role("button", name=re.compile("^(Remove|移除)$")).click()
    expect(outbox.locator(".outbox-item")).to_have_count(0)
    assert queued(tab) == []


# Signing out on a shared phone ------------------------------------------------------------------


def test_signing_out_keeps_the_service_worker_and_the_offline_queue(
    open_tab: OpenTab, world: World
) -> None:
    """Sign-out clears the browser's cache (Clear-Site-Data: "cache") and the pages kept for
    the person; the service worker, its app shell and what waits to be sent stay."""
    tab = open_tab("en", **PHONE)
    tab.sign_in(world.volunteer.login)
    wait_for_service_worker(tab)
    tab.page.evaluate(
        "() => HubQueue.put({id: 'waiting-1', url: '/', kind: 'check-in', label: '',"
        " fields: [], deviceTime: new Date().toISOString(), queuedAt: new Date().toISOString(),"
        " state: 'sign-in', reason: ''})"
    )
    tab.goto("/profile")
    with tab.page.expect_navigation(wait_until="load"):
        tab.page.locator("form[action='/logout'] button[type=submit]").click()
    assert tab.path.startswith("/login")
    tab.goto("/login")
    wait_for_service_worker(tab)
    caches = tab.page.evaluate("() => caches.keys()")
    assert any(name.startswith("hub-shell-") for name in caches), caches
    assert "hub-pages" not in caches
    assert [item["id"] for item in queued(tab)] == ["waiting-1"]
