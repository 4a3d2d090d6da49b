"""A push service on 127.0.0.1 for the tests and the benchmark.

It plays the part of a browser vendor's push service for subscriptions whose endpoint points at
it: it checks the `Authorization: vapid t=...,k=...` JWT (ES256 against k, aud the endpoint's
origin, exp in the future, sub present), decrypts the aes128gcm body with the key pair and auth
secret made for the subscription (as a browser would), records the TTL, Urgency and Topic
headers and the payload, and answers 201, or whatever status it was told to answer next.

Faults on demand: `delay` seconds before every answer (a slow service), `outage` a status
answered to every request (a service that is down), and devices whose requests are never
answered (`hang`). `reset()` puts it back to normal.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import http_ece
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    """What a browser keeps for one subscription: its key pair and auth secret."""

    id: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def subscription_json(self) -> dict[str, Any]:
        """The shape `PushSubscription.toJSON()` gives in a browser."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
        }


@dataclass(frozen=True)
class Message:
    device_id: str
    payload: dict[str, Any]
    ttl: int
    urgency: str | None
    topic: str | None
    claims: dict[str, Any]
    vapid_key: str


@dataclass
class PushService:
    host: str = "127.0.0.1"
    port: int = 0
    messages: list[Message] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    answered: list[tuple[str, int]] = field(default_factory=list)
    delay: float = 0.0
    outage: int | None = None
    _hanging: set[str] = field(default_factory=set)
    _release: asyncio.Event | None = None
    _devices: dict[str, Device] = field(default_factory=dict)
    _answers: dict[str, list[int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _runner: web.AppRunner | None = None

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def new_device(self) -> Device:
        device_id = secrets.token_urlsafe(12)
        device = Device(
            id=device_id,
            endpoint=f"{self.origin}/push/{device_id}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=os.urandom(16),
        )
        with self._lock:
            self._devices[device_id] = device
        return device

    def answer(self, device: Device, *statuses: int) -> None:
        """Answer the next requests for this device with these statuses, then 201 again."""
        with self._lock:
            self._answers.setdefault(device.id, []).extend(statuses)

    def hang(self, device: Device) -> None:
        """Accept this device's requests and never answer them."""
        with self._lock:
            self._hanging.add(device.id)

    def reset(self) -> None:
        with self._lock:
            self.delay, self.outage = 0.0, None
            self._hanging.clear()
            self._answers.clear()

    def messages_for(self, device: Device) -> list[Message]:
        with self._lock:
            return [message for message in self.messages if message.device_id == device.id]

    def attempts_for(self, device: Device) -> list[int]:
        with self._lock:
            return [status for device_id, status in self.answered if device_id == device.id]

    def _reject(self, reason: str) -> web.Response:
        with self._lock:
            self.rejected.append(reason)
        return web.Response(status=401, text=reason)

    def _verify_vapid(self, header: str) -> tuple[dict[str, Any], str] | str:
        if not header.startswith("vapid "):
            return "no vapid authorization"
        fields = dict(part.strip().split("=", 1) for part in header[6:].split(","))
        token, key = fields.get("t", ""), fields.get("k", "")
        try:
            head, body, signature = token.split(".")
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
            raw = unb64url(signature)
            public.verify(
                encode_dss_signature(
                    int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
                ),
                f"{head}.{body}".encode(),
                ec.ECDSA(hashes.SHA256()),
            )
            header_json = json.loads(unb64url(head))
            claims = json.loads(unb64url(body))
        except (ValueError, InvalidSignature) as error:
            return f"bad JWT: {error!r}"
        if header_json.get("alg") != "ES256":
            return "JWT alg is not ES256"
        if claims.get("aud") != self.origin:
            return f"aud {claims.get('aud')!r} is not {self.origin!r}"
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
            return "exp is not in the future"
        if claims["exp"] > time.time() + 24 * 60 * 60:
            return "exp is more than 24 hours ahead"
        if not claims.get("sub"):
            return "no sub claim"
        return claims, key

    async def _push(self, request: web.Request) -> web.Response:
        device = self._devices.get(request.match_info["device"])
        if device is None:
            return web.Response(status=404)
        verified = self._verify_vapid(request.headers.get("Authorization", ""))
        if isinstance(verified, str):
            return self._reject(verified)
        claims, key = verified
        if request.headers.get("Content-Encoding") != "aes128gcm":
            return self._reject("Content-Encoding is not aes128gcm")
        try:
            ttl = int(request.headers["TTL"])
        except (KeyError, ValueError):
            return self._reject("no TTL header")
        body = await request.read()
        try:
            plain = http_ece.decrypt(
                body,
                private_key=device.private_key,
                auth_secret=device.auth_secret,
                version="aes128gcm",
            )
            payload = json.loads(plain)
        except Exception as error:  # any failure to decrypt is the sender's fault here
            return self._reject(f"cannot decrypt: {error!r}")
        if device.id in self._hanging:
            assert self._release is not None
            await self._release.wait()  # until the service stops
            return web.Response(status=503)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.outage is not None:
            with self._lock:
                self.answered.append((device.id, self.outage))
            return web.Response(status=self.outage)
        with self._lock:
            queued = self._answers.get(device.id)
            status = queued.pop(0) if queued else 201
            self.answered.append((device.id, status))
            if status == 201:
                self.messages.append(
                    Message(
                        device_id=device.id,
                        payload=payload,
                        ttl=ttl,
                        urgency=request.headers.get("Urgency"),
                        topic=request.headers.get("Topic"),
                        claims=claims,
                        vapid_key=key,
                    )
                )
        return web.Response(status=status)

    def start(self) -> PushService:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._release = asyncio.Event()
            app = web.Application(client_max_size=8192)
            app.router.add_post("/push/{device}", self._push)
            self._runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, self.host, self.port)
            loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="push-service", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            if self._release is not None:
                self._loop.call_soon_threadsafe(self._release.set)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
