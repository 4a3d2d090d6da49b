"""Settings > Notifications: this device, my devices, a test notification, what to send me and
quiet hours."""

from __future__ import annotations

import json
import re
from datetime import time
from typing import Any

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_201_CREATED,
    HTTP_400_BAD_REQUEST,
    HTTP_409_CONFLICT,
    HTTP_429_TOO_MANY_REQUESTS,
)

from hub.errors import Refused
from hub.forms import Form
from hub.i18n import _
from hub.notifications import actions, queries
from hub.notifications.actions import SETTINGS_PATH
from hub.notifications.kinds import label_of, optional_kinds
from hub.settings import get_settings
from hub.web.forms import read_form
from hub.web.pages import form_page, page, see_other
from hub.web.policy import Access, requires

MAX_SUBSCRIPTION_BYTES = 8192
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WAIT_SECONDS = 20  # static/push.js gives each step of turning notifications on this long


async def _devices_context(user_id: int, timezone: str) -> dict[str, Any]:
    return {"devices": await queries.devices_of(user_id), "timezone": timezone}


async def _page_context(request: HTMXRequest, user_id: int, timezone: str) -> dict[str, Any]:
    """The page, and after a test sent without JavaScript (?test=sent, busy or no-device)
    what became of it."""
    devices = await _devices_context(user_id, timezone)
    test = request.query_params.get("test")
    refused = {"busy": actions.too_many_tests_message, "no-device": actions.no_device_message}
    return {
        **devices,
        "kinds": [(kind, label_of(kind)) for kind in optional_kinds()],
        "vapid_public_key": get_settings().vapid_public_key,
        "wait_seconds": WAIT_SECONDS,
        "saved": request.query_params.get("saved") == "1",
        "sent_to": len(devices["devices"]) if test == "sent" else 0,
        "refused": refused[test]() if test in refused else "",
    }


async def _stored_values(user_id: int) -> dict[str, Any]:
    quiet = await queries.quiet_hours_of(user_id)
    return {
        "kinds": list(await queries.enabled_kinds(user_id)),
        "quiet": "on" if quiet else "",
        "quiet_start": quiet[0].strftime("%H:%M") if quiet else "22:00",
        "quiet_end": quiet[1].strftime("%H:%M") if quiet else "07:00",
    }


@get(SETTINGS_PATH, guards=[requires(Access.SIGNED_IN)], name="notifications.notifications")
async def notifications_page(
    request: HTMXRequest, user_id: NamedDependency[int], timezone: NamedDependency[str]
) -> Template:
    return page(
        "notifications/settings.html",
        values=await _stored_values(user_id),
        errors={},
        **await _page_context(request, user_id, timezone),
    )


def _clock(form: Form, name: str) -> time | None:
    raw = form.raw(name).strip()
    if not CLOCK.match(raw):
        form.error(name, _("Please give a time such as 22:00."))
        return None
    return time.fromisoformat(raw)


@post(SETTINGS_PATH, guards=[requires(Access.SIGNED_IN)], name="notifications.notifications_save")
async def notifications_save(
    request: HTMXRequest, user_id: NamedDependency[int], timezone: NamedDependency[str]
) -> Template | Redirect:
    form = Form(await read_form(request))
    kinds = form.choices("kinds", optional_kinds())
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
        context = await _page_context(request, user_id, timezone)
        return form_page("notifications/settings.html", form, **context)
    await actions.do_save_settings(user_id, enabled=set(kinds), quiet=quiet, timezone=timezone)
    return see_other(f"{SETTINGS_PATH}?saved=1")


def _refused(message: str) -> Template:
    return page("notifications/_refused.html", status=HTTP_400_BAD_REQUEST, message=message)


@post(
    f"{SETTINGS_PATH}/devices", guards=[requires(Access.SIGNED_IN)], name="notifications.device_add"
)
async def device_add(
    request: HTMXRequest, user_id: NamedDependency[int], timezone: NamedDependency[str]
) -> Template:
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
        subscription = await actions.read_subscription(
            data.get("subscription"), data.get("label", ""), get_settings().push_allowed_hosts
        )
    except Refused as refused:
        return _refused(refused.message)
    await actions.do_subscribe(user_id, subscription)
    return page(
        "notifications/_devices.html",
        status=HTTP_201_CREATED,
        **await _devices_context(user_id, timezone),
    )


@post(
    f"{SETTINGS_PATH}/devices/{{subscription_id:int}}/remove",
    guards=[requires(Access.SIGNED_IN)],
    name="notifications.device_remove",
)
async def device_remove(
    request: HTMXRequest,
    subscription_id: FromPath[int],
    user_id: NamedDependency[int],
    timezone: NamedDependency[str],
) -> Template | Redirect:
    await actions.do_remove_device(user_id, subscription_id)
    if request.htmx:
        return page("notifications/_devices.html", **await _devices_context(user_id, timezone))
    return see_other(SETTINGS_PATH)


@post(f"{SETTINGS_PATH}/test", guards=[requires(Access.SIGNED_IN)], name="notifications.send_test")
async def send_test(request: HTMXRequest, user_id: NamedDependency[int]) -> Template | Redirect:
    """Queue a test notification; the answer says to how many devices, or why none."""
    try:
        devices = await actions.do_send_test(user_id)
    except Refused as refused:
        no_device = refused.field == "devices"
        if not request.htmx:
            return see_other(f"{SETTINGS_PATH}?test={'no-device' if no_device else 'busy'}")
        return page(
            "notifications/_test_status.html",
            status=HTTP_409_CONFLICT if no_device else HTTP_429_TOO_MANY_REQUESTS,
            sent_to=0,
            refused=refused.message,
        )
    if request.htmx:
        return page("notifications/_test_status.html", sent_to=devices, refused="")
    return see_other(f"{SETTINGS_PATH}?test=sent")


router = Router(
    path="/",
    route_handlers=[notifications_page, notifications_save, device_add, device_remove, send_test],
)
