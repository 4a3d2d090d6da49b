"""Delivery benchmark: N notifications through the outbox and the worker to the test push
service, which checks each VAPID signature and decrypts each payload.

    .venv/bin/python bench/push_delivery.py [--count 10000] [--delay 0] [--profile]

Runs on a fresh SQLite database in a temporary directory, or on HUB_DATABASE_URL when set (an
empty database it may fill). The push service runs in a process of its own, as a real one runs
on other machines, so the worker's CPU time per delivery is measured apart from the service's
decryption. `--delay` makes the service answer each message that many seconds late;
`--profile` prints where the worker's event loop spends its time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import multiprocessing
import os
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HUB_DATA_DIR", tempfile.mkdtemp(prefix="hub-bench-"))
os.environ["HUB_WORKER"] = "0"
os.environ["HUB_PUSH_ALLOWED_HOSTS"] = "127.0.0.1"  # the push service below
os.chdir(ROOT)  # piccolo_conf.py is found from the working directory

from hub.accounts.tables import User  # noqa: E402 - Hub reads the environment set above
from hub.areas import install  # noqa: E402
from hub.db import database_lifespan  # noqa: E402
from hub.migrate import migrate  # noqa: E402
from hub.notifications.actions import TEST  # noqa: E402
from hub.notifications.outbox import notify  # noqa: E402
from hub.notifications.push import Pusher  # noqa: E402
from hub.notifications.tables import Notification, PushSubscription  # noqa: E402
from hub.notifications.worker import deliver_all  # noqa: E402
from hub.settings import get_settings  # noqa: E402
from tests.notifications.push_service import PushService  # noqa: E402

CHUNK = 500
NO_PASSWORD = "-"  # noqa: S105 - the benchmark's users never sign in


def serve(pipe: Connection, count: int, delay: float) -> None:
    """The push service's process: makes `count` devices, sends their subscriptions, then
    answers (messages, distinct messages, rejected) when asked."""
    service = PushService(delay=delay).start()
    pipe.send(
        [(d.endpoint, d.p256dh, d.auth) for d in (service.new_device() for _ in range(count))]
    )
    pipe.recv()
    distinct = {(message.device_id, message.topic) for message in service.messages}
    pipe.send((len(service.messages), len(distinct), len(service.rejected)))
    service.stop()


async def prepare(devices: list[tuple[str, str, str]]) -> list[int]:
    user_ids: list[int] = []
    for start in range(0, len(devices), CHUNK):
        chunk = devices[start : start + CHUNK]
        rows = await User.insert(
            *[
                User(display_name=f"Bench {start + i}", password_hash=NO_PASSWORD, language="en")
                for i in range(len(chunk))
            ]
        ).returning(User.id)
        ids = [row["id"] for row in rows]
        await PushSubscription.insert(
            *[
                PushSubscription(
                    user=user_id, endpoint=endpoint, p256dh=p256dh, auth=auth, label="bench"
                )
                for user_id, (endpoint, p256dh, auth) in zip(ids, chunk, strict=True)
            ]
        )
        user_ids += ids
    return user_ids


async def bench(count: int, delay: float, profile: bool) -> None:
    here, there = multiprocessing.get_context("spawn").Pipe()
    service = multiprocessing.get_context("spawn").Process(
        target=serve, args=(there, count, delay), daemon=True
    )
    service.start()
    devices = here.recv()
    install()  # the words of every kind, as `hub worker` has them
    async with database_lifespan():
        await migrate()
        user_ids = await prepare(devices)
        queued = 0
        for start in range(0, len(user_ids), CHUNK):
            queued += await notify(user_ids[start : start + CHUNK], TEST, params={}, url="/")
        profiler = cProfile.Profile() if profile else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        async with Pusher(get_settings()) as pusher:
            await deliver_all(pusher, lambda: datetime.now(UTC))
        if profiler:
            profiler.disable()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        sent = await Notification.count().where(Notification.state == "sent")
    here.send("report")
    messages, distinct, rejected = here.recv()
    service.join(10)
    print(f"database: {get_settings().database_kind}; service delay {delay:g} s")
    print(f"queued {queued}, rows sent {sent}, messages received {messages}")
    print(f"duplicated {messages - distinct}, rejected by the push service {rejected}")
    print(
        f"{sent} notifications in {elapsed:.1f} s: {sent / elapsed:,.0f} notifications per second"
    )
    print(f"worker CPU: {cpu:.1f} s, {cpu / max(sent, 1) * 1000:.2f} ms per notification")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(35)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    asyncio.run(bench(args.count, args.delay, args.profile))


if __name__ == "__main__":
    main()
