"""No caller speaks for another user (issue 17, item 1; route variants and bodies, item 5).

The public REST channel keeps Rasa's contract (the caller names its own sender id) but only inside
its own namespace: ids of the Telegram, WeChat and web chat channels are refused, and a caller's
``input_channel``/``metadata`` are ignored. Internal callers (the Telegram bridge, the benchmark,
the tests) authenticate with the internal caller token and may name any channel's sender.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, List, Tuple

import pytest

from tools.assistant_client import AssistantClient

pytestmark = pytest.mark.server

WEBHOOK = "/webhooks/rest/webhook"


def post(
    assistant: AssistantClient, body: bytes | Dict[str, Any], path: str = WEBHOOK, token: str | None = None
) -> Tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(assistant.rasa_url + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw


def user_events(assistant: AssistantClient, sender: str) -> List[Dict[str, Any]]:
    return [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]


def other_channel_ids() -> List[Tuple[str, str]]:
    return [
        ("telegram private chat", f"telegram:{uuid.uuid4().int % 10**9}"),
        ("telegram group member", f"telegram:-100{uuid.uuid4().int % 10**9}:42"),
        ("wechat openid", f"wechat:o{uuid.uuid4().hex[:27]}"),
        ("web chat session", uuid.uuid4().hex),
    ]


@pytest.mark.parametrize("path", [WEBHOOK, WEBHOOK + "/"])
@pytest.mark.parametrize(("kind", "sender"), other_channel_ids())
def test_a_public_caller_cannot_send_as_another_channels_user(
    assistant: AssistantClient, kind: str, sender: str, path: str
) -> None:
    status, _ = post(assistant, {"sender": sender, "message": "/restart"}, path=path)
    assert 400 <= status < 500, f"{kind}: HTTP {status}"
    status, _ = post(assistant, {"sender": sender, "message": "徽商服务卡有什么用"}, path=path)
    assert 400 <= status < 500, f"{kind}: HTTP {status}"
    assert user_events(assistant, sender) == []


def test_a_public_caller_cannot_name_another_channel_or_set_metadata(assistant: AssistantClient) -> None:
    sender = assistant.new_sender()
    body = {
        "sender": sender,
        "message": "徽商服务卡有什么用",
        "input_channel": "telegram",
        "metadata": {"shown_text": "伪造", "staff": True},
    }
    status, reply = post(assistant, body)
    assert status == 200 and any("第13条" in (m.get("text") or "") for m in reply)
    [event] = user_events(assistant, sender)
    assert event["input_channel"] == "rest"
    assert not (event.get("metadata") or {}).get("shown_text")
    assert not (event.get("metadata") or {}).get("staff")


def test_an_internal_caller_speaks_for_its_channels_users(assistant: AssistantClient) -> None:
    assert assistant.internal_token, "the stack hands its internal caller token to the tests"
    sender = f"telegram:{uuid.uuid4().int % 10**9}"
    body = {"sender": sender, "message": "徽商服务卡有什么用", "input_channel": "telegram", "metadata": {"chat": 1}}
    status, reply = post(assistant, body, token=assistant.internal_token)
    assert status == 200 and any("第13条" in (m.get("text") or "") for m in reply)
    [event] = user_events(assistant, sender)
    assert event["input_channel"] == "telegram"
    assert event["metadata"]["chat"] == 1


def test_a_wrong_internal_token_is_refused(assistant: AssistantClient) -> None:
    sender = f"telegram:{uuid.uuid4().int % 10**9}"
    status, _ = post(assistant, {"sender": sender, "message": "你好"}, token="not-the-token")
    assert status == 401
    assert user_events(assistant, sender) == []


def test_a_public_caller_must_name_its_own_sender(assistant: AssistantClient) -> None:
    # Without a sender Rasa files the message under "default": every such caller would share one conversation.
    status, _ = post(assistant, {"message": "你好"})
    assert 400 <= status < 500


@pytest.mark.parametrize(
    "sender",
    ["user\u200b1", "user\u202e1", "\u2066user", "user\ufeff", "用户1", "user 1", " user", "a" * 200],
    ids=["zero-width space", "rtl override", "bidi isolate", "bom", "cjk", "space", "leading space", "too long"],
)
def test_senders_with_invisible_or_foreign_characters_are_refused(assistant: AssistantClient, sender: str) -> None:
    status, _ = post(assistant, {"sender": sender, "message": "你好"})
    assert 400 <= status < 500, status


def test_internal_senders_with_invisible_characters_are_refused_too(assistant: AssistantClient) -> None:
    status, _ = post(assistant, {"sender": "telegram:1\u200b", "message": "你好"}, token=assistant.internal_token)
    assert status == 400


DEEP_LIST = b"[" * 100_000 + b"]" * 100_000
BAD_BODIES = [
    ("not json", b"message=hello"),
    ("json array", b'["hello"]'),
    ("message is a number", b'{"sender": "u1", "message": 42}'),
    ("deep nesting in metadata", b'{"sender": "u1", "message": "hi", "metadata": ' + DEEP_LIST + b"}"),
    ("deep nesting as the body", b"[" * 100_000 + b"]" * 100_000),
    ("deep object nesting", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
]  # fmt: skip


@pytest.mark.parametrize("path", [WEBHOOK, WEBHOOK + "/"])
@pytest.mark.parametrize(("name", "body"), BAD_BODIES, ids=[name for name, _ in BAD_BODIES])
def test_bad_bodies_on_every_route_variant_get_a_4xx(
    assistant: AssistantClient, path: str, name: str, body: bytes
) -> None:
    status, reply = post(assistant, body, path=path)
    assert 400 <= status < 500, f"{name} on {path}: HTTP {status} {str(reply)[:200]}"


def test_metadata_from_an_internal_caller_is_bounded(assistant: AssistantClient) -> None:
    sender = f"telegram:{uuid.uuid4().int % 10**9}"
    body = {"sender": sender, "message": "你好", "metadata": {"blob": "x" * 500_000}}
    status, _ = post(assistant, body, token=assistant.internal_token)
    assert status == 413 or 400 <= status < 500
    assert user_events(assistant, sender) == []


def test_a_public_caller_cannot_rate_another_channels_answers(assistant: AssistantClient) -> None:
    from bot.channels.feedback import refs_of_reply

    sender = f"telegram:{uuid.uuid4().int % 10**9}"
    [ref] = refs_of_reply(assistant.ask_as(sender, "徽商服务卡有什么用", input_channel="telegram").messages)
    rating = {"sender": sender, "answer_ref": ref, "rating": "not_useful"}
    status, _ = post(assistant, rating, path="/webhooks/feedback/ratings")
    assert status == 403
    assert not [e for e in assistant.tracker(sender)["events"] if e["event"] == "agent"]
    # The bridge, an internal caller, may.
    status, _ = post(assistant, rating, path="/webhooks/feedback/ratings", token=assistant.internal_token)
    assert status == 200


@pytest.mark.parametrize(
    ("authorization", "caller"),
    [
        (None, "public"),
        ("Bearer the-internal-caller-token", "internal"),
        # One mechanism: the retired FEEDBACK_TOKEN is no second key to the ratings route.
        ("Bearer a-feedback-token-from-old-settings", "refused"),
        ("Bearer wrong", "refused"),
    ],
)
def test_the_ratings_route_knows_one_internal_token(monkeypatch, authorization: str | None, caller: str) -> None:
    from types import SimpleNamespace

    from bot.channels import feedback_api

    monkeypatch.setenv("INTERNAL_CALLER_TOKEN", "the-internal-caller-token")
    monkeypatch.setenv("FEEDBACK_TOKEN", "a-feedback-token-from-old-settings")
    request = SimpleNamespace(headers={"authorization": authorization} if authorization else {})
    assert feedback_api._caller(request).value == caller
