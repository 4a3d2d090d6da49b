"""The Jinja2 environment: one base layout, translations, and the helpers templates share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.dates import get_day_names
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from hub.accounts.skills import SKILLS
from hub.areas import permissions
from hub.community.roles import grants_of
from hub.i18n import HTML_LANG, LANGUAGES, current_language, gettext, ngettext, translations
from hub.media.variants import picture
from hub.urls import url
from hub.web import dates
from hub.web.offline import queueable_of
from hub.web.policy import viewer_of
from hub.web.static import static_url

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"


def layout_for(request: Any) -> str:
    """The whole page for a normal load; only the main content for an htmx navigation."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return "layout/fragment.html"
    return "layout/base.html"


def large_text(request: Any) -> bool:
    """The viewer's text size: their profile's when signed in, else this browser session's."""
    viewer = viewer_of(request)
    if viewer.signed_in:
        return viewer.large_text
    return bool((request.scope.get("session") or {}).get("large_text", False))


def in_language(language: str, message: str) -> str:
    """A message in a given language whatever the page's, for bilingual posters."""
    return translations(language).gettext(message)


def role_may(role_key: str, beyond: str | None = None) -> list[str]:
    """What a role may do (beyond what the role `beyond` may), in the words the areas declare
    (for the translation catalogue), in the areas' order."""
    granted = grants_of(role_key) - (grants_of(beyond) if beyond else frozenset())
    return [p.description for name, p in permissions().items() if name in granted]


def weekday_names() -> list[str]:
    """Short day names, Monday first, in the page's language."""
    names = get_day_names("abbreviated", locale=dates.babel_locale())
    return [names[day] for day in range(7)]


def create_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        auto_reload=False,  # templates change only with a new release, which restarts Hub
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        layout_for=layout_for,
        viewer_of=viewer_of,
        queueable_routes=queueable_of,
        languages=LANGUAGES,
        html_lang=lambda: HTML_LANG[current_language.get()],
        current_language=current_language.get,
        in_language=in_language,
        large_text=large_text,
        skill_labels=SKILLS,
        role_may=role_may,
        picture=picture,
        static_url=static_url,
        url=url,
        span=dates.span,
        clock_span=dates.clock_span,
        day_span=dates.day_span,
        duration=dates.duration,
    )
    env.filters.update(
        day=dates.day,
        long_day=dates.long_day,
        clock=dates.clock,
        day_time=dates.day_time,
        relative=dates.relative,
        machine=dates.machine,
    )
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(create_environment()))
