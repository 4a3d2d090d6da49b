"""Today, first-start setup, joining, members, invites and the community admin's pages."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any
from zoneinfo import available_timezones

from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from hub.accounts.actions import NewAccount
from hub.accounts.contact import split_contact
from hub.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from hub.accounts.routes import sign_in
from hub.community import actions, queries
from hub.community.qr import qr_svg
from hub.community.roles import Role
from hub.errors import Refused
from hub.forms import Form, whole_number
from hub.i18n import N_, _, current_language
from hub.urls import url
from hub.web.forms import read_form
from hub.web.middleware import SESSION_BUILDING
from hub.web.pages import absolute_url, form_page, page, see_other, tell
from hub.web.policy import Access, allowed, requires, viewer_of
from hub.web.today import Section, sections_for

TIMEZONES = sorted(available_timezones())
NOW_IN_ROLE = {
    Role.RESIDENT: N_("%(name)s is now a resident of %(building)s."),
    Role.VOLUNTEER: N_("%(name)s is now a volunteer of %(building)s."),
    Role.LEADER: N_("%(name)s is now a leader of %(building)s."),
}


def _new_account(form: Form) -> NewAccount:
    display_name = form.text("display_name", max_length=80)
    contact = form.text("contact", max_length=254)
    email, phone = split_contact(contact) if contact else (None, None)
    if contact and not (email or phone):
        form.error(
            "contact",
            _("Please give a mobile number such as 13812345678, or an email address."),
        )
    password = form.secret(
        "password", min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH
    )
    return NewAccount(
        display_name=display_name,
        email=email,
        phone=phone,
        password=password,
        language=current_language.get(),
    )


# Today ----------------------------------------------------------------------------------------


async def _nothing() -> list[dict[str, Any]]:
    return []


@get("/", guards=[requires(Access.SIGNED_IN)], opt={"kept_offline": True}, name="community.today")
async def today(request: HTMXRequest) -> Template:
    viewer = viewer_of(request)
    place = viewer.current
    members: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    sections: list[Section] = []
    if place is not None:
        sections, counts, members = await asyncio.gather(
            sections_for(viewer, place),
            queries.role_counts(place.building_id),
            queries.newest_members(place.building_id)
            if place.can("members.manage")
            else _nothing(),
        )
    return page(
        "community/today.html", place=place, members=members, counts=counts, sections=sections
    )


@post("/switch", guards=[requires(Access.SIGNED_IN)], name="community.switch_building")
async def switch_building(request: HTMXRequest) -> Redirect:
    form = Form(await read_form(request))
    building_id = form.integer("building_id")
    if building_id is None or building_id not in viewer_of(request).places:
        raise NotFoundException
    request.session[SESSION_BUILDING] = building_id
    return see_other(url("community.today"))


# First start ----------------------------------------------------------------------------------


async def _setup_token_or_404(token: str) -> None:
    if not await actions.setup_token_valid(token):
        raise NotFoundException


@get("/setup/{token:str}", guards=[requires(Access.PUBLIC)], name="community.setup")
async def setup_page(token: FromPath[str]) -> Template:
    await _setup_token_or_404(token)
    return page("community/setup.html", token=token, values={}, errors={})


@post("/setup/{token:str}", guards=[requires(Access.PUBLIC)], name="community.setup_submit")
async def setup_submit(request: HTMXRequest, token: FromPath[str]) -> Template | Redirect:
    await _setup_token_or_404(token)
    form = Form(await read_form(request))
    community_name = form.text("community_name", max_length=120)
    building_name = form.text("building_name", max_length=120)
    account = _new_account(form)
    if form.ok:
        try:
            user_id = await actions.do_setup(
                token, community_name=community_name, building_name=building_name, account=account
            )
        except Refused as refused:
            form.error(refused.field or "community_name", refused.message)
        else:
            sign_in(request, user_id)
            return see_other(url("community.admin"))
    form.values.pop("password", None)
    return form_page(
        "community/setup.html", form, at=url("community.setup", token=token), token=token
    )


# Joining --------------------------------------------------------------------------------------


async def _join_building_or_404(token: str) -> dict[str, Any]:
    building = await actions.building_for_join_token(token)
    if building is None:
        raise NotFoundException
    return building


@get("/join/{token:str}", guards=[requires(Access.PUBLIC)], name="community.join")
async def join_page(request: HTMXRequest, token: FromPath[str]) -> Template:
    building = await _join_building_or_404(token)
    already = building["id"] in viewer_of(request).places
    return page(
        "community/join.html",
        building=building,
        token=token,
        values={},
        errors={},
        already=already,
    )


@post("/join/{token:str}", guards=[requires(Access.PUBLIC)], name="community.join_submit")
async def join_submit(request: HTMXRequest, token: FromPath[str]) -> Template | Redirect:
    building = await _join_building_or_404(token)
    viewer = viewer_of(request)
    if viewer.user_id is not None:
        building_id = await actions.do_join_existing(viewer.user_id, token)
        request.session[SESSION_BUILDING] = building_id
        return see_other(url("community.today"))
    form = Form(await read_form(request))
    account = _new_account(form)
    if form.ok:
        try:
            user_id, building_id = await actions.do_join_new(token, account)
        except Refused as refused:
            form.error(refused.field or "contact", refused.message)
        else:
            sign_in(request, user_id, building_id)
            return see_other(url("community.today"))
    form.values.pop("password", None)
    return form_page(
        "community/join.html",
        form,
        at=url("community.join", token=token),
        building=building,
        token=token,
        already=False,
    )


# Members --------------------------------------------------------------------------------------


async def _members_page(building_id: int, *, status: int = 200, error: str = "") -> Template:
    return page(
        "community/members.html",
        status=status,
        at=url("community.members", building_id=building_id),
        building=await queries.building(building_id),
        members=await queries.members(building_id),
        roles=list(Role),
        error=error,
    )


@get("/b/{building_id:int}/members", guards=[allowed("members.manage")], name="community.members")
async def members_page(building_id: FromPath[int]) -> Template:
    return await _members_page(building_id)


async def _member_name(building_id: int, membership_id: int) -> str:
    return next(
        (m["display_name"] for m in await queries.members(building_id) if m["id"] == membership_id),
        "",
    )


async def _after_member_change(
    request: HTMXRequest, building_id: int, change: Awaitable[int], done: str
) -> Template | Redirect:
    """After a change of role or a removal: `done` says what it did."""
    try:
        member_user_id = await change
    except Refused as refused:
        return await _members_page(building_id, status=409, error=refused.message)
    tell(request, done)
    if member_user_id == viewer_of(request).user_id:
        # Leaders who step down or leave may no longer manage this building: back to Today.
        return see_other(url("community.today"))
    if request.htmx:
        return await _members_page(building_id)
    return see_other(url("community.members", building_id=building_id))


@post(
    "/b/{building_id:int}/members/{membership_id:int}/role",
    guards=[allowed("members.manage")],
    name="community.member_role",
)
async def member_role(
    request: HTMXRequest,
    building_id: FromPath[int],
    membership_id: FromPath[int],
    user_id: NamedDependency[int],
) -> Template | Redirect:
    form = Form(await read_form(request))
    role = Role.from_key(form.choice("role", [role.key for role in Role]))
    if role is None:
        return await _members_page(building_id, status=422, error=form.errors["role"])
    building = await queries.building(building_id)
    done = _(
        NOW_IN_ROLE[role],
        name=await _member_name(building_id, membership_id),
        building=building["name"] if building else "",
    )
    return await _after_member_change(
        request, building_id, actions.do_set_role(user_id, building_id, membership_id, role), done
    )


@post(
    "/b/{building_id:int}/members/{membership_id:int}/remove",
    guards=[allowed("members.manage")],
    name="community.member_remove",
)
async def member_remove(
    request: HTMXRequest,
    building_id: FromPath[int],
    membership_id: FromPath[int],
    user_id: NamedDependency[int],
) -> Template | Redirect:
    building = await queries.building(building_id)
    done = _(
        "%(name)s is no longer a member of %(building)s.",
        name=await _member_name(building_id, membership_id),
        building=building["name"] if building else "",
    )
    return await _after_member_change(
        request, building_id, actions.do_remove_member(user_id, building_id, membership_id), done
    )


# Invites --------------------------------------------------------------------------------------


async def _invite_context(request: HTMXRequest, building_id: int) -> dict[str, Any]:
    building = await queries.building(building_id)
    assert building is not None
    return {
        "building": building,
        "join_url": absolute_url(request, url("community.join", token=building["join_token"])),
    }


@get("/b/{building_id:int}/invite", guards=[allowed("members.manage")], name="community.invite")
async def invite_page(request: HTMXRequest, building_id: FromPath[int]) -> Template:
    return page("community/invite.html", **await _invite_context(request, building_id))


@get(
    "/b/{building_id:int}/invite/poster",
    guards=[allowed("members.manage")],
    name="community.invite_poster",
)
async def invite_poster(request: HTMXRequest, building_id: FromPath[int]) -> Template:
    return page("community/join_poster.html", **await _invite_context(request, building_id))


@get(
    "/b/{building_id:int}/invite/qr.svg",
    guards=[allowed("members.manage")],
    name="community.invite_qr",
)
async def invite_qr(request: HTMXRequest, building_id: FromPath[int]) -> Response[bytes]:
    context = await _invite_context(request, building_id)
    return Response(
        qr_svg(context["join_url"]),
        media_type="image/svg+xml",
        headers={"Cache-Control": "private, no-store"},
    )


@post(
    "/b/{building_id:int}/invite/reset",
    guards=[allowed("members.manage")],
    name="community.invite_reset",
)
async def invite_reset(
    request: HTMXRequest, building_id: FromPath[int], user_id: NamedDependency[int]
) -> Redirect:
    await actions.do_reset_join_link(user_id, building_id)
    tell(request, _("Here is a new join link. The old link and the old posters no longer work."))
    return see_other(url("community.invite", building_id=building_id))


# Community admin ------------------------------------------------------------------------------


async def _admin_page(
    user_id: int,
    *,
    status: int = 200,
    form: Form | None = None,
    form_name: str = "",
    appointed: int | None = None,
) -> Template:
    return page(
        "community/admin.html",
        appointed=appointed,
        status=status,
        at=url("community.admin"),
        communities=await queries.admin_overview(user_id),
        timezones=TIMEZONES,
        form_name=form_name,
        values=form.values if form else {},
        errors=form.errors if form else {},
    )


@get("/admin", guards=[allowed("communities.manage")], name="community.admin")
async def admin_page(request: HTMXRequest, user_id: NamedDependency[int]) -> Template:
    appointed = whole_number(request.query_params.get("appointed", ""))
    return await _admin_page(user_id, appointed=appointed)


@post(
    "/admin/communities", guards=[allowed("communities.manage")], name="community.community_create"
)
async def community_create(
    request: HTMXRequest, user_id: NamedDependency[int]
) -> Template | Redirect:
    form = Form(await read_form(request))
    name = form.text("name", max_length=120)
    if not form.ok:
        return await _admin_page(user_id, status=422, form=form, form_name="community")
    await actions.do_create_community(user_id, name)
    tell(request, _("The community %(name)s is added.", name=name))
    return see_other(url("community.admin"))


@post(
    "/admin/c/{community_id:int}/buildings",
    guards=[allowed("communities.manage")],
    name="community.building_create",
)
async def building_create(
    request: HTMXRequest, community_id: FromPath[int], user_id: NamedDependency[int]
) -> Template | Redirect:
    form = Form(await read_form(request))
    name = form.text("name", max_length=120)
    address = form.text("address", max_length=200, required=False)
    timezone = form.choice("timezone", TIMEZONES)
    if form.ok:
        await actions.do_create_building(
            user_id,
            community_id,
            name=name,
            address=address,
            timezone=timezone,
        )
        tell(request, _("The building %(name)s is added.", name=name))
        return see_other(url("community.admin"))
    return await _admin_page(user_id, status=422, form=form, form_name=f"building-{community_id}")


@post(
    "/b/{building_id:int}/leaders",
    guards=[allowed("leaders.appoint")],
    name="community.leader_appoint",
)
async def leader_appoint(
    request: HTMXRequest, building_id: FromPath[int], user_id: NamedDependency[int]
) -> Template | Redirect:
    form = Form(await read_form(request))
    contact = form.text("contact", max_length=254)
    email, phone = split_contact(contact) if contact else (None, None)
    if contact and not (email or phone):
        form.error(
            "contact", _("Please give a mobile number such as 13812345678, or an email address.")
        )
    if form.ok:
        try:
            await actions.do_appoint_leader(user_id, building_id, email=email, phone=phone)
        except Refused as refused:
            form.error("contact", refused.message)
        else:
            return see_other(url("community.admin") + f"?appointed={building_id}")
    return await _admin_page(user_id, status=422, form=form, form_name=f"leader-{building_id}")


router = Router(
    path="/",
    route_handlers=[
        today,
        switch_building,
        setup_page,
        setup_submit,
        join_page,
        join_submit,
        members_page,
        member_role,
        member_remove,
        invite_page,
        invite_poster,
        invite_qr,
        invite_reset,
        admin_page,
        community_create,
        building_create,
        leader_appoint,
    ],
)
