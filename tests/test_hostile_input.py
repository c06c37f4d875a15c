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
import websockets

from bot.rasa_server.input_guard import MAX_BODY_BYTES
from tests.support.hostile_inputs import BAD_REST_BODIES, HOSTILE_TEXTS
from tools.assistant_client import AssistantClient
from tools.socketio_client import SocketIOClient, converse

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


# --- socket.io: sessions, frames and floods (issue 17, item 12) --------------------------------


async def _session(client: SocketIOClient, session_id: str | None = None, timeout: float = 30) -> str:
    await client.emit("session_request", {"session_id": session_id})
    while True:
        name, data = await client.next_event(timeout)
        if name == "session_confirm":
            return data


async def _bot_texts(client: SocketIOClient, first_timeout: float = REPLY_TIMEOUT_S, quiet_s: float = 1.0) -> List[str]:
    texts: List[str] = []
    timeout = first_timeout
    while True:
        try:
            name, data = await client.next_event(timeout)
        except asyncio.TimeoutError:
            return texts
        if name == "bot_uttered" and isinstance(data, dict) and data.get("text"):
            texts.append(data["text"])
            timeout = quiet_s


async def _answered_over_socketio(url: str) -> bool:
    client = SocketIOClient(url)
    await client.connect()
    try:
        session = await _session(client)
        await client.emit("user_uttered", {"message": "徽商服务卡有什么用", "session_id": session})
        return any("第13条" in text for text in await _bot_texts(client))
    finally:
        await client.close()


def test_a_second_socket_joining_a_live_session_loses_nothing(
    running_assistant: AssistantClient, bystander: Tuple[str, int]
) -> None:
    async def scenario() -> Tuple[List[str], List[str], List[str], str]:
        first, second = SocketIOClient(running_assistant.rasa_url), SocketIOClient(running_assistant.rasa_url)
        await first.connect()
        await second.connect()
        try:
            session = await _session(first)
            await first.emit("user_uttered", {"message": "徽商服务卡有什么用", "session_id": session})
            first_answer = await _bot_texts(first)
            assert await _session(second, session) == session  # a second tab of the same user
            await second.emit("user_uttered", {"message": "怎么申请", "session_id": session})
            return first_answer, await _bot_texts(second), await _bot_texts(first, first_timeout=5), session
        finally:
            await first.close()
            await second.close()

    first_answer, second_sees, first_sees, session = asyncio.run(scenario())
    assert any("第13条" in t for t in first_answer)
    assert second_sees and first_sees == second_sees  # both tabs show the answer to the second tab's question
    users = [e["text"] for e in events_of(running_assistant, session) if e.get("event") == "user"]
    assert users == ["徽商服务卡有什么用", "怎么申请"]
    assert_bystander_untouched(running_assistant, bystander)


def test_a_frame_over_1_mb_closes_only_that_socket(
    running_assistant: AssistantClient, bystander: Tuple[str, int]
) -> None:
    async def scenario() -> bool:
        attacker = SocketIOClient(running_assistant.rasa_url)
        await attacker.connect()
        session = await _session(attacker)
        frame = "42" + json.dumps(["user_uttered", {"message": "徽" * 1_200_000, "session_id": session}])
        try:
            await attacker._ws.send(frame)
            await asyncio.wait_for(attacker._ws.wait_closed(), REPLY_TIMEOUT_S)
        except websockets.ConnectionClosed as closed:  # the server refused the frame (1009 message too big)
            assert closed.rcvd is not None and closed.rcvd.code == 1009, closed
        finally:
            await attacker.close()
        return await _answered_over_socketio(running_assistant.rasa_url)

    assert asyncio.run(scenario())
    assert_still_answers(running_assistant)
    assert_bystander_untouched(running_assistant, bystander)


def test_deeply_nested_socketio_packets_do_not_break_the_socket(
    running_assistant: AssistantClient, bystander: Tuple[str, int]
) -> None:
    async def scenario() -> List[str]:
        client = SocketIOClient(running_assistant.rasa_url)
        await client.connect()
        try:
            session = await _session(client)
            await client._ws.send('42["user_uttered",' + "[" * 100_000 + "]" * 100_000 + "]")
            await client._ws.send('42["user_uttered",{"metadata":' + '{"a":' * 50_000 + "1" + "}" * 50_000 + "}]")
            await client.emit("user_uttered", {"message": "徽商服务卡有什么用", "session_id": session})
            return await _bot_texts(client)
        finally:
            await client.close()

    texts = asyncio.run(scenario())
    assert any("第13条" in t for t in texts), texts
    assert _answered_over_socketio_sync(running_assistant.rasa_url)
    assert_bystander_untouched(running_assistant, bystander)


def _answered_over_socketio_sync(url: str) -> bool:
    return asyncio.run(_answered_over_socketio(url))


FLOOD_EVENTS = 1000


def test_1000_events_from_one_socket_each_get_an_answer_and_others_are_still_served(
    running_assistant: AssistantClient, bystander: Tuple[str, int]
) -> None:
    async def scenario() -> Tuple[int, bool]:
        flooder = SocketIOClient(running_assistant.rasa_url)
        await flooder.connect()
        try:
            session = await _session(flooder)
            for i in range(FLOOD_EVENTS):
                # Cheap to answer, each gets its notice; unknown event names are ignored by socket.io.
                await flooder.emit("user_uttered", {"message": "   ", "session_id": session} if i % 2 else 42)
                await flooder.emit("no_such_event", {"i": i})
            served = await _answered_over_socketio(running_assistant.rasa_url)
            notices = 0
            while notices < FLOOD_EVENTS:
                try:
                    name, data = await flooder.next_event(REPLY_TIMEOUT_S)
                except asyncio.TimeoutError:
                    break
                if name == "bot_uttered" and isinstance(data, dict) and data.get("notice"):
                    notices += 1
            return notices, served
        finally:
            await flooder.close()

    notices, served = asyncio.run(scenario())
    assert served, "another user was not answered during the flood"
    assert notices == FLOOD_EVENTS
    assert_still_answers(running_assistant)
    assert_bystander_untouched(running_assistant, bystander)


IDLE_CONNECTIONS = 2000


def test_2000_idle_connections_do_not_stop_a_normal_client(
    running_assistant: AssistantClient, bystander: Tuple[str, int]
) -> None:
    host, port = running_assistant.rasa_url.rsplit("//", 1)[1].split(":")
    idle: List[socket.socket] = []
    try:
        for i in range(IDLE_CONNECTIONS):
            sock = socket.create_connection((host, int(port)), timeout=REPLY_TIMEOUT_S)
            if i % 2:  # half say nothing, half start a request and never finish it
                sock.sendall(b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            idle.append(sock)
        assert_still_answers(running_assistant)
        assert _answered_over_socketio_sync(running_assistant.rasa_url)
    finally:
        for sock in idle:
            sock.close()
    assert_bystander_untouched(running_assistant, bystander)
