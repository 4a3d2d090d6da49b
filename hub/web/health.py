"""The health check a load balancer or a monitor asks."""

from __future__ import annotations

import asyncio

from litestar import Response, get

from hub.db import ping
from hub.settings import get_settings
from hub.web.policy import Access, requires

PING_TIMEOUT_SECONDS = 3


@get("/healthz", guards=[requires(Access.PUBLIC)], cache_control=None, name="web.healthz")
async def healthz() -> Response[dict[str, str]]:
    kind = get_settings().database_kind
    try:
        healthy = await asyncio.wait_for(ping(), PING_TIMEOUT_SECONDS)
    except TimeoutError:
        healthy = False
    if healthy:
        return Response({"status": "ok", "database": kind})
    return Response({"status": "unavailable", "database": kind}, status_code=503)
