"""The maintainers' review inbox on the running assistant: its own role, the messages it lists
(rated 没用, handed to staff; near copies grouped, most frequent first, with the bot's reading and
answer), and decisions written as training data to a project copy, or refused with nothing written."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest

from bot.channels.feedback import refs_of_reply
from tests.support.review_workspace import MAINTAINER, MAINTAINER_TOKEN
from tests.test_answer_feedback import rate
from tools.assistant_client import AssistantClient

pytestmark = pytest.mark.server

ASKED = "徽商服务卡到底能干点啥"  # not a training example, not near a held-out question


def call(
    assistant: AssistantClient, path: str, body: Any = None, token: str | None = MAINTAINER_TOKEN
) -> Tuple[int, Dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{assistant.rasa_url}/review/api{path}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def workspace() -> Path:
    return Path(os.environ["REVIEW_WORKSPACE"])


def ask_and_rate_not_useful(assistant: AssistantClient, text: str) -> None:
    sender = assistant.new_sender()
    refs = refs_of_reply(assistant.ask(sender, text).messages)
    assert refs, f"{text!r} got no answer that can be rated"
    assert (
        rate(assistant, {"sender": sender, "answer_ref": refs[-1], "rating": "not_useful", "reason": "unclear"})[0]
        == 200
    )


def test_the_inbox_is_for_maintainers_only(assistant: AssistantClient) -> None:
    assert call(assistant, "/inbox", token=None)[0] == 401
    assert call(assistant, "/inbox", token=assistant.console_token)[0] == 401  # the staff token opens nothing here
    status, body = call(assistant, "/inbox")
    assert status == 200 and body["maintainer"] == MAINTAINER


def test_rated_and_handed_over_messages_are_listed_near_copies_together(assistant: AssistantClient) -> None:
    for text in (ASKED, ASKED + "？？", ASKED):
        ask_and_rate_not_useful(assistant, text)
    assistant.ask(assistant.new_sender(), "转人工")
    items = call(assistant, "/inbox")[1]["items"]
    [mine] = [item for item in items if item["text"] == ASKED]
    assert mine["count"] == 3 and mine["reasons"]["not_useful"] == 3
    assert dict(mine["wordings"]) == {ASKED: 2, ASKED + "？？": 1}
    assert mine["latest"]["ranking"][0]["intent"] == "measure_huishang_service_card"
    assert "第13条" in mine["latest"]["answer"] and mine["latest"]["citations"] == [13]
    assert "没用（看不懂）" in mine["feedback"]
    counts = [item["count"] for item in items]
    assert counts == sorted(counts, reverse=True)  # most frequent first
    assert any("handoff" in item["reasons"] for item in items)


def test_a_decision_becomes_training_data_with_who_and_when_and_leaves_the_inbox(assistant: AssistantClient) -> None:
    text = "那张企业家服务卡到底有啥用处啊"
    ask_and_rate_not_useful(assistant, text)
    decision = {"text": text, "kind": "measure", "measure": "huishang_service_card", "aspect": "what"}
    status, body = call(assistant, "/decisions", decision)
    assert status == 200, body
    written = (workspace() / "data" / "nlu" / "reviewed.yml").read_text(encoding="utf-8")
    assert f"- {text}" in written and f"measure by {MAINTAINER}" in written and "aspect what" in written
    log = [json.loads(line) for line in (workspace() / "reviews" / "decisions.jsonl").read_text().splitlines()]
    assert log[-1]["by"] == MAINTAINER and log[-1]["intent"] == "measure_huishang_service_card"
    assert all(item["text"] != text for item in call(assistant, "/inbox")[1]["items"])
    # The checkout's own training data is untouched: decisions go to the workspace.
    assert not (Path(__file__).resolve().parent.parent / "data" / "nlu" / "reviewed.yml").exists()


@pytest.mark.parametrize(
    "decision, problem",
    [
        ({"text": "徽商服务卡有什么用", "kind": "measure", "measure": "huishang_service_card"},
         "already a training example"),
        ({"text": "徽商服务卡有什么用", "kind": "out_of_scope"}, "a conflict"),
        ({"text": "省里的创业创新示范基地一年认定几家！", "kind": "measure", "measure": "innovation_incubation"},
         "near copy"),
        ({"text": "食堂几点开门呀", "kind": "measure", "measure": "canteen"}, "no measure"),
        ({"text": "食堂几点开门呀", "kind": "chitchat", "intent": "sing"}, "chit-chat"),
        ({"text": "哪个部门发的文件呀", "kind": "new_faq",
          "entry": {"key": "issuing_office_again", "questions": ["哪个部门发的文件呀", "谁印发的", "发文单位"],
                    "answer": "安徽省经济和信息化厅。", "citations": [99]}}, "no measure 99"),
    ],
)  # fmt: skip
def test_decisions_that_fail_a_check_are_refused_and_nothing_is_written(
    assistant: AssistantClient, decision: Dict, problem: str
) -> None:
    files = [workspace() / "data" / "nlu" / "reviewed.yml", workspace() / "knowledge" / "data" / "faq.yaml"]
    before = [path.read_bytes() if path.exists() else None for path in files]
    status, body = call(assistant, "/decisions", decision)
    assert status == 409 and any(problem in p for p in body["problems"]), body
    assert [path.read_bytes() if path.exists() else None for path in files] == before
