"""Repair tasks in a real browser on a phone: a resident reports a broken door with a photo, the
leader assigns it to the volunteer who does carpentry, the volunteer marks it done and the
resident sees it done; axe finds nothing on the tasks' pages in either language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from hub.accounts.tables import UserSkill
from hub.db import write_transaction
from hub.tasks import actions
from hub.tasks.tables import Task
from hub.tasks.workflow import Status
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

OpenTab = Callable[..., Tab]


async def give_carpentry(user_id: int) -> None:
    async with write_transaction():
        await UserSkill.insert(UserSkill(user=user_id, skill="carpentry"))


def submit(tab: Tab, selector: str) -> None:
    """Click a submit button and wait for htmx (or the browser) to finish the navigation."""
    with tab.page.expect_response(lambda r: r.request.method == "POST"):
        tab.page.locator(selector).click()
    tab.page.wait_for_load_state("load")
    tab.settle()


def test_a_broken_door_from_report_to_done(open_tab: OpenTab, world: World) -> None:
    run_async(give_carpentry, world.volunteer.id)
    building = world.building_id

    resident = open_tab("en", **PHONE)
    resident.sign_in(world.resident.login)
    resident.page.locator("#mainnav a", has_text="Repairs").click()
    resident.page.wait_for_url(resident.url(f"/b/{building}/tasks"))
    resident.page.get_by_role("link", name="Report a problem").first.click()
    resident.page.wait_for_url(resident.url(f"/b/{building}/tasks/new"))
    page = resident.page
    page.locator("#f-title").fill("Entrance door does not close")
    page.locator("label[for=place-lobby]").click()
    page.locator("label[for=category-door]").click()
    page.locator("#f-description").fill("The closer is broken; the door stays open at night.")
    page.locator("#f-photos").set_input_files(
        files=[{"name": "door.jpg", "mimeType": "image/jpeg", "buffer": phone_jpeg()}]
    )
    resident.screenshot("tasks-report-en-390")
    submit(resident, "form.report-form button[type=submit]")
    page.wait_for_function("() => document.querySelector('#main h1').textContent.includes('door')")
    assert resident.path.startswith(f"/b/{building}/tasks/"), resident.path
    task_path = resident.path
    assert page.locator(".timeline img").count() == 1, "the photo is on the timeline"
    page.locator(".timeline img").scroll_into_view_if_needed()
    page.wait_for_function(  # the smallest variant, not the 1600 px original
        "() => { const img = document.querySelector('.timeline img');"
        " return img.complete && img.naturalWidth > 0 && img.currentSrc.includes('size=320') }"
    )
    resident.screenshot("tasks-reported-en-390")
    resident.assert_clean("reporting")

    leader = open_tab("en", **PHONE)
    leader.sign_in(world.leader.login)
    leader.goto(f"{task_path}/assign")
    first = leader.page.locator(".assign-list li").first
    assert "Volunteer Li" in first.inner_text(), "the carpenter comes first"
    assert "Skills fit" in first.inner_text()
    leader.page.locator(f"label[for=person-{world.volunteer.id}]").click()
    leader.screenshot("tasks-assign-en-390")
    submit(leader, "form[action$='/assign'] button[type=submit]")
    leader.page.wait_for_url(leader.url(task_path))
    assert "Assigned" in leader.page.locator(".task-meta .status").inner_text()
    leader.assert_clean("assigning")

    volunteer = open_tab("zh", **PHONE)
    volunteer.sign_in(world.volunteer.login)
    volunteer.goto(f"/b/{building}/tasks/mine")
    volunteer.page.locator(".task-link", has_text="Entrance door").click()
    volunteer.page.wait_for_url(volunteer.url(task_path))
    volunteer.page.get_by_role("button", name="标记为已修好").click()
    volunteer.page.wait_for_function(
        "() => document.querySelector('.task-meta .status').textContent.includes('已修好')"
    )
    volunteer.screenshot("tasks-done-zh-390")
    volunteer.assert_clean("finishing")

    resident.goto(task_path)
    assert resident.page.locator(".task-meta .status").inner_text() == "Done"
    assert "Volunteer Li moved it from “Assigned” to “Done”" in resident.page.inner_text("main")
    resident.screenshot("tasks-seen-done-en-390")
    resident.assert_clean("seeing it done")


def make_tasks(world: World) -> int:
    """A task that was done eight days ago (so Today asks), and one still reported."""

    async def make() -> int:
        report = actions.NewReport("Stair light out", "Third floor", "stairwell", "", "lighting")
        asked = await actions.do_report(world.resident.id, world.building_id, report)
        await actions.do_assign(world.leader.id, world.building_id, asked, [world.volunteer.id])
        async with write_transaction():
            await Task.update(
                {
                    Task.status: Status.DONE.value,
                    Task.done_at: datetime.now(UTC) - timedelta(days=8),
                }
            ).where(Task.id == asked)
        door = actions.NewReport("Entrance door", "Does not close", "lobby", "", "door")
        return await actions.do_report(world.resident.id, world.building_id, door)

    return run_async(make)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_tasks_pages_are_accessible(open_tab: OpenTab, world: World, language: str) -> None:
    task_id = make_tasks(world)
    base = f"/b/{world.building_id}/tasks"
    report: list[str] = []
    for who, paths in (
        ("resident", ["/", f"{base}/new", f"{base}/mine"]),
        ("leader", [base, f"{base}/{task_id}", f"{base}/{task_id}/assign"]),
    ):
        tab = open_tab(language, **PHONE)
        tab.sign_in(getattr(world, who).login)
        for path in paths:
            tab.goto(path)
            problems = tab.problems()
            tab.watch.clear()
            name = path.replace(f"/b/{world.building_id}/", "").replace("/", "-").strip("-")
            tab.screenshot(f"tasks-{name or 'today'}-{who}-{language}-390")
            violations = axe_violations(tab.page)
            if violations:
                problems.append(describe_violations(violations))
            report += [f"[{who} {path}] {problem}" for problem in problems]
        if who == "resident":
            assert tab.page.locator(".fixed-question").count() == 0  # last page was mine
            tab.goto("/")
            assert tab.page.locator(".fixed-question").count() == 1, "Today asks: is it fixed?"
            # A refused report keeps what was typed and names the field.
            tab.goto(f"{base}/new")
            with tab.page.expect_response(lambda r: r.request.method == "POST"):
                tab.page.locator("form.report-form button[type=submit]").click()
            # htmx swaps the refused form in after the response: wait for it, not for a timer.
            expect(tab.page.locator("#f-title[aria-invalid=true]")).to_have_count(1)
            violations = axe_violations(tab.page)
            if violations:
                report.append(f"[refused report] {describe_violations(violations)}")
            tab.screenshot(f"tasks-report-refused-{language}-390")
    assert not report, "\n".join(report)
