"""Sending one Web Push message: pywebpush's async sender over one shared aiohttp session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import aiohttp
from py_vapid import Vapid
from pywebpush import WebPushException, webpush_async

from hub.notifications.kinds import KindSpec
from hub.settings import Settings

TIMEOUT_SECONDS = 30
MAX_CONNECTIONS = 100


@dataclass(frozen=True, slots=True)
class Endpoint:
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True, slots=True)
class Sent:
    """What a push service said: ok, gone (404/410: the subscription is dead) or error."""

    result: Literal["ok", "gone", "error"]
    detail: str = ""


class Pusher:
    """Holds the VAPID key and the HTTP session every message of a worker goes through."""

    def __init__(self, settings: Settings) -> None:
        self.vapid = Vapid.from_string(private_key=settings.vapid_private_key)
        self.contact = settings.vapid_contact
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Pusher:
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
            connector=aiohttp.TCPConnector(limit=MAX_CONNECTIONS),
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def send(self, to: Endpoint, payload: str, spec: KindSpec, topic: str) -> Sent:
        assert self.session is not None, "use the Pusher as an async context manager"
        try:
            await webpush_async(
                subscription_info={
                    "endpoint": to.endpoint,
                    "keys": {"p256dh": to.p256dh, "auth": to.auth},
                },
                data=payload,
                vapid_private_key=self.vapid,
                vapid_claims={"sub": self.contact},  # pywebpush adds aud and exp to it
                ttl=spec.ttl,
                headers={"Urgency": spec.urgency, "Topic": topic},
                aiohttp_session=self.session,
            )
        except WebPushException as error:
            if error.status_code in (404, 410):
                return Sent("gone", str(error.status_code))
            return Sent("error", " ".join(str(error.message).split())[:500])
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            return Sent("error", f"{type(error).__name__}: {error}"[:500])
        return Sent("ok")
