"""The yardstick of bench/load.py: a bare Litestar + Jinja2 route that renders a page of a given
size from memory, with no session, no database and no middleware. What it serves per second on
the same machine, with the same server, is the ceiling a Hub page of that size is measured
against.

    .venv/bin/python -m uvicorn bench.ceiling_app:app --workers 2 --port 8791
    GET /page?bytes=124000
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from litestar import Litestar, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

HERE = Path(__file__).resolve().parent
ROW_BYTES = 120  # about what one rendered row below takes


@cache
def rows(size: int) -> list[dict[str, object]]:
    return [
        {"id": n, "name": f"Evening round {n}", "when": f"19:{n % 60:02d}-20:{n % 60:02d}"}
        for n in range(max(1, size // ROW_BYTES))
    ]


@get("/page", sync_to_thread=False)
def page(bytes: int = 10_000) -> Template:
    return Template(template_name="ceiling.html", context={"rows": rows(bytes)})


app = Litestar(
    route_handlers=[page],
    template_config=TemplateConfig(directory=HERE, engine=JinjaTemplateEngine),
    openapi_config=None,
)
