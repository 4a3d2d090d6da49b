"""What the browser tests share: devices, a tab that watches for errors, axe, and test data.

Playwright's sync API marks its own event loop as running between calls, so `asyncio.run()`
refuses to start in the test's thread while a browser is open: `run_async` runs Hub's async
factories and actions in a short-lived thread of their own instead.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import ConsoleMessage, Locator, Page, Response

from tests.web_client import PASSWORD

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}

# The browser's language preference (sent as Accept-Language) and what <html lang> must say.
LOCALES = {"zh": "zh-CN", "en": "en-GB"}
HTML_LANG = {"zh": "zh-Hans", "en": "en"}
LANGUAGES = tuple(LOCALES)

# Sign-in and join POSTs are rate-limited per client address (10 a minute). Every browser
# context gets an address of its own through X-Forwarded-For, which uvicorn trusts from
# 127.0.0.1, so a whole run of sign-ins never meets the limit meant for password guessers.
_addresses = itertools.count(1)


def next_client_address() -> str:
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def run_async(fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
    """Run one of Hub's async functions to completion in a thread with its own event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(fn(*args, **kwargs))).result()


# Errors in the page ---------------------------------------------------------------------------

CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__hubCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "(inline)"}` +
    ` in ${event.sourceFile || event.documentURI}:${event.lineNumber}`
  );
});
"""
FAILED_RESOURCE = "Failed to load resource: the server responded with a status of"


@dataclass
class Watch:
    """Console errors, CSP violations and uncaught exceptions seen in one browser context."""

    console_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    # Main-frame documents and their status: a 404 or 422 page logs "Failed to load resource"
    # for itself, which is the status the test asked for, not an error of the page.
    documents: dict[str, int] = field(default_factory=dict)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if message.text.startswith(FAILED_RESOURCE) and url in self.documents:
            return
        self.console_errors.append(f"{message.text} ({url})")

    def on_csp_violation(self, description: str) -> None:
        self.csp_violations.append(description)

    def on_response(self, response: Response) -> None:
        request = response.request
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self.documents[response.url] = response.status

    def problems(self) -> list[str]:
        return (
            [f"console error: {e}" for e in self.console_errors]
            + [f"CSP violation: {v}" for v in self.csp_violations]
            + [f"uncaught exception: {e}" for e in self.page_errors]
        )

    def clear(self) -> None:
        self.console_errors.clear()
        self.csp_violations.clear()
        self.page_errors.clear()


class Tab:
    """A page of Hub in its own browser context, with what went wrong in it so far."""

    def __init__(self, page: Page, base_url: str, language: str, watch: Watch) -> None:
        self.page = page
        self.base_url = base_url
        self.language = language
        self.watch = watch

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def goto(self, path: str, *, status: int = 200) -> None:
        response = self.page.goto(self.url(path), wait_until="load")
        assert response is not None, f"no response for {path}"
        assert response.status == status, f"GET {path}: {response.status}, expected {status}"

    def sign_in(self, login: str, password: str = PASSWORD) -> None:
        """Through the real form, as a person would."""
        self.goto("/login")
        self.page.locator("#f-login").fill(login)
        self.page.locator("#f-password").fill(password)
        with self.page.expect_navigation(wait_until="load"):
            self.page.locator("form[action='/login'] button[type=submit]").click()
        assert not self.path.startswith("/login"), f"sign-in as {login} failed: {self.path}"

    def settle(self) -> None:
        """Let pending events (bindings, console messages) reach the test."""
        self.page.wait_for_load_state("load")
        self.page.evaluate("() => new Promise((resolve) => requestAnimationFrame(() => resolve()))")

    def problems(self) -> list[str]:
        self.settle()
        return self.watch.problems()

    def assert_clean(self, where: str) -> None:
        problems = self.problems()
        assert not problems, f"{where}:\n  " + "\n  ".join(problems)

    def h1(self) -> str:
        return " ".join(self.page.locator("h1").first.inner_text().split())

    def html_lang(self) -> str | None:
        return self.page.locator("html").get_attribute("lang")

    def screenshot(self, name: str, *, bottom: bool = False, at: Locator | None = None) -> Path:
        """What the viewport shows, at the top of the page, scrolled to its end, or with the
        element `at` in the middle.

        Not full-page: Chromium draws the fixed bottom navigation where the first viewport
        ended, in the middle of a long page, which is not what anyone sees on a phone.
        """
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        if at is not None:
            at.evaluate("element => element.scrollIntoView({block: 'center'})")
        else:
            scroll = "document.documentElement.scrollHeight" if bottom else "0"
            self.page.evaluate(f"window.scrollTo(0, {scroll})")
        self.page.screenshot(path=str(path))
        return path


# Accessibility --------------------------------------------------------------------------------


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2.x A/AA and best practices)."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page).response["violations"]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """Each violation's rule id, impact and help, then each node's target and what is wrong."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(json.dumps(t, ensure_ascii=False) for t in node["target"])
            summary = " ".join(
                line.strip()
                for line in node.get("failureSummary", "").splitlines()[1:]
                if line.strip()
            )
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


# Test data ------------------------------------------------------------------------------------


def join_token(building_id: int) -> str:
    from hub.community.queries import building

    row = run_async(building, building_id)
    assert row is not None
    return str(row["join_token"])


def setup_token() -> str:
    from hub.community.actions import do_issue_setup_token

    token = run_async(do_issue_setup_token)
    assert token, "a setup token is issued only while nobody has an account"
    return token
