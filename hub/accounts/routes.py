"""Sign in and out, profile, password, language and text size."""

from __future__ import annotations

from typing import Any

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from hub import clock
from hub.accounts import actions
from hub.accounts.contact import split_contact
from hub.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from hub.accounts.queries import skills_of
from hub.accounts.sessions import rotate_session_id
from hub.accounts.skills import SKILLS
from hub.areas import signed_in
from hub.errors import Refused
from hub.forms import Form
from hub.i18n import LANGUAGES, _
from hub.urls import url
from hub.web.forms import read_form
from hub.web.middleware import (
    SESSION_BUILDING,
    SESSION_LANGUAGE,
    SESSION_LARGE_TEXT,
    SESSION_SEEN_ON,
    SESSION_USER,
)
from hub.web.pages import form_page, page, safe_next, see_other
from hub.web.policy import Access, requires, viewer_of

LOGIN_PATH = "/login"
# Signing out empties the browser's HTTP cache of Hub (member-only photos are kept a week), but
# not its storage: the service worker, its app shell and the offline queue stay on the phone.
CLEAR_ON_SIGN_OUT = '"cache"'


def sign_in(request: HTMXRequest, user_id: int, building_id: int | None = None) -> None:
    language = request.session.get(SESSION_LANGUAGE)
    request.set_session(
        {
            SESSION_USER: user_id,
            SESSION_BUILDING: building_id,
            SESSION_SEEN_ON: clock.server_today().isoformat(),
        }
    )
    if language:
        request.session[SESSION_LANGUAGE] = language
    rotate_session_id(request)


@get(LOGIN_PATH, guards=[requires(Access.PUBLIC)], name="accounts.login")
async def login_page(request: HTMXRequest, next: FromQuery[str | None] = None) -> Template:
    return page("accounts/login.html", values={"next": safe_next(next)}, errors={})


@post(LOGIN_PATH, guards=[requires(Access.PUBLIC)], name="accounts.login_submit")
async def login_submit(request: HTMXRequest) -> Template | Redirect:
    form = Form(await read_form(request))
    login = form.text("login", max_length=254)
    password = form.secret("password", max_length=MAX_PASSWORD_LENGTH)
    if form.ok:
        email, phone = split_contact(login)
        user_id = await actions.authenticate(email=email, phone=phone, password=password)
        if user_id is not None:
            await signed_in(user_id)
            sign_in(request, user_id)
            return see_other(safe_next(form.raw("next")))
        form.error("login", _("That phone number or email and password do not match."))
    form.values.pop("password", None)
    return form_page("accounts/login.html", form, at=LOGIN_PATH)


@post("/logout", guards=[requires(Access.SIGNED_IN)], name="accounts.logout")
async def logout(request: HTMXRequest) -> Redirect:
    language = request.session.get(SESSION_LANGUAGE)
    request.clear_session()
    if language:
        request.set_session({SESSION_LANGUAGE: language})
    response = see_other(LOGIN_PATH)
    response.headers["Clear-Site-Data"] = CLEAR_ON_SIGN_OUT
    return response


async def _profile_values(request: HTMXRequest) -> dict[str, Any]:
    viewer = viewer_of(request)
    return {
        "display_name": viewer.display_name,
        "language": viewer.language,
        "large_text": viewer.large_text,
        "skills": await skills_of(viewer.user_id or 0),
    }


@get("/profile", guards=[requires(Access.SIGNED_IN)], name="accounts.profile")
async def profile_page(request: HTMXRequest) -> Template:
    return page(
        "accounts/profile.html",
        values=await _profile_values(request),
        errors={},
        skills=SKILLS,
        saved=request.query_params.get("saved") == "1",
        signed_out_elsewhere=request.query_params.get("signed-out") == "1",
    )


@post(
    "/sessions/end-others",
    guards=[requires(Access.SIGNED_IN)],
    name="accounts.sign_out_everywhere_else",
)
async def sign_out_everywhere_else(request: HTMXRequest, user_id: NamedDependency[int]) -> Redirect:
    await actions.do_sign_out_everywhere_else(user_id)
    rotate_session_id(request)  # this session stays, under a new id
    return see_other(url("accounts.profile") + "?signed-out=1")


@post("/profile", guards=[requires(Access.SIGNED_IN)], name="accounts.profile_submit")
async def profile_submit(
    request: HTMXRequest, user_id: NamedDependency[int]
) -> Template | Redirect:
    form = Form(await read_form(request))
    display_name = form.text("display_name", max_length=80)
    language = form.choice("language", ["", *LANGUAGES], required=False)
    skills = form.choices("skills", SKILLS)
    large_text = form.flag("large_text")
    if not form.ok:
        form.values["skills"] = skills
        form.values["large_text"] = large_text
        return form_page(
            "accounts/profile.html",
            form,
            at=url("accounts.profile"),
            skills=SKILLS,
            saved=False,
            signed_out_elsewhere=False,
        )
    await actions.do_update_profile(
        user_id,
        display_name=display_name,
        language=language,
        large_text=large_text,
        skills=skills,
    )
    if language:
        request.session[SESSION_LANGUAGE] = language
    else:
        request.session.pop(SESSION_LANGUAGE, None)
    return see_other(url("accounts.profile") + "?saved=1")


@get("/password", guards=[requires(Access.SIGNED_IN)], name="accounts.password")
async def password_page(request: HTMXRequest) -> Template:
    return page(
        "accounts/password.html",
        values={},
        errors={},
        saved=request.query_params.get("saved") == "1",
    )


@post("/password", guards=[requires(Access.SIGNED_IN)], name="accounts.password_submit")
async def password_submit(
    request: HTMXRequest, user_id: NamedDependency[int]
) -> Template | Redirect:
    form = Form(await read_form(request))
    current = form.secret("current", max_length=MAX_PASSWORD_LENGTH)
    new = form.secret("new", min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
    if form.ok and new != form.raw("confirm"):
        form.error("confirm", _("The two new passwords are not the same."))
    if form.ok:
        try:
            await actions.do_change_password(user_id, current=current, new=new)
        except Refused as refused:
            form.error(refused.field or "current", refused.message)
        else:
            rotate_session_id(request)  # this session stays, under a new id; the others end
            return see_other(url("accounts.password") + "?saved=1")
    form.values.clear()
    return form_page("accounts/password.html", form, at=url("accounts.password"), saved=False)


@post("/preferences/language", guards=[requires(Access.PUBLIC)], name="accounts.set_language")
async def set_language(request: HTMXRequest) -> Redirect:
    form = Form(await read_form(request))
    language = form.choice("language", LANGUAGES)
    if form.ok:
        request.session[SESSION_LANGUAGE] = language
        viewer = viewer_of(request)
        if viewer.user_id is not None:
            await actions.do_set_preferences(viewer.user_id, language=language)
    return see_other(safe_next(form.raw("next")))


@post("/preferences/text-size", guards=[requires(Access.PUBLIC)], name="accounts.set_text_size")
async def set_text_size(request: HTMXRequest) -> Redirect:
    form = Form(await read_form(request))
    large = form.raw("large_text") == "1"
    request.session[SESSION_LARGE_TEXT] = large
    viewer = viewer_of(request)
    if viewer.user_id is not None:
        await actions.do_set_preferences(viewer.user_id, large_text=large)
    return see_other(safe_next(form.raw("next")))


router = Router(
    path="/",
    route_handlers=[
        login_page,
        login_submit,
        logout,
        profile_page,
        profile_submit,
        sign_out_everywhere_else,
        password_page,
        password_submit,
        set_language,
        set_text_size,
    ],
)
