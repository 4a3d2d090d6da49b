"""Sending one Web Push message within a bounded time.

pywebpush encrypts the payload (aes128gcm) and py_vapid signs the VAPID token; the POST is made
here because pywebpush's async sender passes `timeout=None` (which overrides the session's) and
follows redirects. Every send ends within SEND_SECONDS, never follows a redirect, and connects
only to the endpoints hub.notifications.endpoints allows. One VAPID token per push service is
reused for an hour instead of being signed for every message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import aiohttp
from py_vapid import Vapid
from pywebpush import WebPusher

from hub.notifications.endpoints import NotPublic, PublicResolver, Verdict, verdict_without_dns
from hub.settings import Settings

SEND_SECONDS = 15.0
MAX_CONNECTIONS = 100
VAPID_LIFETIME = 12 * 60 * 60  # the token's exp; push services accept at most 24 h
VAPID_REUSE = 60 * 60  # a token is signed afresh after an hour
DETAIL_CHARS = 300
OK_STATUSES = frozenset({200, 201, 202})
GONE_STATUSES = frozenset({404, 410})


@dataclass(frozen=True, slots=True)
class Endpoint:
    endpoint: str
    p256dh: str
    auth: str


Result = Literal["ok", "gone", "refused", "error", "unavailable"]


@dataclass(frozen=True, slots=True)
class Sent:
    """What became of one message: ok; gone (404/410, the subscription is dead); refused (Hub
    will not connect to that endpoint); error (the service turned this message down); or
    unavailable (no answer in time, no connection, 5xx or 429: the service itself is in
    trouble). `retry_after` is the service's Retry-After in seconds, when it gave one."""

    result: Result
    detail: str = ""
    retry_after: float | None = None


def origin_of(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


class Pusher:
    """The VAPID key, the signed tokens and the HTTP session every message of a worker uses."""

    def __init__(self, settings: Settings, *, send_seconds: float = SEND_SECONDS) -> None:
        self.vapid = Vapid.from_string(private_key=settings.vapid_private_key)
        self.contact = settings.vapid_contact
        self.allowed = settings.push_allowed_hosts
        self.send_seconds = send_seconds
        self.timeout = aiohttp.ClientTimeout(total=send_seconds)
        self.session: aiohttp.ClientSession | None = None
        self._tokens: dict[str, tuple[str, float]] = {}

    async def __aenter__(self) -> Pusher:
        self.session = aiohttp.ClientSession(
            timeout=self.timeout,
            connector=aiohttp.TCPConnector(
                limit=MAX_CONNECTIONS, resolver=PublicResolver(self.allowed)
            ),
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    def _authorization(self, origin: str) -> str:
        now = time.time()  # the real time, not Hub's clock: the push service checks "exp" by it
        token = self._tokens.get(origin)
        if token is None or token[1] <= now:
            claims = {"sub": self.contact, "aud": origin, "exp": int(now) + VAPID_LIFETIME}
            token = (self.vapid.sign(claims)["Authorization"], now + VAPID_REUSE)
            self._tokens[origin] = token
        return token[0]

    async def send(self, to: Endpoint, payload: str, *, ttl: int, urgency: str, topic: str) -> Sent:
        assert self.session is not None, "use the Pusher as an async context manager"
        if verdict_without_dns(to.endpoint, self.allowed) not in (None, Verdict.ALLOWED):
            return Sent("refused", "not a public https push service")
        try:
            body = WebPusher(
                {"endpoint": to.endpoint, "keys": {"p256dh": to.p256dh, "auth": to.auth}}
            ).encode(payload.encode())["body"]
        except (ValueError, TypeError) as error:
            return Sent("error", f"cannot encrypt: {error}"[:DETAIL_CHARS])
        headers = {
            "Authorization": self._authorization(origin_of(to.endpoint)),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "TTL": str(max(ttl, 0)),
            "Urgency": urgency,
            "Topic": topic,
        }
        try:
            async with self.session.post(
                to.endpoint, data=body, headers=headers, allow_redirects=False
            ) as response:
                if response.status in OK_STATUSES:
                    return Sent("ok")
                text = await response.content.read(DETAIL_CHARS)
                detail = f"{response.status} {response.reason or ''}: " + " ".join(
                    text.decode("utf-8", "replace").split()
                )
                retry_after = _retry_after(response.headers.get("Retry-After"))
        except TimeoutError:
            return Sent("unavailable", f"no answer within {self.send_seconds:g} s")
        except aiohttp.ClientConnectorDNSError as error:
            if isinstance(error.os_error, NotPublic):
                return Sent("refused", str(error.os_error))
            return Sent("unavailable", f"cannot resolve: {error}"[:DETAIL_CHARS])
        except (aiohttp.ClientError, OSError) as error:
            return Sent("unavailable", f"{type(error).__name__}: {error}"[:DETAIL_CHARS])
        detail = detail[:DETAIL_CHARS]
        if response.status in GONE_STATUSES:
            return Sent("gone", detail)
        if response.status == 429 or response.status >= 500:
            return Sent("unavailable", detail, retry_after)
        return Sent("error", detail)
