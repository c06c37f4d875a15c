"""A staff area behind a sign-in (the staff console at /console, the review inbox at /review): who is
signed in, the refusal when nobody is, and the area's page, script, sign-in and sign-out routes.

What differs between the areas is data (``StaffArea``: its prefix, cookie, names and tokens); the
sessions, the login throttle and the checks on state-changing POSTs are staff_sessions.py's. The
sign-in wording is in channel_texts.yml (section ``staff``).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.channel_texts import channel_text
from bot.channels.webchat import staff_sessions
from bot.channels.webchat.assets import static_asset

Handler = Callable[..., Awaitable[HTTPResponse]]
NO_STORE = {"Cache-Control": "no-store"}
STYLE_ASSET = "staff/staff.css"

LOGIN_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{title} · 登录</title>
<body style="font-family:sans-serif;max-width:30em;margin:4em auto">
<h1>皖企政策助手 · {title}</h1>
<p>{message}</p>
<form method="post" action="{prefix}/login">
<label>{token_label} <input type="password" name="token" autocomplete="current-password" autofocus></label>
<button type="submit">登录</button></form></body></html>"""

DISABLED_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{title}未启用</title>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto">
<h1>{title}未启用</h1>
<p>{explanation}</p></body></html>"""


def _text(name: str, **values: object) -> str:
    return channel_text("staff", name, **values)


def bearer_token(request: Any) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True)
class StaffArea:
    """One signed-in area: where it lives, its cookie, what it is called and whose tokens open it."""

    prefix: str  # "/console": its routes, its cookie's path
    cookie_name: str
    title: str  # what the pages call it: 坐席控制台
    token_name: str  # what the sign-in form asks for: 访问令牌
    token_label: str  # the form field's label
    token_setting: str  # the environment variable(s) named in advice and refusals
    page_asset: str  # static/… of the page at {prefix}/
    script_asset: str  # static/… of the script at {prefix}/<its file name>
    tokens: Callable[[], Mapping[str, str]]  # token → who signs in with it (read at each call)
    disabled_explanation: str  # the disabled page's paragraph (HTML)
    disabled_error: str  # the API's error when the area is disabled
    unauthorised_error: str  # the API's error when nobody is signed in
    # Told the session id of a browser signing out (the console: its staff member goes off duty).
    on_sign_out: Callable[[str], Awaitable[None]] | None = None

    @property
    def script_name(self) -> str:
        return self.script_asset.rsplit("/", 1)[-1]

    def signed_in(self, request: Any) -> Tuple[str, bool] | None:
        """(who, by the token itself as ``Authorization: Bearer``) or None: a valid Bearer token
        (scripts) or a signed session cookie of one of the tokens (browsers)."""
        given, cookie = bearer_token(request), request.cookies.get(self.cookie_name)
        tokens = self.tokens()
        for token, who in tokens.items():
            if given and _same(given, token):
                return who, True
        for token, who in tokens.items():
            if staff_sessions.sessions_for(token).valid(cookie):
                return who, False
        return None

    def login_page(self, message: str, status: int, headers: Mapping[str, str] | None = None) -> HTTPResponse:
        page = LOGIN_PAGE.format(title=self.title, message=message, prefix=self.prefix, token_label=self.token_label)
        return response.html(page, status=status, headers=dict(headers or {}))

    def disabled_page(self) -> HTTPResponse:
        return response.html(DISABLED_PAGE.format(title=self.title, explanation=self.disabled_explanation), status=403)

    def refusal(self, api: bool) -> HTTPResponse:
        """The answer to a request nobody signed in to: the area is off (403) or asks for a sign-in (401)."""
        if not self.tokens():
            return response.json({"error": self.disabled_error}, status=403) if api else self.disabled_page()
        if api:
            return response.json({"error": self.unauthorised_error}, status=401)
        return self.login_page(_text("sign_in", token_name=self.token_name), status=401)

    def requires(self, api: bool) -> Callable[[Handler], Handler]:
        """A route only for the signed in (``request.ctx.signed_in`` = who); its POSTs pass
        staff_sessions.state_change_refusal (own Origin for cookies, JSON for the API)."""

        def decorate(handler: Handler) -> Handler:
            async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
                found = self.signed_in(request)
                if found is None:
                    return self.refusal(api)
                request.ctx.signed_in, by_bearer = found
                if request.method == "POST":
                    refusal = staff_sessions.state_change_refusal(request, by_cookie=not by_bearer, needs_json=api)
                    if refusal:
                        return response.json({"error": refusal[1]}, status=refusal[0])
                return await handler(request, *args, **kwargs)

            guarded.__name__ = handler.__name__
            return guarded

        return decorate

    def check_tokens(self) -> None:
        """At start-up: the server does not run with a weak token."""
        for token in self.tokens():
            staff_sessions.check_token_strength(token, self.token_setting)

    def _set_cookie(self, reply: HTTPResponse, value: str, max_age: int, secure: bool) -> None:
        reply.cookies[self.cookie_name] = value  # a signed session, never the token itself
        cookie = reply.cookies[self.cookie_name]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        # Set and cleared on the same path: a cookie cleared on "/" stays in the browser for the area.
        cookie["path"] = self.prefix
        cookie["max-age"] = max_age
        if secure:
            cookie["secure"] = True

    async def login(self, request: Request) -> HTTPResponse:
        tokens = self.tokens()
        if not tokens:
            return self.disabled_page()
        refusal = staff_sessions.state_change_refusal(request, by_cookie=False, needs_json=False)
        if refusal:
            return self.login_page(_text("sign_in_from_page", title=self.title), status=refusal[0])
        address = staff_sessions.client_address(request)
        wait_s = staff_sessions.throttle().retry_after_s(address)
        if wait_s:
            message = _text("too_many_attempts", minutes=(wait_s + 59) // 60)
            return self.login_page(message, status=429, headers={"Retry-After": str(wait_s)})
        given = (request.form.get("token") or "").strip() if request.form else ""
        token = next((t for t in tokens if given and _same(given, t)), None)
        if token is None:
            staff_sessions.throttle().failed(address)
            return self.login_page(_text("wrong_token"), status=401)
        sessions = staff_sessions.sessions_for(token)
        reply = response.redirect(f"{self.prefix}/", status=303)
        self._set_cookie(reply, sessions.issue(), int(sessions.ttl_s), staff_sessions.over_https(request))
        return reply

    async def logout(self, request: Request) -> HTTPResponse:
        refusal = staff_sessions.state_change_refusal(request, by_cookie=True, needs_json=False)
        if refusal:
            return response.json({"error": refusal[1]}, status=refusal[0])
        for token in self.tokens():
            sessions, cookie = staff_sessions.sessions_for(token), request.cookies.get(self.cookie_name)
            session_id = sessions.session_id(cookie)
            if session_id and self.on_sign_out is not None:
                await self.on_sign_out(session_id)
            sessions.revoke(cookie)
        reply = response.redirect(f"{self.prefix}/", status=303)
        self._set_cookie(reply, "", 0, secure=False)
        return reply

    def blueprint(self, name: str) -> Blueprint:
        """The area's blueprint with its page, script, stylesheet, sign-in and sign-out; the caller adds its API."""
        self.check_tokens()
        area = Blueprint(name, url_prefix=self.prefix)

        @area.get("/")
        @self.requires(api=False)
        async def page(_: Request) -> HTTPResponse:
            return response.html(static_asset(self.page_asset), headers=NO_STORE)

        @area.get(f"/{self.script_name}")
        @self.requires(api=False)
        async def script(_: Request) -> HTTPResponse:
            return response.text(static_asset(self.script_asset), content_type="application/javascript; charset=utf-8",
                                 headers=NO_STORE)  # fmt: skip

        @area.get("/staff.css")  # the stylesheet both areas share (web/src/staff.css)
        @self.requires(api=False)
        async def style(_: Request) -> HTTPResponse:
            return response.text(static_asset(STYLE_ASSET), content_type="text/css; charset=utf-8", headers=NO_STORE)

        @area.post("/login")
        async def login(request: Request) -> HTTPResponse:
            return await self.login(request)

        @area.post("/logout")
        async def logout(request: Request) -> HTTPResponse:
            return await self.logout(request)

        return area
