"""Delivery benchmark: N notifications through the outbox and the worker to the test push
service on 127.0.0.1, which checks each VAPID signature and decrypts each payload.

    .venv/bin/python bench/push_delivery.py [--count 10000]

Runs on a fresh SQLite database in a temporary directory, or on HUB_DATABASE_URL when set (an
empty database it may fill). The push service runs in the same process, in its own thread, so
its signature checks and decryption share the CPU with the worker: the figure is a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HUB_DATA_DIR", tempfile.mkdtemp(prefix="hub-bench-"))
os.environ["HUB_WORKER"] = "0"
os.chdir(ROOT)  # piccolo_conf.py is found from the working directory

from hub.accounts.tables import User  # noqa: E402 - Hub reads the environment set above
from hub.db import database_lifespan  # noqa: E402
from hub.migrate import migrate  # noqa: E402
from hub.notifications.kinds import Kind  # noqa: E402
from hub.notifications.outbox import notify  # noqa: E402
from hub.notifications.push import Pusher  # noqa: E402
from hub.notifications.tables import Notification, PushSubscription  # noqa: E402
from hub.notifications.worker import deliver_due  # noqa: E402
from hub.settings import get_settings  # noqa: E402
from tests.notifications.push_service import PushService  # noqa: E402

CHUNK = 500
NO_PASSWORD = "-"  # noqa: S105 - the benchmark's users never sign in


async def prepare(service: PushService, count: int) -> list[int]:
    user_ids: list[int] = []
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        rows = await User.insert(
            *[
                User(display_name=f"Bench {start + i}", password_hash=NO_PASSWORD, language="en")
                for i in range(size)
            ]
        ).returning(User.id)
        ids = [row["id"] for row in rows]
        devices = [service.new_device() for _ in ids]
        await PushSubscription.insert(
            *[
                PushSubscription(
                    user=user_id,
                    endpoint=device.endpoint,
                    p256dh=device.p256dh,
                    auth=device.auth,
                    label="bench",
                )
                for user_id, device in zip(ids, devices, strict=True)
            ]
        )
        user_ids += ids
    return user_ids


async def bench(count: int) -> None:
    service = PushService().start()
    async with database_lifespan():
        await migrate()
        user_ids = await prepare(service, count)
        queued = 0
        for start in range(0, len(user_ids), CHUNK):
            queued += await notify(user_ids[start : start + CHUNK], Kind.TEST, params={}, url="/")
        started = time.perf_counter()
        async with Pusher(get_settings()) as pusher:
            while await deliver_due(datetime.now(UTC), pusher):
                pass
        elapsed = time.perf_counter() - started
        sent = await Notification.count().where(Notification.state == "sent")
    service.stop()
    print(f"database: {get_settings().database_kind}")
    print(f"queued {queued}, delivered {len(service.messages)}, rows sent {sent}")
    print(f"rejected by the push service: {len(service.rejected)}")
    print(
        f"{sent} notifications in {elapsed:.1f} s: {sent / elapsed:,.0f} notifications per second"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    asyncio.run(bench(parser.parse_args().count))


if __name__ == "__main__":
    main()
