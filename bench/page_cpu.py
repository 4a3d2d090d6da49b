"""CPU time per page view, in process, on the district's data: the work Hub does for a page,
without the network or a load generator, so that it can be compared between two checkouts on a
machine that is busy with other work (wall-clock figures are not, CPU time nearly is).

    .venv/bin/python bench/district.py        # once (HUB_DATA_DIR, HUB_DATABASE_URL)
    .venv/bin/python bench/page_cpu.py [--views 20] [--tree OTHER_CHECKOUT]

Each page is viewed once to warm up, then `--views` times; the figure is the process's CPU time
(every thread: the database's too) per view. `--tree` measures another checkout's `hub` on the
same data (it must read the same schema: migrate the data with the newer one).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PAGES = (
    ("volunteer", "/b/1/patrols/week", "patrol week, volunteer"),
    ("leader", "/b/1/patrols/week", "patrol week, leader"),
    ("volunteer", "/", "Today, volunteer"),
    ("leader", "/", "Today, leader"),
    ("resident", "/", "Today, resident"),
    ("leader", "/b/1/logbook", "log book, one week"),
    ("leader", "/b/1/tasks", "task board"),
    ("resident", "/b/1/events/1", "event page"),
)


async def measure(views: int, prepare_people: Callable[[str], Awaitable[dict[str, Any]]]) -> None:
    import httpx

    from hub.app import create_app
    from hub.db import database_lifespan
    from hub.settings import get_settings

    app = create_app(dataclasses.replace(get_settings(), worker=False))
    transport = httpx.ASGITransport(app=app)
    async with database_lifespan():
        people = await prepare_people("x" * 32)
        print("| page | bytes | CPU ms per view |")
        print("| --- | --- | --- |")
        for who, path, name in PAGES:
            session = people[who].split("; ")[0].split("=", 1)[1]
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench.test", cookies={"hub_session": session}
            ) as client:
                response = await client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                started = time.process_time()
                for _ in range(views):
                    await client.get(path)
                spent = (time.process_time() - started) / views * 1000
            print(f"| {name} | {len(response.content):,} | {spent:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--views", type=int, default=20)
    parser.add_argument("--tree", type=Path, default=HERE.parent)
    args = parser.parse_args()
    tree = args.tree.resolve()
    sys.path.insert(0, str(HERE))
    load = importlib.import_module("load")  # first: it puts this checkout on the path...
    sys.path.insert(0, str(tree))  # ...which `tree` then precedes
    # The editable install of this checkout must not shadow the other one's `hub`.
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
    os.chdir(tree)  # piccolo_conf.py is found from the working directory
    logging.disable(logging.WARNING)
    asyncio.run(measure(args.views, load.prepare_people))


if __name__ == "__main__":
    main()
