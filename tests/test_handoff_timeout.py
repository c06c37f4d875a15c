"""Staff who do not answer a waiting user within HANDOFF_WAIT_MINUTES: the user is told, offered 12345, and
the bot answers again. A server of its own (trained model, real Rasa and action servers) with a wait of a
few seconds and a sweep every second; the test polls for the outcome and asserts no timing."""

from __future__ import annotations

import asyncio
import secrets
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.support.console_api import handoff_records, set_on_duty
from tools.assistant_client import AssistantClient
from tools.socketio_client import SocketIOClient, new_session, next_bot

pytestmark = pytest.mark.server
GIVE_UP_S = 120  # a hand-back that has not come by then never will (the poll's bound, not an assertion)


@pytest.fixture(scope="module")
def impatient_assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AssistantClient]:
    from bot.processes.servers import start_private_stack

    api_token, console_token = secrets.token_hex(12), secrets.token_hex(12)
    env = {"HANDOFF_WAIT_MINUTES": "0.05", "HANDOFF_SWEEP_SECONDS": "1", "CONSOLE_TOKEN": console_token}
    stack = start_private_stack(trained_model, tmp_path_factory.mktemp("impatient"), api_token=api_token, extra_env=env)
    try:
        yield AssistantClient(stack.rasa_url, api_token=api_token, console_token=console_token,
                              internal_token=stack.internal_token)  # fmt: skip
    finally:
        stack.stop()


async def _wait_in_web_chat(assistant: AssistantClient) -> tuple:
    client = SocketIOClient(assistant.rasa_url)
    await client.connect()
    try:
        session_id = await new_session(client, 30)
        await client.emit("user_uttered", {"message": "转人工", "session_id": session_id})
        seen = []
        while True:  # the handoff reply, then (nobody answers) the server's notice
            name, data = await client.next_event(GIVE_UP_S)
            if name == "bot_uttered":
                seen.append(data)
                if data.get("resumed"):
                    break
        await client.emit("user_uttered", {"message": "技改有什么补贴", "session_id": session_id})
        answer = await next_bot(client, lambda data: "custom" in data, 60)
        return session_id, seen, answer["custom"]["answer_card"]
    finally:
        await client.close()


def test_a_user_nobody_answers_is_told_offered_12345_and_answered_again(impatient_assistant: AssistantClient) -> None:
    assistant = impatient_assistant
    set_on_duty(assistant, True)
    session_id, seen, answer = asyncio.run(_wait_in_web_chat(assistant))
    assert seen[0]["text"].startswith("好的，已为您转接人工服务")
    notice = seen[-1]["text"]
    assert "12345" in notice and "留言回电" in notice and "恢复自动回答" in notice
    assert answer["kind"] == "policy" and answer["citations"] == [6]
    tracker = assistant.tracker(session_id)
    assert tracker["paused"] is False
    back = [r for r in handoff_records(tracker) if r["stage"] == "handed_back"]
    assert len(back) == 1 and back[0]["by"] == "timeout" and back[0]["first_reply_s"] is None


def test_a_rest_user_nobody_answers_gets_the_bot_back(impatient_assistant: AssistantClient) -> None:
    assistant = impatient_assistant
    set_on_duty(assistant, True)
    sender = assistant.new_sender()
    assert assistant.ask(sender, "转人工").card["handoff"] == "staff"
    deadline = time.monotonic() + GIVE_UP_S
    while assistant.tracker(sender)["paused"] and time.monotonic() < deadline:
        time.sleep(0.5)
    tracker = assistant.tracker(sender)
    assert tracker["paused"] is False
    texts = [e.get("text") or "" for e in tracker["events"] if e.get("event") == "bot"]
    assert any("12345" in t and "恢复自动回答" in t for t in texts)
    after = assistant.ask(sender, "技改有什么补贴")
    assert after.card and after.card["citations"] == [6], after.messages
