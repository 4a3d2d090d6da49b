"""Sign-in and join attempts per client address, counted with Litestar's rate limiter.

Counts live in a memory store, so they are per process: with `--workers N` an address gets up
to N times the limit, which still stops a password-guessing run.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.middleware.rate_limit import RateLimitConfig

LIMITED_PATHS = re.compile(r"^/(login|join/[^/]+|setup/[^/]+)$")
ATTEMPTS_PER_MINUTE = 10


def is_limited(request: Request[Any, Any, Any]) -> bool:
    return request.method == "POST" and bool(LIMITED_PATHS.match(request.url.path))


rate_limit_config = RateLimitConfig(
    rate_limit=("minute", ATTEMPTS_PER_MINUTE),
    check_throttle_handler=is_limited,
    set_rate_limit_headers=False,
)
