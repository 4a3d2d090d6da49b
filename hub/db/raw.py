"""Help for the few reads written out in SQL (where composing them through the ORM cost more
than running them): their values always travel apart from the text, as Piccolo's `raw()`
binds one value per `{}`."""

from __future__ import annotations

from collections.abc import Sized


def in_list(values: Sized) -> str:
    """The placeholders of an `IN (...)` list of these values: `{}, {}, {}`."""
    return ", ".join("{}" for _ in range(len(values)))
