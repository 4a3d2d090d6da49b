"""Bytes a phone downloads: Today with a notice photo and an event page with a cover, on a cold
load (empty cache, no service worker yet: its install counts too) and a warm one (issue 14's
targets for Today: at most 150 KB cold, 15 KB warm).

    .venv/bin/python bench/page_weight.py [--port 8320] [--tree PATH] [--dpr 1.75]

Loads the demo community into a fresh data dir, posts as its leader a notice with a 1600x1200
photo and an event with a 1600x900 cover (both made here, photo-like), starts `hub run` from
`--tree` (this checkout by default; another checkout of Hub measures its code the same way),
and loads the pages in headless Chromium at 390 px wide with Playwright, counting every response's
encoded body and headers, the service worker's own requests included. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from PIL import Image, ImageFilter
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
LEADER = "13800000001"
DEMO_PASSWORD = "hub-demo-2026"  # noqa: S105 - the demo community's published password
CHROMIUM = "/usr/bin/chromium"


def photo(width: int, height: int) -> bytes:
    """Gradients, shapes and grain, saved as a phone would (JPEG, quality 90)."""
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    grain = Image.effect_noise((width // 8, height // 8), 40).resize((width, height)).convert("RGB")
    shapes = Image.effect_mandelbrot((width, height), (-2.0, -1.2, 1.0, 1.2), 60).convert("RGB")
    image = Image.blend(Image.blend(base, grain, 0.5), shapes, 0.4).filter(
        ImageFilter.GaussianBlur(1)
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not start in time")


def post_content(base: str) -> tuple[int, int]:
    """As the leader: a notice with a photo and an event with a cover; (building, event) ids."""
    with httpx.Client(base_url=base, timeout=120) as client:
        client.get("/login")
        token = client.cookies["hub_csrf"]
        headers = {"x-csrftoken": token}
        answer = client.post(
            "/login", data={"login": LEADER, "password": DEMO_PASSWORD}, headers=headers
        )
        assert answer.status_code == 303, answer.text[:300]
        today = client.get("/", follow_redirects=True).text
        building = int(re.search(r"/b/(\d+)/", today).group(1))  # type: ignore[union-attr]
        answer = client.post(
            f"/b/{building}/notices",
            data={"title": "Water off on Friday", "text": "From 9 to 12, for the new pipes."},
            files={"photo": ("notice.jpg", photo(1600, 1200), "image/jpeg")},
            headers=headers,
        )
        assert answer.status_code == 303, answer.text[:500]
        answer = client.post(
            f"/b/{building}/events",
            data={
                "title": "Courtyard clean-up",
                "starts_at": "2030-06-01T09:00",
                "ends_at": "2030-06-01T11:00",
                "place": "Courtyard",
            },
            files={"cover": ("cover.jpg", photo(1600, 900), "image/jpeg")},
            headers=headers,
        )
        assert answer.status_code == 303, answer.text[:500]
        event = int(answer.headers["location"].rsplit("/", 1)[1])
    return building, event


def weigh(page: Page, url: str) -> tuple[int, int]:
    """Bytes (encoded bodies and headers) and requests while `url` loads and settles."""
    sizes: list[int] = []

    def counted(request) -> None:
        try:
            found = request.sizes()
        except Exception:
            return
        sizes.append(found["responseBodySize"] + found["responseHeadersSize"])

    page.context.on("requestfinished", counted)
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(1500)  # the service worker's install, lazy images near the fold
    page.context.remove_listener("requestfinished", counted)
    return sum(sizes), len(sizes)


def measure(base: str, building: int, event: int, dpr: float) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for name, path in (("Today", "/"), ("event", f"/b/{building}/events/{event}")):
            context = browser.new_context(
                viewport={"width": 390, "height": 844},
                device_scale_factor=dpr,
                is_mobile=True,
                has_touch=True,
                locale="zh-CN",
                service_workers="allow",
            )
            page = context.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=login]", LEADER)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_load_state("networkidle")
            # Cold: nothing of Hub in the cache and no service worker, as on a first visit.
            cdp = context.new_cdp_session(page)
            cdp.send("Network.clearBrowserCache")
            cdp.send(
                "Storage.clearDataForOrigin",
                {"origin": base, "storageTypes": "service_workers,cache_storage"},
            )
            cold, cold_requests = weigh(page, f"{base}{path}")
            warm, warm_requests = weigh(page, f"{base}{path}")
            print(
                f"  {name:6} cold {cold / 1024:6.1f} KB in {cold_requests:2} requests, "
                f"warm {warm / 1024:5.1f} KB in {warm_requests:2} requests",
                flush=True,
            )
            context.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8320)
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument(
        "--dpr", type=float, default=1.75, help="device pixel ratio (Lighthouse: 1.75)"
    )
    args = parser.parse_args()
    os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"
    data_dir = tempfile.mkdtemp(prefix="hub-media-weight-")
    env = {**os.environ, "HUB_DATA_DIR": data_dir, "HUB_WORKER": "0"}
    env.pop("HUB_DATABASE_URL", None)
    hub = [PYTHON, "-m", "hub"]
    subprocess.run([*hub, "demo"], env=env, cwd=args.tree, check=True, capture_output=True)  # noqa: S603
    server = subprocess.Popen(  # noqa: S603 - Hub's own command
        [*hub, "run", "--port", str(args.port)],
        env=env,
        cwd=args.tree,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_until_up(base)
        building, event = post_content(base)
        print(f"{args.tree} at 390 px, device pixel ratio {args.dpr}:")
        measure(base, building, event, args.dpr)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
