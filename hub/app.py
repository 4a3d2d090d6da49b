"""create_app(): plugins, middleware, and the router of every area, nothing else."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.plugins.htmx import HTMXPlugin, HTMXRequest
from litestar.static_files import create_static_files_router
from litestar.stores.memory import MemoryStore

from hub.accounts.routes import router as accounts_router
from hub.accounts.sessions import DatabaseStore, SessionConfig
from hub.community.routes import router as community_router
from hub.db import database_lifespan
from hub.events.routes import router as events_router
from hub.notifications.routes import router as notifications_router
from hub.notifications.worker import worker_lifespan
from hub.patrols.logbook_routes import router as patrol_logbook_router
from hub.patrols.routes import router as patrols_router
from hub.settings import Settings, get_settings
from hub.tasks.routes import router as tasks_router
from hub.web.errors import EXCEPTION_HANDLERS
from hub.web.health import healthz
from hub.web.middleware import ViewerMiddleware, add_security_headers
from hub.web.pwa import router as pwa_router
from hub.web.ratelimit import rate_limit_config
from hub.web.templating import template_config

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
SESSION_MAX_AGE = 60 * 60 * 24 * 30


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
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
    return Litestar(
        route_handlers=[
            accounts_router,
            community_router,
            patrols_router,
            patrol_logbook_router,
            events_router,
            tasks_router,
            notifications_router,
            pwa_router,
            healthz,
            create_static_files_router(path="/static", directories=[STATIC_DIR], name="static"),
        ],
        middleware=[
            session_config.middleware,
            ViewerMiddleware(),
            rate_limit_config.middleware,
        ],
        stores={"sessions": DatabaseStore(), "rate_limit": MemoryStore()},
        csrf_config=csrf_config,
        template_config=template_config(),
        plugins=[HTMXPlugin()],
        request_class=HTMXRequest,
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[add_security_headers],
        lifespan=[database_lifespan, worker_lifespan(settings)],
        openapi_config=None,
    )
