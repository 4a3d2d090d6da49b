"""A real Hub server in a subprocess and one headless Chromium, for tests that drive a browser.

The server inherits this process's environment, which tests/conftest.py filled with the test
database before anything ran, so data made here with the factories is what the server reads.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import (
    CSP_LISTENER,
    LOCALES,
    PHONE,
    ROOT,
    Tab,
    Watch,
    next_client_address,
    run_async,
)
from tests.factories import World

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_SECONDS = 30
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in this folder drives a browser: `-m "not browser"` leaves them out."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


# The database ---------------------------------------------------------------------------------


@pytest.fixture
def world() -> World:
    """tests/conftest.py's world, made outside Playwright's event loop."""
    from tests.conftest import KEPT_WORLD
    from tests.factories import make_world

    return KEPT_WORLD.get(lambda: run_async(make_world))


# The server -----------------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def log_size(self) -> int:
        return self.log.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log.open("rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _start_server(log: Path) -> LiveServer:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "hub.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        # The default, spelled out: X-Forwarded-For from 127.0.0.1 is trusted (see support.py).
        "--proxy-headers",
        "--forwarded-allow-ips",
        "127.0.0.1",
        "--no-access-log",
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=os.environ.copy(), stdout=out, stderr=subprocess.STDOUT
        )
    server = LiveServer(url=f"http://127.0.0.1:{port}", log=log, process=process)
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if _healthy(server.url):
            return server
        time.sleep(0.1)
    _stop(process)
    raise RuntimeError(f"Hub did not start on port {port}:\n{server.log_since(0)[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    log = tmp_path_factory.mktemp("live-server") / "uvicorn.log"
    try:
        server = _start_server(log)
    except RuntimeError:
        # Another process may have taken the free port between our probe and uvicorn's bind.
        server = _start_server(log)
    try:
        yield server
    finally:
        _stop(server.process)


@pytest.fixture(autouse=True)
def server_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test during which the server logged an exception (a 500 behind a page)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    server: LiveServer = request.getfixturevalue("live_server")
    offset = server.log_size()
    yield
    logged = server.log_since(offset)
    if "Traceback" in logged or "ERROR:" in logged:
        pytest.fail(f"the server logged errors during this test:\n{logged[-4000:]}")


# The browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One Chromium for all the tests of this folder.

    Package-scoped rather than session-scoped on purpose: while Playwright's sync API is
    started it marks its event loop as running in this thread, and the `asyncio.run()` of the
    other folders' tests and helpers would then fail. The package scope closes the browser
    after the last test here, so one browser still serves the run.
    """
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


OpenTab = Callable[..., Tab]


@pytest.fixture
def open_tab(browser: Any, live_server: LiveServer) -> Iterator[OpenTab]:
    """`open_tab(language, **device)`: a new browser context (own cookies) with one page."""
    contexts: list[Any] = []

    def open_tab(language: str = "zh", **device: Any) -> Tab:
        options = device or PHONE
        context = browser.new_context(
            locale=LOCALES[language],
            timezone_id="Asia/Shanghai",
            extra_http_headers={"X-Forwarded-For": next_client_address()},
            **options,
        )
        contexts.append(context)
        context.set_default_timeout(10_000)
        watch = Watch()
        context.expose_function("__hubCspViolation", watch.on_csp_violation)
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        page.on("console", watch.on_console)
        page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
        page.on("response", watch.on_response)
        return Tab(page, live_server.url, language, watch)

    yield open_tab
    for context in contexts:
        context.close()
