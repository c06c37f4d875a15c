"""A conversation longer than the bounded view (bot/stores/bounded_tracker_store.py) on the default
stack: the answers still use what the user said long ago, and nothing is lost — Rasa's tracker API,
the staff console, `make report`'s reader and a restarted server all see every turn."""

from __future__ import annotations

import json
import os
import secrets
import signal
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import yaml

from bot.processes import servers
from bot.stores.bounded_tracker_store import DEFAULT_RECENT_TURNS_MAX
from bot.stores.settings import StoreSettings
from tools.assistant_client import AssistantClient
from tools.report.events import read_turns

pytestmark = pytest.mark.server

TOKEN = "long-conversation-token"
QUESTIONS = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "tools" / "bench" / "long_conversation.yml").read_text(encoding="utf-8")
)["questions"]


@pytest.fixture(scope="module")
def stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Stack]:
    """A default stack (SQLite tracker store, as `make run`) of this module's own: the test restarts it."""
    workdir = tmp_path_factory.mktemp("long")
    console_token = secrets.token_hex(12)
    started = servers.start_private_stack(
        trained_model, workdir, api_token=TOKEN, stores=StoreSettings(), extra_env={"CONSOLE_TOKEN": console_token}
    )
    started.workdir = workdir  # type: ignore[attr-defined]
    started.console_token = console_token  # type: ignore[attr-defined]
    try:
        yield started
    finally:
        started.stop()


def console_turns(stack: servers.Stack, sender: str) -> List[Dict[str, Any]]:
    request = urllib.request.Request(
        f"{stack.rasa_url}/console/api/conversations/{sender}",
        headers={"Authorization": f"Bearer {stack.console_token}"},  # type: ignore[attr-defined]
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["turns"]


def user_texts(tracker: Dict[str, Any]) -> List[str]:
    return [event["text"] for event in tracker["events"] if event["event"] == "user"]


def test_a_long_conversation_keeps_its_facts_and_loses_nothing_across_a_restart(
    stack: servers.Stack, trained_model: Path
) -> None:
    client = AssistantClient(stack.rasa_url, api_token=TOKEN)
    sender = client.new_sender()
    asked = ["徽商服务卡有什么用"]
    first = client.ask(sender, asked[0])
    assert first.card and first.card["citations"] == [13]
    # More turns than the bounded view holds, none of them about the card …
    others = [q for q in QUESTIONS if "徽商服务卡" not in q]
    for number in range(DEFAULT_RECENT_TURNS_MAX + 6):
        asked.append(others[number % len(others)])
        assert client.ask(sender, asked[-1]).text
    asked.append("徽商服务卡谁能办")
    assert client.ask(sender, asked[-1]).card["citations"] == [13]
    # … then a follow-up that names no measure: only the remembered slot makes it about the card.
    asked.append("那怎么办理？")
    reply = client.ask(sender, asked[-1])
    assert reply.card and reply.card["citations"] == [13], reply.text

    # Everything the user said is stored once, in order, and every reader sees all of it.
    assert user_texts(client.tracker(sender)) == asked
    assert [turn["text"] for turn in console_turns(stack, sender) if turn["from"] == "user"] == asked
    reported = [
        turn.text for turn in read_turns(f"sqlite:///{stack.workdir / 'tracker.db'}") if turn.sender_id == sender
    ]
    assert reported == asked

    # kill -9 and restart the Rasa server: the conversation goes on where it was.
    rasa = next(p for p in stack.processes if p.name == "Rasa server")
    os.killpg(rasa.popen.pid, signal.SIGKILL)
    rasa.popen.wait(timeout=10)
    port = int(stack.rasa_url.rsplit(":", 1)[1])
    workdir: Path = stack.workdir  # type: ignore[attr-defined]
    restarted = servers.start_rasa_server(
        trained_model,
        port,
        workdir / "endpoints.yml",
        TOKEN,
        workdir,
        extra_env={"CONSOLE_TOKEN": stack.console_token},  # type: ignore[attr-defined]
    )
    stack.processes[stack.processes.index(rasa)] = restarted
    asked.append("那谁能办？")
    reply = client.ask(sender, asked[-1])
    assert reply.card and reply.card["citations"] == [13], reply.text
    assert "法定代表人" in reply.text
    tracker = client.tracker(sender)
    assert tracker["slots"]["current_measure"] == "huishang_service_card"
    assert user_texts(tracker) == asked
