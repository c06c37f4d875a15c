"""The review inbox's sign-in has the staff console's protections (issue 17, item 3 applied to the
second staff surface): a signed expiring session cookie (never the token), throttled logins, a
minimum token strength at start-up, state-changing calls only as JSON from its own origin."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from http.cookies import SimpleCookie
from types import SimpleNamespace
from typing import AsyncIterator

import httpx
import pytest
from sanic import Sanic

from bot.channels.webchat import review_inbox, staff_sessions
from bot.processes.ports import free_port

TOKEN = "maintainer-token-of-enough-strength-7"


@asynccontextmanager
async def review_server(monkeypatch, tokens: str = f"wang:{TOKEN}") -> AsyncIterator[str]:
    monkeypatch.delenv("MAINTAINER_TOKEN", raising=False)
    monkeypatch.setenv("MAINTAINER_TOKENS", tokens)
    monkeypatch.setattr(Sanic, "test_mode", True)
    staff_sessions.reset_for_tests()
    app = Sanic(f"review_test_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = SimpleNamespace()
    app.blueprint(review_inbox.blueprint())
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def login(http: httpx.AsyncClient, base: str, token: str = TOKEN, origin: str | None = None) -> httpx.Response:
    return await http.post(f"{base}/review/login", data={"token": token}, headers={"Origin": origin or base})


def cookie_of(reply: httpx.Response) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    for header in reply.headers.get_list("set-cookie"):
        jar.load(header)
    return jar[review_inbox.COOKIE_NAME].value if review_inbox.COOKIE_NAME in jar else None


@pytest.mark.asyncio
async def test_the_review_cookie_is_a_signed_session_not_the_token(monkeypatch) -> None:
    async with review_server(monkeypatch) as base, httpx.AsyncClient() as http:
        cookie = cookie_of(await login(http, base))
        assert cookie and TOKEN not in cookie
        assert (await http.get(f"{base}/review/", cookies={review_inbox.COOKIE_NAME: cookie})).status_code == 200
        assert (await http.get(f"{base}/review/", cookies={review_inbox.COOKIE_NAME: TOKEN})).status_code == 401


@pytest.mark.asyncio
async def test_the_review_page_links_the_shared_staff_stylesheet(monkeypatch) -> None:
    async with review_server(monkeypatch) as base, httpx.AsyncClient() as http:
        cookies = {review_inbox.COOKIE_NAME: cookie_of(await login(http, base))}
        page = (await http.get(f"{base}/review/", cookies=cookies)).text
        assert '<link rel="stylesheet" href="/review/staff.css">' in page
        style = await http.get(f"{base}/review/staff.css", cookies=cookies)
        assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
        assert ".top" in style.text
    async with review_server(monkeypatch) as base, httpx.AsyncClient() as stranger:
        assert (await stranger.get(f"{base}/review/staff.css")).status_code == 401


@pytest.mark.asyncio
async def test_review_logout_signs_the_session_out(monkeypatch) -> None:
    async with review_server(monkeypatch) as base, httpx.AsyncClient() as http:
        cookie = cookie_of(await login(http, base))
        cookies = {review_inbox.COOKIE_NAME: cookie}
        out = await http.post(f"{base}/review/logout", cookies=cookies, headers={"Origin": base})
        assert out.status_code == 303 and cookie_of(out) == ""
        # A copy of the signed-out cookie opens nothing any more.
        assert (await http.get(f"{base}/review/api/inbox", cookies=cookies)).status_code == 401


@pytest.mark.asyncio
async def test_review_logins_are_throttled_and_same_origin(monkeypatch) -> None:
    async with review_server(monkeypatch) as base, httpx.AsyncClient() as http:
        assert (await login(http, base, origin="https://evil.example")).status_code == 403
        for i in range(staff_sessions.MAX_FAILED_LOGINS):
            assert (await login(http, base, token=f"wrong-{i}")).status_code == 401
        blocked = await login(http, base)
        assert blocked.status_code == 429 and cookie_of(blocked) is None


@pytest.mark.asyncio
async def test_review_changes_need_json_from_its_own_origin(monkeypatch) -> None:
    async with review_server(monkeypatch) as base, httpx.AsyncClient() as http:
        cookies = {review_inbox.COOKIE_NAME: cookie_of(await login(http, base))}
        url = f"{base}/review/api/retrain"
        plain = {"Content-Type": "text/plain", "Origin": base}
        assert (await http.post(url, cookies=cookies, headers=plain, content=b"{}")).status_code == 415
        foreign = {"Content-Type": "application/json", "Origin": "https://evil.example"}
        assert (await http.post(url, cookies=cookies, headers=foreign, content=b"{}")).status_code == 403


def test_a_weak_maintainer_token_stops_the_start(monkeypatch) -> None:
    monkeypatch.setenv("MAINTAINER_TOKENS", "wang:1234")
    with pytest.raises(staff_sessions.WeakConsoleToken):
        review_inbox.blueprint()
