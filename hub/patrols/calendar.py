"""Patrol shifts in a person's calendar feed: the shifts they are on, from a month back."""

from __future__ import annotations

from datetime import timedelta

from hub import clock
from hub.area import Entry
from hub.i18n import _
from hub.patrols.tables import ShiftSignup


async def my_shifts(user_id: int) -> list[Entry]:
    since = clock.now() - timedelta(days=31)
    rows = await ShiftSignup.select(
        ShiftSignup.shift.id.as_alias("id"),
        ShiftSignup.shift.starts_at.as_alias("starts_at"),
        ShiftSignup.shift.ends_at.as_alias("ends_at"),
        ShiftSignup.shift.cancelled_at.as_alias("cancelled_at"),
        ShiftSignup.shift.route.name.as_alias("route"),
        ShiftSignup.shift.route.building.name.as_alias("building"),
        ShiftSignup.shift.route.building.timezone.as_alias("timezone"),
    ).where((ShiftSignup.user == user_id) & (ShiftSignup.shift.ends_at >= since))
    return [
        Entry(
            uid=f"shift-{row['id']}",
            title=_("Patrol: %(route)s", route=row["route"]),
            starts=row["starts_at"],
            ends=row["ends_at"],
            timezone=row["timezone"],
            place=row["building"],
            cancelled=row["cancelled_at"] is not None,
        )
        for row in rows
    ]
