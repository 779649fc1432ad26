"""Per-request context: who is acting, in which language, CSRF and security headers."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from starlette.datastructures import FormData, Headers, MutableHeaders, UploadFile
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from incubator import auth
from incubator.errors import AppError, CsrfFailed, PayloadTooLarge, Unauthorized
from incubator.i18n import negotiate, set_locale
from incubator.models import Membership
from incubator.notify import unread_count
from incubator.settings import get_settings

log = logging.getLogger("incubator.request")

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
LANG_COOKIE = "incubator_lang"
FLASH_COOKIE = "incubator_flash"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


def client_address(scope: Scope, headers: Headers) -> str:
    if get_settings().trusted_proxies and (forwarded := headers.get("x-forwarded-for")):
        return forwarded.split(",")[0].strip()[:64]
    client = scope.get("client")
    return str(client[0]) if client else ""


def is_https(scope: Scope, headers: Headers) -> bool:
    """Served over HTTPS: directly, or (with TRUST_PROXY_HEADERS) behind a proxy that says so."""
    if scope.get("scheme") == "https":
        return True
    forwarded = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return get_settings().trusted_proxies and forwarded == "https"


def is_api(path: str) -> bool:
    return path.startswith("/api/")


class RequestContext:
    """Builds request.state (principal, locale, csrf token, form) and guards unsafe methods."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        send = self._decorated(send, state)
        try:
            receive = await self._prepare(scope, state, receive)
        except AppError as exc:
            # Refused before the app ran (CSRF, size, token): answer here, nothing is read further.
            from incubator.responses import error_response

            await error_response(Request(scope), exc)(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            form = state.get("form")
            if isinstance(form, FormData):
                await form.close()

    def _decorated(self, send: Send, state: dict[str, Any]) -> Send:
        """Add the security headers, no-store for logged-in pages, and pending cookies."""

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if state.get("principal") is not None and "cache-control" not in headers:
                    headers["cache-control"] = "no-store"
                self._set_cookies(headers, state)
            await send(message)

        return send_wrapper

    def _set_cookies(self, headers: MutableHeaders, state: dict[str, Any]) -> None:
        settings = get_settings()
        secure = "; Secure" if state.get("https") else ""
        if key := state.get("set_session_key"):
            headers.append(
                "set-cookie",
                f"{auth.SESSION_COOKIE}={auth.sign_key(key)}; Path=/; HttpOnly; SameSite=Lax"
                f"; Max-Age={settings.session_max_age}{secure}",
            )
        if (flash := state.get("set_flash")) is not None:
            value = quote(auth.sign_value(flash)) if flash else ""
            max_age = 60 if flash else 0
            headers.append(
                "set-cookie", f"{FLASH_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
            )
        if lang := state.get("set_lang_cookie"):
            headers.append(
                "set-cookie",
                f"{LANG_COOKIE}={lang}; Path=/; SameSite=Lax; Max-Age=31536000{secure}",
            )

    async def _prepare(self, scope: Scope, state: dict[str, Any], receive: Receive) -> Receive:
        headers = Headers(scope=scope)
        path: str = scope["path"]
        address = client_address(scope, headers)
        # Cookies are marked Secure when asked to, and whenever the page was reached over HTTPS.
        state["https"] = get_settings().cookie_secure or is_https(scope, headers)
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # noqa: BLE001 - a malformed cookie header is treated as none
            cookies = SimpleCookie()
        state.update(
            principal=None, session=None, api_token=None, form=None, address=address, memberships=[], flash=None
        )
        state["unread"] = 0
        lang_cookie = cookies[LANG_COOKIE].value if LANG_COOKIE in cookies else None
        saved_locale: str | None = lang_cookie

        if is_api(path):
            authorization = headers.get("authorization", "")
            if authorization.lower().startswith("bearer "):
                raw = authorization[7:].strip()
                token, principal = await auth.token_principal(raw, address)
                state.update(principal=principal, api_token=token)
            elif authorization:
                raise Unauthorized()
            state["locale"] = negotiate(None, headers.get("accept-language"))
            set_locale(state["locale"])
            return await self._buffer_json(scope, receive, headers)

        cookie = cookies[auth.SESSION_COOKIE].value if auth.SESSION_COOKIE in cookies else None
        key = auth.unsign_key(cookie)
        if key is None:
            key = auth.new_key()
            state["set_session_key"] = key
        found = await auth.session_principal(key, address)
        if found is not None:
            session, principal = found
            state.update(session=session, principal=principal)
            state["memberships"] = [
                MembershipChoice(m.id, m.role.value, _membership_label(m))
                for m in await auth.memberships_of(principal.user_id)
            ]
            if headers.get("hx-request") != "true":
                # The header's unread count: one indexed COUNT for a full page, none for a fragment.
                state["unread"] = await unread_count(principal)
            saved_locale = session.user.locale or lang_cookie
        state["session_key"] = key
        if FLASH_COOKIE in cookies:
            state["flash"] = auth.unsign_value(unquote(cookies[FLASH_COOKIE].value))
            state["set_flash"] = ""
        state["csrf_token"] = auth.csrf_token(key)
        locale = negotiate(saved_locale, headers.get("accept-language"))
        state["locale"] = locale
        set_locale(locale)

        if scope["method"] not in UNSAFE:
            return receive
        body, replay = await self._read_body(scope, receive, headers)
        sent_token = headers.get("x-csrf-token")
        content_type = headers.get("content-type", "")
        form: FormData | None = None
        if content_type.startswith("application/x-www-form-urlencoded"):
            pairs: list[tuple[str, str | UploadFile]] = list(
                parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            )
            form = FormData(pairs)
        elif content_type.startswith("multipart/form-data"):
            form = await Request(scope, replay()).form(max_part_size=get_settings().max_upload_bytes)
        if form is not None:
            state["form"] = form
            sent_token = sent_token or _str(form.get("csrf_token"))
        if not auth.csrf_valid(key, sent_token):
            raise CsrfFailed()
        return replay()

    async def _buffer_json(self, scope: Scope, receive: Receive, headers: Headers) -> Receive:
        if scope["method"] not in UNSAFE:
            return receive
        body, replay = await self._read_body(scope, receive, headers)
        scope["state"]["body"] = body
        return replay()

    async def _read_body(self, scope: Scope, receive: Receive, headers: Headers) -> tuple[bytes, Callable[[], Receive]]:
        settings = get_settings()
        multipart = headers.get("content-type", "").startswith("multipart/form-data")
        limit = settings.max_upload_bytes + 64 * 1024 if multipart else settings.max_form_bytes
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge()
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge()
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)

        def replay() -> Receive:
            sent = False

            async def receive_again() -> Message:
                nonlocal sent
                if sent:
                    return {"type": "http.disconnect"}
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            return receive_again

        return body, replay


@dataclass(frozen=True)
class MembershipChoice:
    id: int
    role: str
    label: str


def _membership_label(membership: Membership) -> str:
    for related in (membership.bureau, membership.base, membership.startup):
        if related is not None:
            return str(related)
    return ""


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def json_body(state: dict[str, Any]) -> Any:
    """The parsed JSON body buffered by the middleware (raises MalformedBody)."""
    from incubator.errors import MalformedBody

    body: bytes = state.get("body") or b""
    try:
        return json.loads(body.decode("utf-8")) if body else None
    except (ValueError, RecursionError):
        # ValueError covers bad UTF-8, bad JSON and integers of more than 4,300 digits;
        # RecursionError arrays or objects nested too deep.
        raise MalformedBody() from None
