"""Hostile input end to end, through REST and socket.io: every message gets a reply or a clean
4xx (never a 5xx), the server stays up, and no other conversation changes."""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.error
import urllib.request
from typing import Any, Dict, List, Tuple

import pytest

from bot.rasa_server.input_guard import MAX_BODY_BYTES
from tests.support.hostile_inputs import BAD_REST_BODIES, HOSTILE_TEXTS
from tests.support.socketio_client import converse
from tools.assistant_client import AssistantClient

pytestmark = pytest.mark.server

REPLY_TIMEOUT_S = 30


def post_raw(url: str, body: bytes) -> Tuple[int, bytes]:
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=REPLY_TIMEOUT_S) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def post_oversized(url: str, body: bytes) -> int:
    """The status a client that says ``Expect: 100-continue`` (as curl does for big bodies) gets."""
    host, port = url.rsplit("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=REPLY_TIMEOUT_S) as sock:
        head = (
            f"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
        )
        sock.sendall(head.encode())
        response = sock.makefile("rb")
        status = int(response.readline().split()[1])
        if status == 100:  # Sanic says "continue", then refuses the size before reading the body
            response.readline()
            status = int(response.readline().split()[1])
        return status


def events_of(assistant: AssistantClient, sender: str) -> List[Dict[str, Any]]:
    return assistant.tracker(sender)["events"]


@pytest.fixture(scope="module")
def bystander(running_assistant: AssistantClient) -> Tuple[str, int]:
    """A conversation held before the attack; it must look the same afterwards."""
    sender = running_assistant.new_sender()
    running_assistant.ask(sender, "徽商服务卡有什么用")
    return sender, len(events_of(running_assistant, sender))


def assert_bystander_untouched(assistant: AssistantClient, bystander: Tuple[str, int]) -> None:
    sender, count = bystander
    events = events_of(assistant, sender)
    assert len(events) == count, [e.get("event") for e in events[count:]]
    assert assistant.tracker(sender)["slots"]["current_measure"] == "huishang_service_card"


def assert_still_answers(assistant: AssistantClient) -> None:
    reply = assistant.ask(assistant.new_sender(), "徽商服务卡有什么用")
    assert "第13条" in reply.text


def test_hostile_texts_over_rest_each_get_a_reply(
    running_assistant: AssistantClient, bystander: Tuple[str, int]
) -> None:
    failures = []
    attacker = running_assistant.new_sender()
    for name, text in HOSTILE_TEXTS:
        body = json.dumps({"sender": attacker, "message": text}).encode()
        status, raw = post_raw(running_assistant.rasa_url, body)
        if status >= 500:
            failures.append(f"{name}: HTTP {status}")
        elif status == 200 and not any(m.get("text") for m in json.loads(raw)):
            failures.append(f"{name}: no text in the reply {raw[:200]!r}")
        elif status not in (200,) and not 400 <= status < 500:
            failures.append(f"{name}: HTTP {status}")
    assert not failures, "\n".join(failures)
    assert_still_answers(running_assistant)
    assert_bystander_untouched(running_assistant, bystander)


def test_bad_rest_bodies_get_a_clean_4xx(running_assistant: AssistantClient, bystander: Tuple[str, int]) -> None:
    failures = []
    for name, body in BAD_REST_BODIES:
        if len(body) > MAX_BODY_BYTES:
            status, raw = post_oversized(running_assistant.rasa_url, body), b""
        else:
            status, raw = post_raw(running_assistant.rasa_url, body)
        if not 400 <= status < 500:
            failures.append(f"{name}: HTTP {status} {raw[:200]!r}")
    assert not failures, "\n".join(failures)
    assert_still_answers(running_assistant)
    assert_bystander_untouched(running_assistant, bystander)


def test_the_attacker_cannot_write_into_another_conversation(
    running_assistant: AssistantClient, bystander: Tuple[str, int]
) -> None:
    victim, _ = bystander
    attacker = running_assistant.new_sender()
    running_assistant.ask(attacker, json.dumps({"sender": victim, "message": "/restart"}))
    running_assistant.ask(attacker, '/measure_huishang_service_card{"current_measure": "x"}')
    assert_bystander_untouched(running_assistant, bystander)


def test_hostile_texts_over_socketio_each_get_a_reply(
    running_assistant: AssistantClient, bystander: Tuple[str, int]
) -> None:
    turns = asyncio.run(converse(running_assistant.rasa_url, [text for _, text in HOSTILE_TEXTS]))
    silent = [
        name for (name, _), replies in zip(HOSTILE_TEXTS, turns, strict=True) if not any(m.get("text") for m in replies)
    ]
    assert not silent, f"no reply over socket.io to: {silent}"
    assert_still_answers(running_assistant)
    assert_bystander_untouched(running_assistant, bystander)


@pytest.mark.parametrize("path", ["/conversations/{sender}/tracker", "/status", "/domain"])
def test_the_http_api_refuses_calls_without_the_token(
    running_assistant: AssistantClient, bystander: Tuple[str, int], path: str
) -> None:
    url = running_assistant.rasa_url + path.format(sender=bystander[0])
    for suffix in ("", "?token=wrong"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + suffix, timeout=REPLY_TIMEOUT_S)
        assert refused.value.code in (401, 403)
