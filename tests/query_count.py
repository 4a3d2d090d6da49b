"""Counting the statements Hub sends to the database while a block runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hub.db import engine


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Every statement the engine runs meanwhile, as SQL text."""
    engine_class = type(engine())
    original = engine_class.run_querystring
    seen: list[str] = []

    async def counted(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    engine_class.run_querystring = counted  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        engine_class.run_querystring = original  # type: ignore[method-assign]
