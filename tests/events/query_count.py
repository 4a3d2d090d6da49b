"""Counting the queries Piccolo sends while a block runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from hub.db import engine


@dataclass
class Counter:
    count: int = 0


@contextmanager
def count_queries() -> Iterator[Counter]:
    engine_class = type(engine())
    counter = Counter()
    original = engine_class.run_querystring

    async def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        counter.count += 1
        return await original(self, *args, **kwargs)

    engine_class.run_querystring = counting  # type: ignore[method-assign]
    try:
        yield counter
    finally:
        engine_class.run_querystring = original  # type: ignore[method-assign]
