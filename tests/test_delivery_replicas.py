"""Two Rasa server processes (each with its action server) sharing PostgreSQL and Redis, as the
cluster runs them: a staff reply sent from the console of one replica reaches the widget whose
socket is held by the other (the web chat's socket.io servers share Redis, AsyncRedisManager)."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from bot.channels.channel_texts import channel_text
from bot.processes import servers
from bot.processes.ports import free_port
from bot.stores.settings import StoreSettings
from tools.socketio_client import SocketIOClient, new_session, until_card

pytestmark = [pytest.mark.server, pytest.mark.postgres]

CONSOLE_TOKEN = secrets.token_hex(16)


@pytest.fixture(scope="module")
def replicas(
    trained_model: Path, postgres_database: str, redis_key_prefix: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[List[servers.Stack]]:
    workdir = tmp_path_factory.mktemp("replicas")
    stores = StoreSettings(
        tracker_database_url=postgres_database, redis_url="redis://127.0.0.1:6379/1", redis_key_prefix=redis_key_prefix
    )
    stacks: List[servers.Stack] = []
    try:
        for number in (1, 2):
            own = workdir / f"replica-{number}"
            own.mkdir()
            stacks.append(
                servers.start_stack(
                    trained_model,
                    rasa_port=free_port(),
                    action_port=free_port(),
                    tracker_sqlite=own / "unused.db",
                    endpoints_path=own / "endpoints.yml",
                    log_dir=own,
                    stores=stores,
                    extra_env={"CONSOLE_TOKEN": CONSOLE_TOKEN},
                )  # fmt: skip
            )
        yield stacks
    finally:
        for stack in stacks:
            stack.stop()


def console(base: str, path: str, body: Dict[str, Any] | None = None) -> Tuple[int, Dict[str, Any]]:
    request = urllib.request.Request(
        f"{base}/console/api/conversations/{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {CONSOLE_TOKEN}", "Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def stored(base: str, session: str, timeout: float = 60) -> Tuple[int, Dict[str, Any]]:
    """The conversation as the console shows it, once its first turn is in the shared store."""
    deadline = time.monotonic() + timeout
    while True:
        status, conversation = console(base, session)
        if status != 404 or time.monotonic() > deadline:
            return status, conversation
        time.sleep(0.2)


def test_a_staff_reply_from_one_replica_reaches_a_widget_on_the_other(replicas: List[servers.Stack]) -> None:
    first, second = (stack.rasa_url for stack in replicas)

    async def talk() -> List[Any]:
        widget = SocketIOClient(second)  # the user's socket is on replica 2
        await widget.connect()
        try:
            session = await new_session(widget, 60)
            await widget.emit("user_uttered", {"message": "徽商服务卡有什么用", "session_id": session})
            await until_card(widget, "policy", 120)
            # Staff use the console on replica 1: they take the conversation over (the turn is stored
            # once it ends; the card reached the widget before that).
            status, conversation = await asyncio.to_thread(stored, first, session)
            assert status == 200 and not conversation["paused"], conversation
            status, body = await asyncio.to_thread(console, first, f"{session}/pause", {})
            assert status == 200 and body["paused"], body
            reply = {"text": "您好，我是热线工作人员。"}
            status, body = await asyncio.to_thread(console, first, f"{session}/messages", reply)
            assert status == 200 and body["sent"], body
            staff = await widget.next_event(30)
            status, body = await asyncio.to_thread(console, first, f"{session}/resume", {})
            assert status == 200, body
            resumed = await widget.next_event(30)
            # The bot answers again, on replica 2.
            await widget.emit("user_uttered", {"message": "徽商服务卡有什么用", "session_id": session})
            answer = await widget.next_event(120)
            return [staff, resumed, answer]
        finally:
            await widget.close()

    staff, resumed, answer = asyncio.run(talk())
    assert staff == ("bot_uttered", {"text": "您好，我是热线工作人员。", "staff": True})
    assert resumed == ("bot_uttered", {"text": channel_text("webchat", "staff_resumed"), "resumed": True})
    assert "第13条" in (answer[1].get("text") or "")
