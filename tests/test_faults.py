"""Faults with real processes: kill -9 of the Rasa server, the action server down, a database that
does not answer at start, two replicas serving one sender. These tests start their own servers
(they kill them), on free ports, sharing the session's trained model."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from bot.channels.channel_texts import channel_text
from bot.paths import PROJECT_DIR
from bot.processes import servers
from bot.processes.cluster import Cluster, start_cluster
from bot.processes.ports import free_port
from bot.rasa_server.action_failure import unavailable_text
from bot.stores.settings import StoreSettings
from tools.assistant_client import AssistantClient
from tools.socketio_client import SocketIOClient, new_session, next_bot

pytestmark = pytest.mark.server

TOKEN = "fault-test-token"
CONSOLE_TOKEN = "fault-test-console-7Kq2xW9mZp4L"


def kill_9(process: servers.ManagedProcess) -> None:
    os.killpg(process.popen.pid, signal.SIGKILL)
    process.popen.wait(timeout=10)


def user_texts(tracker: Dict[str, Any]) -> List[str]:
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


def assert_card_answer(reply, measure_text: str = "第13条") -> None:
    assert measure_text in reply.text, reply.text
    assert reply.card and reply.card["citations"] == [13]


@pytest.fixture(scope="module")
def own_stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Stack]:
    """A default stack (SQLite tracker store) of this module's own, which the tests may kill."""
    workdir = tmp_path_factory.mktemp("faults")
    stack = servers.start_private_stack(
        trained_model,
        workdir,
        api_token=TOKEN,
        stores=StoreSettings(),
        # A hung action server is given up on after 2 s here (default 10 s, generous for load).
        # Debug logging writes every user message to the log: what the masking must cover.
        extra_env={"ACTION_TIMEOUT_S": "2", "LOG_LEVEL": "DEBUG"},
    )
    stack.workdir = workdir  # type: ignore[attr-defined]
    try:
        yield stack
    finally:
        stack.stop()


def _process(stack: servers.Stack, name: str) -> servers.ManagedProcess:
    return next(p for p in stack.processes if p.name == name)


def test_conversation_resumes_with_slots_and_history_after_kill_9(
    own_stack: servers.Stack, trained_model: Path
) -> None:
    client = AssistantClient(own_stack.rasa_url, api_token=TOKEN)
    sender = client.new_sender()
    assert_card_answer(client.ask(sender, "徽商服务卡有什么用"))

    rasa = _process(own_stack, "Rasa server")
    kill_9(rasa)
    port = int(own_stack.rasa_url.rsplit(":", 1)[1])
    workdir: Path = own_stack.workdir  # type: ignore[attr-defined]
    restarted = servers.start_rasa_server(
        trained_model,
        port,
        workdir / "endpoints.yml",
        TOKEN,
        workdir,
        extra_env={"ACTION_TIMEOUT_S": "2", "LOG_LEVEL": "DEBUG"},
    )
    own_stack.processes[own_stack.processes.index(rasa)] = restarted

    # "那谁能办？" names no measure: only the remembered slot makes it about the card.
    reply = client.ask(sender, "那谁能办？")
    assert_card_answer(reply)
    assert "法定代表人" in reply.text
    tracker = client.tracker(sender)
    assert tracker["slots"]["current_measure"] == "huishang_service_card"
    assert user_texts(tracker) == ["徽商服务卡有什么用", "那谁能办？"]


RECOVERY_ATTEMPTS = 5


def test_action_server_down_gets_a_clear_reply_and_recovers(own_stack: servers.Stack) -> None:
    client = AssistantClient(own_stack.rasa_url, api_token=TOKEN)
    sender = client.new_sender()
    action = _process(own_stack, "action server")
    kill_9(action)

    started = time.monotonic()
    reply = client.ask(sender, "徽商服务卡有什么用")
    elapsed = time.monotonic() - started
    assert "暂时无法查询" in reply.text and reply.text == unavailable_text()
    # Generous: catches a reply that waits for a timeout or hangs; the latency is `make bench`'s
    # concern (make bench-flood measures the apology), not a timed assertion here.
    assert elapsed < 30, f"the apology took {elapsed:.1f} s"

    port = int(own_stack.action_url.split(":")[2].split("/")[0])
    workdir: Path = own_stack.workdir  # type: ignore[attr-defined]
    own_stack.processes[own_stack.processes.index(action)] = servers.start_action_server(port, workdir)
    # Back means answering: the restarted server's first call warms its search index, which on a busy
    # machine can outlast this stack's 2 s action timeout; such a turn still gets the apology, never
    # silence, and a later one the answer.
    for _ in range(RECOVERY_ATTEMPTS):
        reply = client.ask(sender, "徽商服务卡有什么用")
        if reply.text != unavailable_text():
            break
    assert_card_answer(reply)


def test_action_server_hanging_gets_the_reply_after_its_timeout(own_stack: servers.Stack) -> None:
    client = AssistantClient(own_stack.rasa_url, api_token=TOKEN)
    action = _process(own_stack, "action server")
    os.killpg(action.popen.pid, signal.SIGSTOP)  # accepts connections, never answers
    try:
        started = time.monotonic()
        reply = client.ask(client.new_sender(), "徽商服务卡谁能办")
        elapsed = time.monotonic() - started
    finally:
        os.killpg(action.popen.pid, signal.SIGCONT)
    assert "暂时无法查询" in reply.text
    # ACTION_TIMEOUT_S is 2 here; Rasa's own action timeout is 5 minutes: 30 s tells them apart under any load.
    assert elapsed < 30, f"the apology took {elapsed:.1f} s"
    assert_card_answer(client.ask(client.new_sender(), "徽商服务卡谁能办"))


def test_server_logs_mask_phone_and_id_card_numbers(own_stack: servers.Stack) -> None:
    client = AssistantClient(own_stack.rasa_url, api_token=TOKEN)
    sender = client.new_sender()
    client.ask(sender, "我的手机13912345678，身份证340104199001011234，能办徽商服务卡吗")
    log = (own_stack.workdir / "Rasa server.log").read_text(errors="replace")  # type: ignore[attr-defined]
    assert "139****5678" in log, "the debug log should contain the (masked) user message"
    assert "13912345678" not in log and "340104199001011234" not in log
    # The conversation itself keeps what the user wrote (masking is for logs only).
    assert "13912345678" in client.tracker(sender)["latest_message"]["text"]


@pytest.mark.parametrize(
    "variable, url, expected",
    [
        ("DATABASE_URL", "postgresql://postgres@127.0.0.1:{port}/wanqi", "database"),
        ("REDIS_URL", "redis://127.0.0.1:{port}/1", "Redis"),
    ],
)
def test_unreachable_store_at_start_is_a_clear_error_not_a_traceback(variable: str, url: str, expected: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env[variable] = url.format(port=free_port())
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--port", str(free_port()), "--action-port", str(free_port())],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert f"Could not start: {expected}" in result.stderr or expected in result.stderr, result.stderr
    assert "not reachable" in result.stderr
    assert time.monotonic() - started < 60


@pytest.fixture(scope="module")
def cluster(
    trained_model: Path,
    postgres_database: str,
    redis_key_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    """Two replicas (each with its action server) on PostgreSQL + Redis, nginx in front."""
    from knowledge import loader

    loader.load(postgres_database)
    workdir = tmp_path_factory.mktemp("cluster")
    settings = StoreSettings(
        tracker_database_url=postgres_database, redis_url="redis://127.0.0.1:6379/1", redis_key_prefix=redis_key_prefix
    )
    started = start_cluster(
        trained_model, free_port(), [free_port(), free_port()], [free_port(), free_port()], settings,
        extra_env={"DATABASE_URL": postgres_database, "CONSOLE_TOKEN": CONSOLE_TOKEN},
        run_dir=workdir, log_dir=workdir, api_token=TOKEN,
    )  # fmt: skip
    try:
        yield started
    finally:
        started.stop()


def test_two_replicas_serving_one_sender_alternately_keep_one_conversation(cluster: Cluster) -> None:
    first, second = (AssistantClient(url, api_token=TOKEN) for url in cluster.replica_urls)
    sender = first.new_sender()
    assert_card_answer(first.ask(sender, "徽商服务卡有什么用"))
    reply = second.ask(sender, "那谁能办？")  # the slot was set by the other replica
    assert_card_answer(reply)
    assert "法定代表人" in reply.text
    reply = first.ask(sender, "那怎么办理？")
    assert_card_answer(reply)
    assert "管理办法" in reply.text
    for client in (first, second):
        tracker = client.tracker(sender)
        assert user_texts(tracker) == ["徽商服务卡有什么用", "那谁能办？", "那怎么办理？"]
        assert tracker["slots"]["current_measure"] == "huishang_service_card"


def _turns(events: List[Dict[str, Any]]) -> List[tuple]:
    """(user text, the events up to the next user message) for each user message, in stored order."""
    turns: List[tuple] = []
    for event in events:
        if event["event"] == "user":
            turns.append((event["text"], []))
        elif turns:
            turns[-1][1].append(event)
    return turns


# Several new senders in a row: the first burst of a new sender (two replicas creating its lock at
# the same moment) is where Rasa's own RedisLockStore let two turns in together.
@pytest.mark.parametrize("burst", range(3))
def test_concurrent_messages_of_one_sender_on_two_replicas_are_serialised(cluster: Cluster, burst: int) -> None:
    clients = [AssistantClient(url, api_token=TOKEN) for url in cluster.replica_urls]
    sender = clients[0].new_sender()
    # Six different questions that are all about 第13条 (training examples, so the NLU is sure of
    # them): this test is about serialising one sender's turns, not about understanding.
    texts = ["徽商服务卡有什么用", "徽商服务卡是什么", "徽商卡有啥用",
             "什么是徽商服务卡", "徽商服务卡能干嘛", "徽商服务卡管理办法"]  # fmt: skip
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(lambda i: clients[i % 2].ask(sender, texts[i], timeout=120), range(6)))
    assert all("第13条" in r.text for r in replies), [r.text for r in replies]
    events = clients[1].tracker(sender)["events"]
    assert clients[0].tracker(sender)["events"] == events, "the two replicas read different conversations"
    assert [e["event"] for e in events].count("session_started") == 1, [e["event"] for e in events]
    # With the lock held across replicas, each message's whole turn is stored before the next
    # message starts: every message once, each followed by exactly the answer its sender got.
    turns = _turns(events)
    assert sorted(text for text, _ in turns) == sorted(texts), [text for text, _ in turns]
    for text, turn in turns:
        sent_back = [(m.get("text"), m.get("custom")) for m in replies[texts.index(text)].messages]
        stored = [(e.get("text"), (e.get("data") or {}).get("custom")) for e in turn if e["event"] == "bot"]
        assert stored == sent_back, (text, stored, sent_back)
        assert turn[-1]["event"] == "action" and turn[-1]["name"] == "action_listen", (text, turn[-1])


def _console(front: str, method: str, path: str, body: Dict[str, Any] | None = None) -> tuple:
    """A console API call through nginx: round-robin, so consecutive calls land on both replicas."""
    request = urllib.request.Request(
        f"{front}/console/api{path}", method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {CONSOLE_TOKEN}", "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_behind_nginx_a_user_s_handoff_reaches_staff_and_every_staff_reply_reaches_the_widget(
    cluster: Cluster,
) -> None:
    """Issue 18 on two replicas behind nginx: the console's heartbeat (on whichever replica nginx
    picks) puts staff on duty for the replica holding the widget's socket; the user's 转人工 pauses
    the bot; each staff reply, sent through nginx and so from both replicas in turn, reaches the
    widget in order; the hand-back notice too, and then the bot answers again."""
    front = cluster.front_url
    replies = [f"您好，我是热线工作人员，第{n}条回复。" for n in range(1, 5)]

    async def talk() -> List[Dict[str, Any]]:
        for _ in range(2):  # one heartbeat per replica (round-robin): presence is shared all the same
            status, body = await asyncio.to_thread(_console, front, "POST", "/presence", {})
            assert status == 200 and body["on_duty"], body
        widget = SocketIOClient(front)
        await widget.connect()
        try:
            session = await new_session(widget, 60)
            await widget.emit("user_uttered", {"message": "转人工", "session_id": session})
            card = await next_bot(widget, lambda data: "custom" in data, 120)
            seen = [card]
            deadline = time.monotonic() + 60
            while True:  # the turn is in the shared store once it ends
                status, conversation = await asyncio.to_thread(_console, front, "GET", f"/conversations/{session}")
                if status == 200 and conversation["paused"] or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
            assert status == 200 and conversation["paused"], conversation
            for text in replies:
                status, body = await asyncio.to_thread(
                    _console, front, "POST", f"/conversations/{session}/messages", {"text": text}
                )
                assert status == 200 and body["sent"], body
                seen.append(await next_bot(widget, lambda data: bool(data.get("staff")), 60))
            status, body = await asyncio.to_thread(_console, front, "POST", f"/conversations/{session}/resume", {})
            assert status == 200, body
            seen.append(await next_bot(widget, lambda data: bool(data.get("resumed")), 60))
            await widget.emit("user_uttered", {"message": "徽商服务卡有什么用", "session_id": session})
            seen.append(await next_bot(widget, lambda data: "第13条" in (data.get("text") or ""), 120))
            return seen
        finally:
            await widget.close()
            await asyncio.to_thread(_console, front, "POST", "/presence", {"on_duty": False})

    card, *staff, resumed, answer = asyncio.run(talk())
    assert card["custom"]["answer_card"]["handoff"] == "staff", card
    assert [reply["text"] for reply in staff] == replies
    assert resumed["text"] == channel_text("webchat", "staff_resumed")
    assert "第13条" in answer["text"]


def test_nginx_spreads_one_sender_over_replicas_and_survives_one_dying(cluster: Cluster) -> None:
    front = AssistantClient(cluster.front_url, api_token=TOKEN)
    sender = front.new_sender()
    assert_card_answer(front.ask(sender, "徽商服务卡有什么用"))
    assert_card_answer(front.ask(sender, "那谁能办？"))
    replica = next(p for p in cluster.processes if p.name == "Rasa server 1")
    kill_9(replica)
    for question in ("那怎么办理？", "徽商服务卡有什么用"):
        assert_card_answer(front.ask(sender, question))
    survivor = AssistantClient(cluster.replica_urls[1], api_token=TOKEN)
    assert user_texts(survivor.tracker(sender)) == [
        "徽商服务卡有什么用",
        "那谁能办？",
        "那怎么办理？",
        "徽商服务卡有什么用",
    ]
