"""A message the proxy hands on to another replica after a failure is not run twice
(bot/channels/rest/deliveries.py): the running assistant, one message delivered twice under the
request id nginx gives it. tests/test_nginx_front.py shows nginx keeping that id on its retries."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any, List

import pytest

from bot.channels.channel_texts import channel_text
from bot.channels.rest.deliveries import Deliveries
from tools.assistant_client import AssistantClient

pytestmark = pytest.mark.server


def deliver(assistant: AssistantClient, sender: str, text: str, request_id: str | None) -> List[Any]:
    headers = {"Content-Type": "application/json", **({"X-Request-ID": request_id} if request_id else {})}
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{assistant.rasa_url}/webhooks/rest/webhook", data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def user_texts(assistant: AssistantClient, sender: str) -> List[str]:
    return [e["text"] for e in assistant.tracker(sender)["events"] if e["event"] == "user"]


def test_a_message_delivered_again_under_its_request_id_runs_once(assistant: AssistantClient) -> None:
    sender, request_id = assistant.new_sender(), uuid.uuid4().hex
    first = deliver(assistant, sender, "徽商服务卡有什么用", request_id)
    assert any("第13条" in (m.get("text") or "") for m in first)
    again = deliver(assistant, sender, "徽商服务卡有什么用", request_id)
    assert [m.get("text") for m in again] == [channel_text("rest", "interrupted")]
    assert user_texts(assistant, sender) == ["徽商服务卡有什么用"]
    # Without the header (no proxy in front), or under a new id, every message runs.
    deliver(assistant, sender, "那谁能办？", None)
    deliver(assistant, sender, "那谁能办？", None)
    deliver(assistant, sender, "那怎么办理？", uuid.uuid4().hex)
    assert user_texts(assistant, sender) == ["徽商服务卡有什么用", "那谁能办？", "那谁能办？", "那怎么办理？"]


def test_claims_are_shared_through_redis_by_every_replica(redis_key_prefix: str) -> None:
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/1")
    replica_a, replica_b = Deliveries(client, redis_key_prefix), Deliveries(client, redis_key_prefix)
    request_id = uuid.uuid4().hex
    assert replica_a.first_delivery(request_id)
    assert not replica_b.first_delivery(request_id) and not replica_a.first_delivery(request_id)
    assert replica_b.first_delivery(uuid.uuid4().hex)
    assert replica_a.first_delivery("not an id!") and replica_a.first_delivery("not an id!")  # ignored
