"""Which push endpoints Hub will connect to: https on a host whose every address is public, or
any host the HUB_PUSH_ALLOWED_HOSTS setting names. A subscription is checked when it is stored,
and every connection the worker makes is checked again through its resolver, so a name that
later resolves to an address inside the network (DNS rebinding) is refused as well."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Collection
from enum import Enum
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

RESOLVE_SECONDS = 5


class Verdict(Enum):
    ALLOWED = "allowed"
    NOT_HTTPS = "not_https"
    NOT_PUBLIC = "not_public"
    UNKNOWN_HOST = "unknown_host"


class NotPublic(OSError):
    """A host resolved only to addresses inside the network (private, loopback, link-local...)."""


def is_public(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def host_of(endpoint: str) -> str:
    return (urlsplit(endpoint).hostname or "").lower()


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def verdict_without_dns(endpoint: str, allowed: Collection[str]) -> Verdict | None:
    """What the endpoint's address alone decides, or None when its name must be resolved."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if not host:
        return Verdict.NOT_HTTPS
    if host in allowed:
        return Verdict.ALLOWED if parts.scheme in {"https", "http"} else Verdict.NOT_HTTPS
    if parts.scheme != "https":
        return Verdict.NOT_HTTPS
    if is_ip_literal(host):
        return Verdict.ALLOWED if is_public(host) else Verdict.NOT_PUBLIC
    return None


async def addresses_of(host: str) -> set[str]:
    """Every address the host's name resolves to (none when it does not resolve in time)."""
    try:
        async with asyncio.timeout(RESOLVE_SECONDS):
            found = await asyncio.get_running_loop().getaddrinfo(host, 443, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError):
        return set()
    return {str(info[4][0]) for info in found}


async def check_endpoint(endpoint: str, allowed: Collection[str]) -> Verdict:
    """Whether Hub may send to this endpoint, resolving its host when that is what decides."""
    known = verdict_without_dns(endpoint, allowed)
    if known is not None:
        return known
    addresses = await addresses_of(host_of(endpoint))
    if not addresses:
        return Verdict.UNKNOWN_HOST
    return Verdict.ALLOWED if all(is_public(a) for a in addresses) else Verdict.NOT_PUBLIC


class PublicResolver(AbstractResolver):
    """aiohttp's resolver that keeps only public addresses, except for the allowed hosts."""

    def __init__(self, allowed: Collection[str]) -> None:
        self.allowed = frozenset(allowed)
        self._inner = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        if host.lower() in self.allowed:
            return found
        public = [result for result in found if is_public(result["host"])]
        if not public:
            raise NotPublic(f"{host} has no public address")
        return public

    async def close(self) -> None:
        await self._inner.close()
