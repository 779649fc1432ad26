"""Login, logout, home redirect, own password, language and membership switching."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from incubator import auth, services
from incubator.errors import AppError, ValidationFailed
from incubator.i18n import LOCALES, N_, gettext
from incubator.models import InstallationSetting, Role, User
from incubator.pages import form_of, page_principal, redirect, rejected
from incubator.templating import render


def landing_url(request: Request) -> str:
    principal = request.state.principal
    if principal is None:
        return "/login"
    if principal.role is Role.ADMIN:
        return "/admin"
    if principal.role is Role.BUREAU:
        return "/region"
    if principal.role is Role.OPERATOR:
        return f"/bases/{principal.base_id}"
    return f"/startups/{principal.startup_id}"


def _safe_next(value: str | None) -> str | None:
    # Only same-site paths, so the login form cannot be used as an open redirect.
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


async def home(request: Request) -> Response:
    return redirect(landing_url(request))


async def _demo_users() -> list[User]:
    setting = await InstallationSetting.get_or_none(key="demo")
    if setting is None or not setting.value:
        return []
    return await User.filter(is_demo=True, is_active=True).order_by("id")


async def login_page(request: Request) -> Response:
    if request.state.principal is not None:
        return redirect(landing_url(request))
    return render(
        request,
        "incubator/login.html",
        {
            "values": {},
            "errors": {},
            "message": "",
            "demo_users": await _demo_users(),
            "next": _safe_next(request.query_params.get("next")) or "",
        },
    )


async def login(request: Request) -> Response:
    form = form_of(request)
    username = str(form.get("username") or "")[:64]
    password = str(form.get("password") or "")[:200]
    next_url = _safe_next(str(form.get("next") or ""))
    try:
        if not username or not password:
            raise ValidationFailed({}, N_("Enter your username and password."))
        user = await auth.authenticate(username, password, request.state.address)
    except AppError as exc:
        return render(
            request,
            "incubator/login.html",
            {
                "values": {"username": username},
                "errors": {},
                "message": gettext(exc.message, **exc.params),
                "demo_users": await _demo_users(),
                "next": next_url or "",
            },
            status_code=exc.status_code,
        )
    key = await auth.start_session(user, request.state.address)
    request.scope["state"]["set_session_key"] = key
    return redirect(next_url or "/")


async def logout(request: Request) -> Response:
    if request.state.principal is None:
        return redirect("/login")
    await auth.end_session(request.state.session_key, request.state.principal)
    request.scope["state"]["set_session_key"] = auth.new_key()
    return redirect("/login", gettext("You have logged out."), request)


async def password_page(request: Request) -> Response:
    page_principal(request)
    return render(request, "incubator/password.html", {"values": {}, "errors": {}, "message": ""})


async def change_password(request: Request) -> Response:
    principal = page_principal(request)
    form = form_of(request)
    try:
        await auth.change_password(
            principal,
            request.state.session_key,
            str(form.get("old_password") or ""),
            str(form.get("new_password") or "")[:200],
            str(form.get("confirm_password") or "")[:200],
        )
    except ValidationFailed as exc:
        return rejected(request, "incubator/password.html", exc, {})
    return redirect("/account/password", gettext("Your password has been changed."), request)


async def set_language(request: Request) -> Response:
    form = form_of(request)
    locale = str(form.get("locale") or "")
    if locale not in LOCALES:
        raise ValidationFailed({"locale": N_("Choose one of the listed values.")})
    principal = request.state.principal
    if principal is not None:
        await services.set_locale(principal, locale)
    request.scope["state"]["set_lang_cookie"] = locale
    return redirect(_safe_next(str(form.get("next") or "")) or "/")


async def switch_membership(request: Request) -> Response:
    principal = page_principal(request)
    form = form_of(request)
    try:
        membership_id = int(str(form.get("membership_id") or "0"))
    except ValueError:
        membership_id = 0
    await auth.switch_membership(request.state.session_key, principal, membership_id)
    return redirect("/")
