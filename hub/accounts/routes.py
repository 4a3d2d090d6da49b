"""Sign in and out, profile, password, language and text size."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Router, get, post
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from hub.accounts import actions
from hub.accounts.contact import split_contact
from hub.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from hub.accounts.queries import skills_of
from hub.accounts.sessions import rotate_session_id
from hub.accounts.skills import SKILLS
from hub.errors import Refused
from hub.web.forms import Form, read_form
from hub.web.i18n import LANGUAGES, _
from hub.web.middleware import (
    SESSION_BUILDING,
    SESSION_LANGUAGE,
    SESSION_LARGE_TEXT,
    SESSION_SEEN_ON,
    SESSION_USER,
)
from hub.web.pages import form_page, page, safe_next, see_other
from hub.web.policy import Access, requires, user_id_of, viewer_of

LOGIN_PATH = "/login"


def sign_in(request: HTMXRequest, user_id: int, building_id: int | None = None) -> None:
    language = request.session.get(SESSION_LANGUAGE)
    request.set_session(
        {
            SESSION_USER: user_id,
            SESSION_BUILDING: building_id,
            SESSION_SEEN_ON: date.today().isoformat(),
        }
    )
    if language:
        request.session[SESSION_LANGUAGE] = language
    rotate_session_id(request)


@get(LOGIN_PATH, guards=[requires(Access.PUBLIC)])
async def login_page(request: HTMXRequest, next: FromQuery[str | None] = None) -> Template:
    return page("accounts/login.html", values={"next": safe_next(next)}, errors={})


@post(LOGIN_PATH, guards=[requires(Access.PUBLIC)])
async def login_submit(request: HTMXRequest) -> Template | Redirect:
    form = Form(await read_form(request))
    login = form.text("login", max_length=254)
    password = form.secret("password", max_length=MAX_PASSWORD_LENGTH)
    if form.ok:
        email, phone = split_contact(login)
        user_id = await actions.authenticate(email=email, phone=phone, password=password)
        if user_id is not None:
            sign_in(request, user_id)
            return see_other(safe_next(form.raw("next")))
        form.error("login", _("That phone number or email and password do not match."))
    form.values.pop("password", None)
    return form_page("accounts/login.html", form)


@post("/logout", guards=[requires(Access.SIGNED_IN)])
async def logout(request: HTMXRequest) -> Redirect:
    language = request.session.get(SESSION_LANGUAGE)
    request.clear_session()
    if language:
        request.set_session({SESSION_LANGUAGE: language})
    return see_other(LOGIN_PATH)


async def _profile_values(request: HTMXRequest) -> dict[str, Any]:
    viewer = viewer_of(request)
    return {
        "display_name": viewer.display_name,
        "language": viewer.language,
        "large_text": viewer.large_text,
        "skills": await skills_of(viewer.user_id or 0),
    }


@get("/profile", guards=[requires(Access.SIGNED_IN)])
async def profile_page(request: HTMXRequest) -> Template:
    return page(
        "accounts/profile.html",
        values=await _profile_values(request),
        errors={},
        skills=SKILLS,
        saved=request.query_params.get("saved") == "1",
    )


@post("/profile", guards=[requires(Access.SIGNED_IN)])
async def profile_submit(request: HTMXRequest) -> Template | Redirect:
    form = Form(await read_form(request))
    display_name = form.text("display_name", max_length=80)
    language = form.choice("language", ["", *LANGUAGES], required=False)
    skills = form.choices("skills", SKILLS)
    large_text = form.flag("large_text")
    if not form.ok:
        form.values["skills"] = skills
        form.values["large_text"] = large_text
        return form_page("accounts/profile.html", form, skills=SKILLS, saved=False)
    await actions.do_update_profile(
        user_id_of(request),
        display_name=display_name,
        language=language,
        large_text=large_text,
        skills=skills,
    )
    if language:
        request.session[SESSION_LANGUAGE] = language
    else:
        request.session.pop(SESSION_LANGUAGE, None)
    return see_other("/profile?saved=1")


@get("/password", guards=[requires(Access.SIGNED_IN)])
async def password_page(request: HTMXRequest) -> Template:
    return page(
        "accounts/password.html",
        values={},
        errors={},
        saved=request.query_params.get("saved") == "1",
    )


@post("/password", guards=[requires(Access.SIGNED_IN)])
async def password_submit(request: HTMXRequest) -> Template | Redirect:
    form = Form(await read_form(request))
    current = form.secret("current", max_length=MAX_PASSWORD_LENGTH)
    new = form.secret("new", min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
    if form.ok and new != form.raw("confirm"):
        form.error("confirm", _("The two new passwords are not the same."))
    if form.ok:
        try:
            await actions.do_change_password(user_id_of(request), current=current, new=new)
        except Refused as refused:
            form.error(refused.field or "current", refused.message)
        else:
            return see_other("/password?saved=1")
    form.values.clear()
    return form_page("accounts/password.html", form, saved=False)


@post("/preferences/language", guards=[requires(Access.PUBLIC)])
async def set_language(request: HTMXRequest) -> Redirect:
    form = Form(await read_form(request))
    language = form.choice("language", LANGUAGES)
    if form.ok:
        request.session[SESSION_LANGUAGE] = language
        viewer = viewer_of(request)
        if viewer.user_id is not None:
            await actions.do_set_preferences(viewer.user_id, language=language)
    return see_other(safe_next(form.raw("next")))


@post("/preferences/text-size", guards=[requires(Access.PUBLIC)])
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
        password_page,
        password_submit,
        set_language,
        set_text_size,
    ],
)
