"""Events made through Hub's own actions, and many people to answer them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hub.accounts.tables import User
from hub.community.tables import Membership
from hub.db import write_transaction
from hub.events import actions

_numbers = itertools.count(1)


def details(**changes: object) -> actions.EventDetails:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    values: dict[str, object] = {
        "title": "Legal-knowledge talk",
        "description": "Bring your questions.",
        "place": "Neighbour station",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "capacity": 20,
        "rsvp_deadline": None,
        "guests_allowed": True,
        "max_guests": 2,
    }
    values.update(changes)
    return actions.EventDetails(**values)  # type: ignore[arg-type]


async def make_event(
    actor: int, community_id: int, building_id: int | None, **changes: object
) -> int:
    return await actions.do_create_event(actor, community_id, building_id, details(**changes))


async def home_of(user_id: int) -> int:
    """The first building a person is a member of: where they answer an event from."""
    row = (
        await Membership.select(Membership.building)
        .where(Membership.user == user_id)
        .order_by(Membership.id)
        .first()
    )
    assert row is not None, f"user {user_id} is in no building"
    return int(row["building"])


async def make_users(count: int, prefix: str = "Neighbour") -> list[int]:
    """Many accounts at once (no password, no building): people who answer events."""
    async with write_transaction():
        rows = await User.insert(
            *[
                User(
                    display_name=f"{prefix} {n:04d}",
                    phone=f"1770{next(_numbers):07d}",
                    password_hash="x",
                )
                for n in range(count)
            ]
        ).returning(User.id)
    return [int(row["id"]) for row in rows]


async def path_values_in(building_id: int, community_id: int, actor: int) -> dict[str, int]:
    """An event and a notice of this building, each with a photo, for the route matrix's
    {event_id} and {notice_id}."""
    from tests.media.images import phone_jpeg, store_again

    cover = store_again(phone_jpeg()).file
    event_id = await make_event(actor, community_id, building_id, cover=cover)
    notice_id = await actions.do_post_notice(
        actor,
        community_id,
        building_id,
        actions.NoticeDetails(
            title="Water off",
            text="Friday",
            pinned=False,
            urgent=False,
            ends_on=None,
            photo=cover,
        ),
    )
    return {"event_id": event_id, "notice_id": notice_id}
