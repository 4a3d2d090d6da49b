"""Image decoding under attack: peak memory of a real `hub run` while reports of hostile photos
arrive at once (issue 10, item 6).

    .venv/bin/python bench/image_attack.py [--port 8310] [--reports 4] [--photos 6]

Loads the demo community into a fresh data dir, starts `hub run` on 127.0.0.1, signs in as a
resident and sends `--reports` problem reports at once, each with `--photos` PNG files of about
8 KB that declare 8000x8000 pixels (one bit each: the PNG's deflate packs 64 million pixels into
a few KB, which decoded and turned into RGB fill hundreds of MB). Then it sends the same number of
reports with the largest PNG the limits let through, then with ordinary 12-megapixel phone
photos, the load the limits must still let through.
It prints the server's resident memory before, its peak (VmHWM) and after, with the time taken
and the answers. Everything goes to 127.0.0.1 only; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
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
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
HUB = ROOT / ".venv" / "bin" / "hub"
RESIDENT = "13800000005"
DEMO_PASSWORD = "hub-demo-2026"  # noqa: S105 - the demo community's published password


def bomb_png(side: int = 8000) -> bytes:
    """A one-bit PNG of side x side pixels, all black: a few KB on the wire."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG", optimize=True)
    return out.getvalue()


def largest_png(side: int = 4000) -> bytes:
    """The worst PNG the limits let through: 16 megapixels of RGBA in one colour (about 60 KB),
    which must be decoded whole."""
    out = io.BytesIO()
    Image.new("RGBA", (side, side), (200, 60, 40, 255)).save(out, "PNG", optimize=True)
    return out.getvalue()


def phone_jpeg(width: int = 4032, height: int = 3024) -> bytes:
    """A 12-megapixel JPEG with some detail, about the size a phone camera writes."""
    image = Image.effect_noise((width // 4, height // 4), 60).convert("RGB")
    image = image.resize((width, height))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def memory_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in {"VmRSS", "VmHWM"}:
            fields[name] = int(value.split()[0])
    return fields


def reset_peak(pid: int) -> None:
    """Start VmHWM again from the current RSS (Linux 4.0+: write 5 to clear_refs)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


async def wait_until_up(base: str, deadline: float) -> None:
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{base}/healthz", timeout=2)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("the server did not start in time")


async def signed_in(base: str) -> tuple[httpx.AsyncClient, int]:
    client = httpx.AsyncClient(base_url=base, timeout=300)
    await client.get("/login")
    token = client.cookies["hub_csrf"]
    answer = await client.post(
        "/login",
        data={"login": RESIDENT, "password": DEMO_PASSWORD},
        headers={"x-csrftoken": token},
    )
    assert answer.status_code == 303, answer.text[:300]
    today = await client.get("/", follow_redirects=True)
    found = re.search(r"/b/(\d+)/tasks/new", today.text)
    assert found, "no report link on Today"
    return client, int(found.group(1))


async def report(client: httpx.AsyncClient, building: int, photo: bytes, count: int, n: int) -> int:
    token = client.cookies["hub_csrf"]
    extension = "png" if photo.startswith(b"\x89PNG") else "jpg"
    files = [
        ("photos", (f"p{n}-{i}.{extension}", photo, f"image/{extension}")) for i in range(count)
    ]
    answer = await client.post(
        f"/b/{building}/tasks/new",
        data={
            "title": f"Attack {n}",
            "place_kind": "lobby",
            "category": "other",
            "confirmed_new": "1",
        },
        files=files,
        headers={"x-csrftoken": token},
    )
    return answer.status_code


async def wave(
    client: httpx.AsyncClient, building: int, pid: int, photo: bytes, args: argparse.Namespace
) -> None:
    before = memory_kb(pid)["VmRSS"]
    reset_peak(pid)
    started = time.monotonic()
    statuses = await asyncio.gather(
        *(report(client, building, photo, args.photos, n) for n in range(args.reports))
    )
    took = time.monotonic() - started
    peak = memory_kb(pid)["VmHWM"]
    await asyncio.sleep(1)
    after = memory_kb(pid)["VmRSS"]
    print(
        f"  {args.reports} reports x {args.photos} photos of {len(photo) / 1024:.1f} KB: "
        f"answers {sorted(statuses)} in {took:.1f} s; RSS before {before / 1024:.0f} MB, "
        f"peak {peak / 1024:.0f} MB, after {after / 1024:.0f} MB",
        flush=True,
    )


async def attack(base: str, pid: int, args: argparse.Namespace) -> None:
    await wait_until_up(base, time.monotonic() + 60)
    client, building = await signed_in(base)
    try:
        await client.get("/")  # warm the templates
        print(f"server pid {pid}, building {building}")
        print("hostile PNGs (8000x8000, one bit per pixel):")
        await wave(client, building, pid, bomb_png(), args)
        print("the largest PNG accepted (4000x4000 RGBA, one colour):")
        await wave(client, building, pid, largest_png(), args)
        print("ordinary phone photos (4032x3024 JPEG):")
        await wave(client, building, pid, phone_jpeg(), args)
    finally:
        await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8310)
    parser.add_argument("--reports", type=int, default=4)
    parser.add_argument("--photos", type=int, default=6)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="hub-media-attack-")
    env = {**os.environ, "HUB_DATA_DIR": data_dir, "HUB_WORKER": "0"}
    env.pop("HUB_DATABASE_URL", None)
    subprocess.run([HUB, "demo"], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    server = subprocess.Popen(  # noqa: S603 - Hub's own command
        [HUB, "run", "--port", str(args.port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        asyncio.run(attack(f"http://127.0.0.1:{args.port}", server.pid, args))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"data dir: {data_dir}")


if __name__ == "__main__":
    sys.exit(main())
