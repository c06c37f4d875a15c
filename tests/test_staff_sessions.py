"""Staff sessions of the console (issue 17, items 3 and 4): signed expiring session cookies, a logout
that signs out, Secure behind HTTPS, throttled logins, a minimum token strength at start-up, and
state-changing console calls only as JSON from the console's own origin.

The console blueprint runs in an in-process Sanic server (no Rasa model needed).
"""

from __future__ import annotations

import tempfile
import uuid
from contextlib import asynccontextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from types import SimpleNamespace
from typing import AsyncIterator, Dict

import httpx
import pytest
from rasa.shared.core.domain import Domain
from sanic import Sanic

from bot.channels.webchat import console, staff_sessions
from bot.processes.ports import free_port
from bot.stores.sqlite_tracker_store import SQLiteTrackerStore

TOKEN = "correct-horse-battery-staple-42"


# The console lists conversations from the tracker store's summaries and tags them with the
# knowledge base's departments: a real, empty store and the loaded knowledge base.
pytestmark = pytest.mark.usefixtures("knowledge_db")


def empty_tracker_store() -> SQLiteTrackerStore:
    return SQLiteTrackerStore(domain=Domain.empty(), db=str(Path(tempfile.mkdtemp()) / "tracker.db"))


@asynccontextmanager
async def console_server(monkeypatch, token: str | None = TOKEN) -> AsyncIterator[str]:
    if token is None:
        monkeypatch.delenv("CONSOLE_TOKEN", raising=False)
    else:
        monkeypatch.setenv("CONSOLE_TOKEN", token)
    monkeypatch.setattr(Sanic, "test_mode", True)
    staff_sessions.reset_for_tests()
    app = Sanic(f"console_test_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = SimpleNamespace(tracker_store=empty_tracker_store())

    async def send_to_session(session_id: str, message: Dict) -> None:
        return None

    app.blueprint(console.blueprint(send_to_session))
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


def set_cookie(response: httpx.Response) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return jar


async def login(http: httpx.AsyncClient, base: str, token: str = TOKEN, **headers: str) -> httpx.Response:
    return await http.post(
        f"{base}/console/login", data={"token": token}, headers={"Origin": base, **headers}, follow_redirects=False
    )


def session_cookie(response: httpx.Response) -> str:
    return set_cookie(response)[console.COOKIE_NAME].value


@pytest.mark.asyncio
async def test_the_session_cookie_is_signed_expiring_and_not_the_token(monkeypatch) -> None:
    async with console_server(monkeypatch) as base, httpx.AsyncClient() as http:
        signed_in = await login(http, base)
        assert signed_in.status_code == 303
        morsel = set_cookie(signed_in)[console.COOKIE_NAME]
        assert morsel.value and TOKEN not in morsel.value
        assert int(morsel["max-age"]) > 0
        assert morsel["httponly"] and morsel["samesite"] == "Strict" and morsel["path"] == "/console"
        opened = await http.get(f"{base}/console/api/conversations", cookies={console.COOKIE_NAME: morsel.value})
        assert opened.status_code == 200
        # The raw token as a cookie (what the old console set) opens nothing.
        forged = await http.get(f"{base}/console/api/conversations", cookies={console.COOKIE_NAME: TOKEN})
        assert forged.status_code == 401
        tampered = morsel.value[:-2] + ("AA" if not morsel.value.endswith("AA") else "BB")
        assert (await http.get(f"{base}/console/", cookies={console.COOKIE_NAME: tampered})).status_code == 401


@pytest.mark.asyncio
async def test_logout_signs_out(monkeypatch) -> None:
    async with console_server(monkeypatch) as base, httpx.AsyncClient() as http:
        cookie = session_cookie(await login(http, base))
        out = await http.post(f"{base}/console/logout", cookies={console.COOKIE_NAME: cookie}, headers={"Origin": base})
        assert out.status_code == 303
        cleared = set_cookie(out)[console.COOKIE_NAME]
        # Cleared on the path it was set on, or the browser keeps sending it.
        assert cleared["path"] == "/console" and cleared["max-age"] == "0" and not cleared.value
        # And a copy of the cookie kept elsewhere no longer opens the console.
        after = await http.get(f"{base}/console/api/conversations", cookies={console.COOKIE_NAME: cookie})
        assert after.status_code == 401


def test_a_session_expires() -> None:
    now = [1_000_000.0]
    sessions = staff_sessions.StaffSessions(TOKEN, ttl_s=3600, clock=lambda: now[0])
    cookie = sessions.issue()
    assert sessions.valid(cookie)
    now[0] += 3599
    assert sessions.valid(cookie)
    now[0] += 2
    assert not sessions.valid(cookie)
    # A new token invalidates every session signed with the old one.
    assert not staff_sessions.StaffSessions("another-token-of-enough-strength", clock=lambda: 1_000_000.0).valid(
        staff_sessions.StaffSessions(TOKEN, clock=lambda: 1_000_000.0).issue()
    )


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("headers", "secure"),
    [({}, False), ({"X-Forwarded-Proto": "https"}, True), ({"Forwarded": "proto=https"}, True)],
    ids=["plain http", "x-forwarded-proto", "forwarded"],
)
async def test_the_cookie_is_secure_behind_https(monkeypatch, headers: Dict[str, str], secure: bool) -> None:
    async with console_server(monkeypatch) as base, httpx.AsyncClient() as http:
        morsel = set_cookie(await login(http, base, **headers))[console.COOKIE_NAME]
        assert bool(morsel["secure"]) is secure


@pytest.mark.asyncio
async def test_the_cookie_is_always_secure_when_the_setting_says_so(monkeypatch) -> None:
    monkeypatch.setenv("CONSOLE_SECURE_COOKIE", "1")
    async with console_server(monkeypatch) as base, httpx.AsyncClient() as http:
        assert set_cookie(await login(http, base))[console.COOKIE_NAME]["secure"]


@pytest.mark.asyncio
async def test_logins_are_throttled(monkeypatch) -> None:
    async with console_server(monkeypatch) as base, httpx.AsyncClient() as http:
        statuses = [
            (await login(http, base, token=f"wrong-{i}")).status_code for i in range(staff_sessions.MAX_FAILED_LOGINS)
        ]
        assert statuses == [401] * staff_sessions.MAX_FAILED_LOGINS
        blocked = await login(http, base)  # even the right token, until the window has passed
        assert blocked.status_code == 429
        assert int(blocked.headers["Retry-After"]) > 0
        assert console.COOKIE_NAME not in set_cookie(blocked)


@pytest.mark.parametrize("weak", ["abcd", "password", "aaaaaaaaaaaaaaaaaaaaaaaa", "123456789012345678901"])
def test_a_weak_console_token_stops_the_start(monkeypatch, weak: str) -> None:
    monkeypatch.setenv("CONSOLE_TOKEN", weak)
    with pytest.raises(staff_sessions.WeakConsoleToken) as refused:
        console.blueprint(lambda *_: None)  # built when the Rasa server starts
    assert "CONSOLE_TOKEN" in str(refused.value) and "secrets.token_urlsafe" in str(refused.value)


def test_a_strong_token_is_accepted() -> None:
    staff_sessions.check_token_strength(TOKEN)
    staff_sessions.check_token_strength("3f9a1c0d5e7b2a4c6e8f0a1b")  # secrets.token_hex(12), what the tests use


@pytest.mark.asyncio
async def test_state_changing_calls_need_json_and_the_consoles_own_origin(monkeypatch) -> None:
    async with console_server(monkeypatch) as base, httpx.AsyncClient() as http:
        cookie = {console.COOKIE_NAME: session_cookie(await login(http, base))}
        url = f"{base}/console/api/conversations/u1/pause"
        json_from_us = {"Content-Type": "application/json", "Origin": base}
        # Passing every check reaches the handler: no such conversation.
        assert (await http.post(url, cookies=cookie, headers=json_from_us, content=b"{}")).status_code == 404
        text_plain = {"Content-Type": "text/plain", "Origin": base}
        assert (await http.post(url, cookies=cookie, headers=text_plain, content=b"{}")).status_code == 415
        form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": base}
        assert (await http.post(url, cookies=cookie, headers=form, content=b"a=1")).status_code == 415
        foreign = {"Content-Type": "application/json", "Origin": "https://evil.example"}
        assert (await http.post(url, cookies=cookie, headers=foreign, content=b"{}")).status_code == 403
        no_origin = {"Content-Type": "application/json"}
        assert (await http.post(url, cookies=cookie, headers=no_origin, content=b"{}")).status_code == 403
        # A script with the token itself (curl, a tool) sends no Origin and no cookie: not a forgery.
        bearer = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
        assert (await http.post(url, headers=bearer, content=b"{}")).status_code == 404
        deep = b'{"text":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        reply_url = f"{base}/console/api/conversations/u1/messages"
        assert (await http.post(reply_url, cookies=cookie, headers=json_from_us, content=deep)).status_code == 400


@pytest.mark.asyncio
async def test_login_and_logout_from_another_site_are_refused(monkeypatch) -> None:
    async with console_server(monkeypatch) as base, httpx.AsyncClient() as http:
        forged = await login(http, base, Origin="https://evil.example")
        assert forged.status_code == 403 and console.COOKIE_NAME not in set_cookie(forged)
        cookie = session_cookie(await login(http, base))
        out = await http.post(
            f"{base}/console/logout", cookies={console.COOKIE_NAME: cookie}, headers={"Origin": "https://evil.example"}
        )
        assert out.status_code == 403
        still = await http.get(f"{base}/console/api/conversations", cookies={console.COOKIE_NAME: cookie})
        assert still.status_code == 200


@pytest.mark.asyncio
async def test_the_console_sends_no_cors_headers(monkeypatch) -> None:
    async with console_server(monkeypatch) as base, httpx.AsyncClient() as http:
        preflight = await http.options(
            f"{base}/console/api/conversations",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in preflight.headers
        reply = await http.get(
            f"{base}/console/api/conversations",
            headers={"Origin": "https://evil.example", "Authorization": f"Bearer {TOKEN}"},
        )
        assert "access-control-allow-origin" not in reply.headers


@pytest.mark.asyncio
async def test_logout_on_one_replica_signs_out_on_every_replica(monkeypatch, redis_key_prefix: str) -> None:
    """With REDIS_URL (a cluster), the revocation is shared: another replica (here: the same server
    after its in-process memory is gone, as a second process would have it) refuses the cookie."""
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/1")
    monkeypatch.setenv("REDIS_KEY_PREFIX", redis_key_prefix)
    async with console_server(monkeypatch) as base, httpx.AsyncClient() as http:
        cookie = session_cookie(await login(http, base))
        copy = {console.COOKIE_NAME: cookie}
        out = await http.post(f"{base}/console/logout", cookies=copy, headers={"Origin": base})
        assert out.status_code == 303
        staff_sessions.reset_for_tests()  # "replica B": none of replica A's memory
        after = await http.get(f"{base}/console/api/conversations", cookies=copy)
        assert after.status_code == 401
        # A session that was not signed out still opens the console on "replica B".
        fresh = session_cookie(await login(http, base))
        staff_sessions.reset_for_tests()
        assert (await http.get(f"{base}/console/api/conversations", cookies={console.COOKIE_NAME: fresh})).is_success


def test_an_unanswering_redis_refuses_cookies_rather_than_letting_revoked_ones_in() -> None:
    import redis

    broken = redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.5, socket_timeout=0.5)
    sessions = staff_sessions.StaffSessions(TOKEN, revocations=staff_sessions.RedisRevocations(broken, "x"))
    cookie = sessions.issue()
    assert not sessions.valid(cookie)
    sessions.revoke(cookie)  # logged, no crash: the browser's cookie is cleared all the same
