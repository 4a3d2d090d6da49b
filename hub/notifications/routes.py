"""Settings > Notifications: this device, my devices, a test notification, what to send me and
quiet hours."""

from __future__ import annotations

import json
import re
from datetime import time
from typing import Any

from litestar import Router, get, post
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_400_BAD_REQUEST

from hub.errors import Refused
from hub.notifications import actions, queries
from hub.notifications.actions import SETTINGS_PATH
from hub.notifications.kinds import Kind, label_of, optional_kinds
from hub.settings import get_settings
from hub.web.forms import Form, read_form
from hub.web.i18n import _
from hub.web.pages import form_page, page, see_other
from hub.web.policy import Access, requires, user_id_of, viewer_of

MAX_SUBSCRIPTION_BYTES = 8192
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
DEFAULT_TIMEZONE = "Asia/Shanghai"


def _timezone(request: HTMXRequest) -> str:
    place = viewer_of(request).current
    return place.timezone if place else DEFAULT_TIMEZONE


async def _devices_context(request: HTMXRequest) -> dict[str, Any]:
    return {
        "devices": await queries.devices_of(user_id_of(request)),
        "timezone": _timezone(request),
    }


async def _page_context(request: HTMXRequest) -> dict[str, Any]:
    return {
        **await _devices_context(request),
        "kinds": [(kind.value, label_of(kind)) for kind in optional_kinds()],
        "vapid_public_key": get_settings().vapid_public_key,
        "saved": request.query_params.get("saved") == "1",
        "tested": request.query_params.get("tested") == "1",
    }


async def _stored_values(user_id: int) -> dict[str, Any]:
    quiet = await queries.quiet_hours_of(user_id)
    return {
        "kinds": [kind.value for kind in await queries.enabled_kinds(user_id)],
        "quiet": "on" if quiet else "",
        "quiet_start": quiet[0].strftime("%H:%M") if quiet else "22:00",
        "quiet_end": quiet[1].strftime("%H:%M") if quiet else "07:00",
    }


@get(SETTINGS_PATH, guards=[requires(Access.SIGNED_IN)])
async def notifications_page(request: HTMXRequest) -> Template:
    return page(
        "notifications/settings.html",
        values=await _stored_values(user_id_of(request)),
        errors={},
        **await _page_context(request),
    )


def _clock(form: Form, name: str) -> time | None:
    raw = form.raw(name).strip()
    if not CLOCK.match(raw):
        form.error(name, _("Please give a time such as 22:00."))
        return None
    return time.fromisoformat(raw)


@post(SETTINGS_PATH, guards=[requires(Access.SIGNED_IN)])
async def notifications_save(request: HTMXRequest) -> Template | Redirect:
    form = Form(await read_form(request))
    kinds = form.choices("kinds", [kind.value for kind in optional_kinds()])
    quiet_on = form.flag("quiet")
    quiet: tuple[time, time] | None = None
    if quiet_on:
        start, end = _clock(form, "quiet_start"), _clock(form, "quiet_end")
        if start is not None and end is not None:
            if start == end:
                form.error(
                    "quiet_end", _("Quiet hours need to end at another time than they start.")
                )
            quiet = (start, end)
    if not form.ok:
        form.values["kinds"] = kinds
        form.values["quiet"] = "on" if quiet_on else ""
        return form_page("notifications/settings.html", form, **await _page_context(request))
    await actions.do_save_settings(
        user_id_of(request),
        enabled={Kind(kind) for kind in kinds},
        quiet=quiet,
        timezone=_timezone(request),
    )
    return see_other(f"{SETTINGS_PATH}?saved=1")


def _refused(message: str) -> Template:
    return page("notifications/_refused.html", status=HTTP_400_BAD_REQUEST, message=message)


@post(f"{SETTINGS_PATH}/devices", guards=[requires(Access.SIGNED_IN)])
async def device_add(request: HTMXRequest) -> Template:
    """Store this browser's push subscription, posted by static/push.js as JSON
    {"subscription": PushSubscription.toJSON(), "label": "..."}; answers the device list."""
    body = await request.body()
    if len(body) > MAX_SUBSCRIPTION_BYTES:
        return _refused(_("The subscription is too large."))
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _refused(_("The browser did not send a subscription we can read. Please try again."))
    if not isinstance(data, dict):
        return _refused(_("The browser did not send a subscription we can read. Please try again."))
    try:
        subscription = actions.parse_subscription(data.get("subscription"), data.get("label", ""))
    except Refused as refused:
        return _refused(refused.message)
    await actions.do_subscribe(user_id_of(request), subscription)
    return page(
        "notifications/_devices.html", status=HTTP_201_CREATED, **await _devices_context(request)
    )


@post(
    f"{SETTINGS_PATH}/devices/{{subscription_id:int}}/remove", guards=[requires(Access.SIGNED_IN)]
)
async def device_remove(
    request: HTMXRequest, subscription_id: FromPath[int]
) -> Template | Redirect:
    await actions.do_remove_device(user_id_of(request), subscription_id)
    if request.htmx:
        return page("notifications/_devices.html", **await _devices_context(request))
    return see_other(SETTINGS_PATH)


@post(f"{SETTINGS_PATH}/test", guards=[requires(Access.SIGNED_IN)])
async def send_test(request: HTMXRequest) -> Template | Redirect:
    await actions.do_send_test(user_id_of(request))
    if request.htmx:
        return page("notifications/_test_sent.html")
    return see_other(f"{SETTINGS_PATH}?tested=1")


router = Router(
    path="/",
    route_handlers=[notifications_page, notifications_save, device_add, device_remove, send_test],
)
