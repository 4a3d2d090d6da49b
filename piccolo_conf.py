"""Piccolo's configuration: the engine chosen by HUB_DATABASE_URL and every app of Hub."""

from piccolo.conf.apps import AppRegistry

from hub.db import create_engine
from hub.settings import get_settings

DB = create_engine(get_settings())

APP_REGISTRY = AppRegistry(
    apps=[
        "hub.accounts.piccolo_app",
        "hub.community.piccolo_app",
        "hub.events.piccolo_app",
        "hub.patrols.piccolo_app",
        "hub.tasks.piccolo_app",
        "hub.notifications.piccolo_app",
    ]
)
