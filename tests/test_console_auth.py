"""Who may open the staff console: only a caller with the token in CONSOLE_TOKEN (no server needed)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from bot.channels.webchat import console, staff_sessions


def _request(authorization: str | None = None, cookie: str | None = None) -> SimpleNamespace:
    headers = {"authorization": authorization} if authorization else {}
    cookies = {console.COOKIE_NAME: cookie} if cookie else {}
    return SimpleNamespace(headers=headers, cookies=cookies)


def test_without_console_token_the_console_is_disabled_with_a_clear_message(monkeypatch) -> None:
    monkeypatch.delenv("CONSOLE_TOKEN", raising=False)
    assert not console.authorised(_request("Bearer anything"))
    api = console.AREA.refusal(api=True)
    page = console.AREA.refusal(api=False)
    assert api.status == 403 and "CONSOLE_TOKEN" in json.loads(api.body)["error"]
    assert page.status == 403 and "CONSOLE_TOKEN" in page.body.decode()


@pytest.mark.parametrize(
    ("authorization", "cookie", "allowed"),
    [
        (None, None, False),
        ("Bearer wrong", None, False),
        ("Basic s3cret-token", None, False),
        (None, "wrong", False),
        # The raw token is no session cookie: only a signed session from the sign-in form is.
        (None, "s3cret-token", False),
        ("Bearer s3cret-token", None, True),
        (None, "signed session", True),
    ],
)
def test_only_the_configured_token_opens_the_console(monkeypatch, authorization, cookie, allowed) -> None:
    monkeypatch.setenv("CONSOLE_TOKEN", "s3cret-token")
    if cookie == "signed session":
        cookie = staff_sessions.sessions_for("s3cret-token").issue()
    assert console.authorised(_request(authorization, cookie)) is allowed
    if not allowed:
        assert console.AREA.refusal(api=True).status == 401
