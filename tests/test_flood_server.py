"""Fairness under floods on the running assistant (issue 17): one REST or socket.io sender's flood is
answered "请稍候" beyond a few messages, and another user is still answered (make bench-flood
measures the latency; these assert behaviour only)."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.socketio_client import SocketIOClient
from tools.assistant_client import AssistantClient

pytestmark = pytest.mark.server

FLOOD = 60


def test_a_rest_flood_is_asked_to_wait_and_another_user_is_answered(assistant: AssistantClient) -> None:
    flooder, neighbour = assistant.new_sender(), assistant.new_sender()
    with ThreadPoolExecutor(max_workers=FLOOD + 1) as pool:
        flood = [pool.submit(assistant.ask, flooder, f"刷屏{i}", 300) for i in range(FLOOD)]
        neighbour_reply = pool.submit(assistant.ask, neighbour, "徽商服务卡有什么用", 300)
        replies = [f.result() for f in flood]
    assert "第13条" in neighbour_reply.result().text
    busy = [r for r in replies if r.text.startswith("请稍候")]
    answered = [r for r in replies if not r.text.startswith("请稍候")]
    assert busy and all(r.text for r in answered)  # every message: an answer or a clear "please wait"
    # Only the answered messages reached the conversation; none is half-stored.
    stored = [e["text"] for e in assistant.tracker(flooder)["events"] if e["event"] == "user"]
    assert len(stored) == len(answered) <= 5


@pytest.mark.asyncio
async def test_a_socketio_flood_is_asked_to_wait(assistant: AssistantClient) -> None:
    client = SocketIOClient(assistant.rasa_url)
    await client.connect()
    try:
        await client.emit("session_request", {"session_id": None})
        name, _ = await client.next_event(30)
        assert name == "session_confirm"
        for i in range(FLOOD):
            await client.emit("user_uttered", {"message": f"刷屏{i}"})
        texts = []
        while len([t for t in texts if t.startswith("请稍候")]) < FLOOD - 5:
            name, payload = await client.next_event(300)
            if name == "bot_uttered" and isinstance(payload, dict):
                texts.append(payload.get("text") or json.dumps(payload, ensure_ascii=False))
    finally:
        await client.close()
    assert len([t for t in texts if t.startswith("请稍候")]) >= FLOOD - 5
    await asyncio.sleep(0)
