"""Fairness under floods on the running assistant (issue 17): one REST sender's flood is answered
"请稍候" beyond a few messages at once, and another user is still answered (make bench-flood
measures the latency; this asserts behaviour only)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

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
    # At most MAX_TURNS_PER_SENDER are in the server at once; as they finish, later ones get in.
    assert len(stored) == len(answered) < FLOOD
