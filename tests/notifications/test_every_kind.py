"""Every kind, end to end: queued for a Chinese and an English reader, delivered by the worker
to the test push service (which checks the VAPID JWT and decrypts the body), and arriving with
its words in the reader's language, its link, and the urgency of its kind with the TTL of its
kind, or less when the notification is worth sending for a shorter time."""

from __future__ import annotations

import pytest

from hub.accounts.tables import User
from hub.areas import AREAS
from hub.db import write_transaction
from hub.notifications.kinds import expires_at, spec_of
from hub.notifications.outbox import notify
from hub.notifications.texts import render
from tests.factories import make_person
from tests.notifications.push_service import PushService
from tests.notifications.support import NOW, deliver, run, subscribe

WHEN = "2026-12-06T11:00:00+00:00"  # 19:00 in Shanghai
# One set of parameters holds what the words of every kind read.
PARAMS = {
    "building": "2号楼",
    "route": "North",
    "starts_at": WHEN,
    "first": WHEN,
    "timezone": "Asia/Shanghai",
    "places": 2,
    "volunteers": ["Volunteer Li"],
    "checkpoint": "Lobby",
    "kind": "repair",
    "severity": "high",
    "note": "Light out",
    "volunteer": "Volunteer Li",
    "task": "Entrance door does not close",
    "status": "done",
    "reason": "",
    "event": "Tea afternoon",
    "place": "Community room",
    "title": "Water off",
    "text": "",
}


@pytest.mark.parametrize("kind", [kind for area in AREAS for kind in area.kinds])
def test_every_kind_arrives_in_its_readers_language(service: PushService, kind: str) -> None:
    readers = {language: service.new_device() for language in ("zh", "en")}

    async def queue() -> None:
        for language, device in readers.items():
            user_id = (await make_person(f"Reader {language}")).id
            await User.update({User.language: language}).where(User.id == user_id)
            await subscribe(user_id, device)
            async with write_transaction():
                await notify([user_id], kind, params=PARAMS, url="/b/1/patrols", due_at=NOW)

    run(queue)
    assert run(deliver) == 2
    spec = spec_of(kind)
    for language, device in readers.items():
        [message] = service.messages_for(device)
        title, body = render(kind, PARAMS, language)
        assert message.payload["title"] == title
        assert message.payload["body"] == body
        assert (message.payload["kind"], message.payload["lang"]) == (kind, language)
        assert message.payload["url"] == "/b/1/patrols"
        worth = int((expires_at(kind, PARAMS, NOW) - NOW).total_seconds())
        assert (message.ttl, message.urgency) == (min(spec.ttl, worth), spec.urgency)
    zh_title, en_title = (render(kind, PARAMS, language)[0] for language in ("zh", "en"))
    assert zh_title != en_title  # the words really are in each reader's language
