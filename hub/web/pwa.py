"""What makes Hub an installable app that works on a round without signal: the web manifest in
the viewer's language, the service worker (static/sw.js, served from the root so it controls
every page), the offline page, and the short links the manifest's shortcuts open."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get
from litestar.response import Redirect, Template

from hub.i18n import LANGUAGES, _, current_language
from hub.urls import url
from hub.web.offline import kept_of, queueable_of
from hub.web.pages import page
from hub.web.policy import Access, requires, viewer_of
from hub.web.static import static_url
from hub.web.templating import in_language

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"
THEME_COLOUR = "#0f5c4c"
BACKGROUND_COLOUR = "#f3f5f4"
# What the service worker keeps from its install on: every page's stylesheet and scripts, the
# icons, and the offline page, under their versioned URLs (hub/web/static.py). Their contents make
# the worker's version, so a change to any of them installs a new worker, which fetches the new
# URLs; one the browser already holds comes from its cache, not the network again.
SHELL_FILES = (
    "hub.css",
    "hub.js",
    "offline-queue.js",
    "pwa.js",
    "vendor/htmx-2.0.11/htmx.min.js",
    "icons.svg",
    "icon.svg",
    "icons/icon-192.png",
    "icons/badge-96.png",
)
NO_CACHE = "no-cache"


def _icons() -> list[dict[str, str]]:
    return [
        {"src": static_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static_url("icons/maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]


def manifest() -> dict[str, Any]:
    """The web manifest in the current language."""
    language = current_language.get()
    shortcut_icon = [{"src": static_url("icons/icon-192.png"), "sizes": "192x192"}]
    return {
        "id": "/",
        "name": _("Hub: our building's neighbours and volunteers"),
        "short_name": _("Hub"),
        "description": _("Patrols, repairs and events of your building, run by its neighbours."),
        "lang": "zh-Hans" if language == "zh" else "en",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": _icons(),
        "shortcuts": [
            {"name": _("Start round"), "url": url("web.go_round"), "icons": shortcut_icon},
            {"name": _("Report a problem"), "url": url("web.go_report"), "icons": shortcut_icon},
        ],
    }


@get("/manifest.webmanifest", guards=[requires(Access.PUBLIC)], name="web.web_manifest")
async def web_manifest() -> Response[str]:
    return Response(
        json.dumps(manifest(), ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": NO_CACHE, "Vary": "Accept-Language, Cookie"},
    )


def _fallback_texts() -> dict[str, dict[str, str]]:
    """What a notification says when its message cannot be read, in each language."""
    return {
        language: {
            "title": in_language(language, "Hub"),
            "body": in_language(language, "Something new for you in Hub."),
        }
        for language in LANGUAGES
    }


@cache
def service_worker_script(queueable: tuple[tuple[str, str], ...], kept: tuple[str, ...]) -> str:
    """static/sw.js after one line that gives it its version, its fallback texts, the routes
    whose forms the offline queue keeps and the pages it keeps a copy of. The worker has them
    from its install on, with no request more, and a change to them (as to the shell) makes a
    new version."""
    script = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    digest = hashlib.sha256(script.encode())
    for name in SHELL_FILES:
        digest.update((STATIC_DIR / name).read_bytes())
    digest.update(json.dumps([queueable, kept]).encode())
    settings = {
        "version": digest.hexdigest()[:12],
        "shell": [static_url(name) for name in SHELL_FILES],
        "queue": static_url("offline-queue.js"),
        "queueable": queueable,
        "kept": kept,
        "texts": _fallback_texts(),
    }
    return f"self.HUB = {json.dumps(settings, ensure_ascii=False)};\n{script}"


@get("/sw.js", guards=[requires(Access.PUBLIC)], name="web.service_worker")
async def service_worker(request: Request[Any, Any, Any]) -> Response[str]:
    # no-cache: the browser asks every time whether the worker changed (a 200 of a few KB).
    return Response(
        service_worker_script(queueable_of(request), kept_of(request)),
        media_type="text/javascript",
        headers={"Cache-Control": NO_CACHE, "Service-Worker-Allowed": "/"},
    )


@get("/offline", guards=[requires(Access.PUBLIC)], name="web.offline")
async def offline_page() -> Template:
    """The page the service worker shows for a page it has not kept, when there is no network;
    it keeps one copy, fetched again when the language of the pages changes."""
    response = page("offline.html")
    response.headers["Content-Language"] = current_language.get()
    response.headers["Cache-Control"] = NO_CACHE
    return response


@get("/go/round", guards=[requires(Access.SIGNED_IN)], name="web.go_round")
async def go_round(request: Request[Any, Any, Any]) -> Redirect:
    """The "Start round" shortcut: the patrols page of the viewer's building, where the round
    of their shift starts (residents, who do not patrol, land on Today)."""
    place = viewer_of(request).current
    if place is None or not place.can("patrols.walk"):
        return Redirect(url("community.today"))
    return Redirect(url("patrols.patrols_home", building_id=place.building_id))


@get("/go/report", guards=[requires(Access.SIGNED_IN)], name="web.go_report")
async def go_report(request: Request[Any, Any, Any]) -> Redirect:
    """The "Report a problem" shortcut: the report form of the viewer's building."""
    place = viewer_of(request).current
    if place is None:
        return Redirect(url("community.today"))
    return Redirect(url("tasks.report", building_id=place.building_id))


router = Router(
    path="/",
    route_handlers=[web_manifest, service_worker, offline_page, go_round, go_report],
)
