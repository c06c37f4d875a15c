"""CORS only where the embeddable widget needs it (issue 17, item 4).

Another site's page may load the widget and talk Rasa's socket.io protocol (and fetch the widget's
config, measure texts and history); nothing else answers another origin: not the console, not the
REST channel, not Rasa's HTTP API. The browser test of embedding is
tests/test_webchat_browser.py::test_one_script_tag_embeds_the_widget_in_another_site.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Dict, Tuple

import pytest

from tools.assistant_client import AssistantClient

FOREIGN = "https://some-district.example"


def request(url: str, method: str = "GET", headers: Dict[str, str] | None = None) -> Tuple[int, Dict[str, str]]:
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as reply:
            return reply.status, {k.lower(): v for k, v in reply.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}


@pytest.mark.server
@pytest.mark.parametrize(
    "path",
    ["/console/api/conversations", "/console/", "/webhooks/rest/webhook", "/status", "/conversations/x/tracker"],
)
def test_no_cors_for_another_origin_outside_the_widget(assistant: AssistantClient, path: str) -> None:
    url = assistant.rasa_url + path
    headers = {"Origin": FOREIGN, "Authorization": f"Bearer {assistant.console_token}"}
    _, plain = request(url, headers=headers)
    _, preflight = request(url, "OPTIONS", {"Origin": FOREIGN, "Access-Control-Request-Method": "POST"})
    for got in (plain, preflight):
        assert "access-control-allow-origin" not in got, (path, got)
        assert "access-control-allow-credentials" not in got, (path, got)


@pytest.mark.server
@pytest.mark.parametrize("path", ["/webchat/config", "/webchat/measures/13", "/webchat/widget.js"])
def test_the_widget_routes_answer_an_embedding_site(assistant: AssistantClient, path: str) -> None:
    status, headers = request(assistant.rasa_url + path, headers={"Origin": FOREIGN})
    assert status == 200
    assert headers.get("access-control-allow-origin") in ("*", FOREIGN)
    assert "access-control-allow-credentials" not in headers


@pytest.mark.server
def test_socketio_polling_answers_an_embedding_site(assistant: AssistantClient) -> None:
    status, headers = request(assistant.rasa_url + "/socket.io/?EIO=4&transport=polling", headers={"Origin": FOREIGN})
    assert status == 200
    assert headers.get("access-control-allow-origin") == FOREIGN
    assert headers.get("access-control-allow-credentials") != "true"


def test_allowed_origins_are_a_setting() -> None:
    from bot.channels.webchat import cors

    assert cors.allowed_origins({}) == "*"
    listed = cors.allowed_origins({"WEBCHAT_ALLOWED_ORIGINS": " https://a.example, https://b.example/ "})
    assert listed == ["https://a.example", "https://b.example"]
    assert cors.allow_origin_header("https://a.example", listed) == "https://a.example"
    assert cors.allow_origin_header("https://evil.example", listed) is None
    assert cors.allow_origin_header("https://evil.example", "*") == "*"
    assert cors.allow_origin_header(None, listed) is None


def test_the_socketio_server_takes_the_setting(monkeypatch) -> None:
    from bot.channels.webchat.channel import WebChatInput

    monkeypatch.setenv("WEBCHAT_ALLOWED_ORIGINS", "https://a.example")
    channel = WebChatInput()

    async def on_new_message(_message) -> None:
        return None

    channel.blueprint(on_new_message)
    assert channel.sio is not None and channel.sio.eio.cors_credentials is False
    check = channel.sio.eio.cors_allowed_origins
    own = {"HTTP_HOST": "chat.example:5005"}
    assert check("https://a.example", own) and check("http://chat.example:5005", own)
    assert not check("https://evil.example", own)
