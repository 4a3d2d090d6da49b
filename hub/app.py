"""create_app(): plugins, middleware, the routers of every area in hub.areas, and the web
layer's own (the PWA files, the personal calendar where every area's sources meet, Today's news)."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.plugins.htmx import HTMXPlugin, HTMXRequest
from litestar.static_files import create_static_files_router

from hub.accounts.sessions import DatabaseStore, SessionConfig
from hub.areas import install
from hub.db import database_lifespan
from hub.notifications.worker import worker_lifespan
from hub.settings import Settings, get_settings
from hub.urls import served_routers
from hub.web.dependencies import DEPENDENCIES
from hub.web.errors import EXCEPTION_HANDLERS
from hub.web.forms import FORM_BODY_LIMIT, MAX_FIELDS
from hub.web.history import keep_address_reloadable
from hub.web.middleware import (
    SESSION_USER,
    FormLimitsMiddleware,
    ViewerMiddleware,
    add_security_headers,
)
from hub.web.ratelimit import AttemptLimitMiddleware
from hub.web.static import cache_static_files, compression_config
from hub.web.templating import template_config

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
SESSION_MAX_AGE = 60 * 60 * 24 * 30


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    install()
    session_config = SessionConfig(
        key="hub_session",
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=False,  # add_security_headers adds Secure whenever the request came over https
        store="sessions",
        renew_on_access=False,
    )
    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_name="hub_csrf",
        header_name="x-csrftoken",
        cookie_samesite="lax",
        cookie_httponly=False,
        exclude=["/healthz"],  # monitors get no cookie
    )
    templates = template_config()
    return Litestar(
        route_handlers=[
            *served_routers(),
            create_static_files_router(path="/static", directories=[STATIC_DIR], name="static"),
        ],
        middleware=[
            FormLimitsMiddleware(),
            session_config.middleware,
            ViewerMiddleware(),
            AttemptLimitMiddleware(),
        ],
        stores={"sessions": DatabaseStore(user_key=SESSION_USER)},
        csrf_config=csrf_config,
        template_config=templates,
        plugins=[HTMXPlugin(), FlashPlugin(FlashConfig(template_config=templates))],
        request_class=HTMXRequest,
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[add_security_headers, cache_static_files, keep_address_reloadable],
        compression_config=compression_config(),
        lifespan=[database_lifespan, worker_lifespan(settings)],
        request_max_body_size=FORM_BODY_LIMIT,
        multipart_form_part_limit=MAX_FIELDS,
        openapi_config=None,
        dependencies=DEPENDENCIES,
    )
