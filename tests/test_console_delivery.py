"""Staff replies and the hand-back notice reach the user on the user's own channel, through the staff
console of the running assistant: web chat (socket.io), WeChat (customer-service messages, against
the fake WeChat API), Telegram (the fake Bot API), and REST (cannot be pushed: said before staff type)."""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Tuple

import pytest

from bot.channels.channel_texts import channel_text
from bot.channels.wechat.customer_service import WINDOW_CLOSED
from tests.support.console_api import set_on_duty
from tests.support.fake_telegram_api import server_bot_api
from tests.support.wechat_messages import SERVER_SETTINGS, WeChatServerSimulator, server_wechat_api, text_xml
from tools.assistant_client import AssistantClient
from tools.socketio_client import SocketIOClient, new_session, until_card

pytestmark = pytest.mark.server


@pytest.fixture(autouse=True)
def staff_on_duty(assistant: AssistantClient):
    """A staff console is open (its heartbeat, docs/HOTLINE.md): 转人工 hands over instead of offering 12345."""
    set_on_duty(assistant, True)
    yield
    set_on_duty(assistant, False)


RESUMED = channel_text("common", "staff_resumed")
_msg_ids = itertools.count(int.from_bytes(secrets.token_bytes(4), "big") * 1000)
_chat_ids = itertools.count(int.from_bytes(secrets.token_bytes(3), "big") * 100 + 1)


def console(assistant: AssistantClient, path: str, body: Dict[str, Any] | None = None) -> Tuple[int, Dict[str, Any]]:
    url = f"{assistant.rasa_url}/console/api/conversations/{urllib.parse.quote(path, safe='/:')}"
    headers = {"Authorization": f"Bearer {assistant.console_token}", "Content-Type": "application/json"}
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method="GET" if data is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def staff_turns(assistant: AssistantClient, sender: str) -> list:
    status, conversation = console(assistant, sender)
    assert status == 200, conversation
    return [t for t in conversation["turns"] if t["from"] == "staff"]


def handed_over_events(at: float, channel: str = "wechat") -> list:
    """A user's 转人工 at ``at`` and the pause it caused, as Rasa's tracker API takes them."""
    parse_data = {"intent": {"name": "request_human", "confidence": 1.0}, "entities": []}
    return [{"event": "user", "text": "转人工", "timestamp": at, "input_channel": channel, "parse_data": parse_data},
            {"event": "pause", "timestamp": at}]  # fmt: skip


def hand_over(assistant: AssistantClient, sender: str, timeout: float = 90) -> None:
    """Wait until the user's 转人工 paused the conversation (a WeChat answer may come after the
    passive reply window), then check the console agrees."""
    deadline = time.monotonic() + timeout
    while True:
        status, conversation = console(assistant, sender)
        if status == 200 and conversation["paused"]:
            return
        assert time.monotonic() < deadline, conversation
        time.sleep(0.2)


# --- WeChat ----------------------------------------------------------------------------------------
def new_openid() -> str:
    return "o" + secrets.token_urlsafe(20)[:27]


@pytest.fixture
def wechat(assistant: AssistantClient) -> WeChatServerSimulator:
    return WeChatServerSimulator(f"{assistant.rasa_url}/webhooks/wechat/webhook", SERVER_SETTINGS)


def test_a_staff_reply_and_the_hand_back_reach_a_wechat_user(assistant: AssistantClient, wechat) -> None:
    openid, api = new_openid(), server_wechat_api()
    status, _ = wechat.post(text_xml(openid, "转人工", next(_msg_ids)))
    assert status == 200
    sender = f"wechat:{openid}"
    hand_over(assistant, sender)
    status, conversation = console(assistant, sender)
    assert conversation["delivery"] == {"channel": "wechat", "deliverable": True, "reason": None, "message": None}
    before = len(api.texts_to(openid))

    status, body = console(assistant, f"{sender}/messages", {"text": "您好，我是热线工作人员，请问您的企业在哪个市？"})
    assert status == 200 and body["sent"] is True, body
    staff_text = channel_text("wechat", "staff_reply", text="您好，我是热线工作人员，请问您的企业在哪个市？")
    assert api.wait_until(lambda: api.texts_to(openid)[before:])[-1] == staff_text
    assert [t["text"] for t in staff_turns(assistant, sender)] == ["您好，我是热线工作人员，请问您的企业在哪个市？"]

    status, body = console(assistant, f"{sender}/resume", {})
    assert status == 200 and body["delivery"]["delivered"] is True, body
    assert api.wait_until(lambda: RESUMED in api.texts_to(openid))


def test_a_wechat_user_silent_for_48_hours_is_flagged_before_staff_type(assistant: AssistantClient) -> None:
    openid = new_openid()
    sender = f"wechat:{openid}"
    old = time.time() - 49 * 3600
    assistant.append_events(sender, handed_over_events(old))
    status, conversation = console(assistant, sender)
    assert status == 200
    delivery = conversation["delivery"]
    assert delivery["deliverable"] is False and delivery["reason"] == "wechat_window_closed", delivery
    assert "48 小时" in delivery["message"]
    status, body = console(assistant, f"{sender}/messages", {"text": "您好"})
    assert status == 409 and "48 小时" in body["error"], body
    assert staff_turns(assistant, sender) == []  # nothing was sent, nothing pretends it was
    assert server_wechat_api().texts_to(openid) == []


def test_a_reply_wechat_refuses_is_reported_to_staff_and_kept_in_the_conversation(
    assistant: AssistantClient, wechat
) -> None:
    # (48001, the account lacking the API, is remembered for the whole account: tests/test_delivery.py.)
    openid, api = new_openid(), server_wechat_api()
    wechat.post(text_xml(openid, "转人工", next(_msg_ids)))
    sender = f"wechat:{openid}"
    hand_over(assistant, sender)
    api.refuse(openid, WINDOW_CLOSED)
    try:
        status, body = console(assistant, f"{sender}/messages", {"text": "您好，请问还在吗？"})
        assert status == 502 and body["sent"] is False and body["delivery"]["reason"] == "wechat_window_closed", body
        assert "48 小时" in body["error"]  # what the console shows staff
        [turn] = staff_turns(assistant, sender)
        assert turn["text"] == "您好，请问还在吗？" and turn["undelivered"] == "wechat_window_closed"
        # Said before the next reply is typed, until the user writes again.
        assert console(assistant, sender)[1]["delivery"]["reason"] == "wechat_window_closed"
    finally:
        api.refusals.pop(openid, None)
    wechat.post(text_xml(openid, "还在", next(_msg_ids)))
    assert console(assistant, sender)[1]["delivery"]["deliverable"] is True


# --- Telegram --------------------------------------------------------------------------------------
def test_a_staff_reply_and_the_hand_back_reach_a_telegram_chat(assistant: AssistantClient) -> None:
    chat_id, bot_api = next(_chat_ids), server_bot_api()
    sender = f"telegram:{chat_id}"
    assistant.ask_as(sender, "转人工", input_channel="telegram")
    hand_over(assistant, sender)
    assert console(assistant, sender)[1]["delivery"]["deliverable"] is True

    status, body = console(assistant, f"{sender}/messages", {"text": "您好，我是热线工作人员。"})
    assert status == 200 and body["sent"] is True, body
    assert [m["text"] for m in bot_api.sent_to(chat_id)] == [
        channel_text("telegram", "staff_reply", text="您好，我是热线工作人员。")
    ]
    status, body = console(assistant, f"{sender}/resume", {})
    assert status == 200 and body["delivery"]["delivered"] is True
    assert [m["text"] for m in bot_api.sent_to(chat_id)][-1] == RESUMED
    # The bot answers again.
    assert "第13条" in assistant.ask_as(sender, "徽商服务卡有什么用", input_channel="telegram").text


def test_a_telegram_user_who_blocked_the_bot_gets_the_failure_reported(assistant: AssistantClient) -> None:
    chat_id, bot_api = next(_chat_ids), server_bot_api()
    sender = f"telegram:{chat_id}"
    assistant.ask_as(sender, "转人工", input_channel="telegram")
    hand_over(assistant, sender)
    bot_api.blocked.add(chat_id)
    status, body = console(assistant, f"{sender}/messages", {"text": "您好"})
    assert status == 502 and body["delivery"]["reason"] == "telegram_blocked", body
    [turn] = staff_turns(assistant, sender)
    assert turn["undelivered"] == "telegram_blocked"


# --- REST ------------------------------------------------------------------------------------------
def test_a_rest_conversation_says_it_cannot_be_reached_before_staff_type(assistant: AssistantClient) -> None:
    sender = assistant.new_sender()
    assistant.ask(sender, "转人工")
    status, conversation = console(assistant, sender)
    assert conversation["delivery"]["deliverable"] is False and conversation["delivery"]["reason"] == "rest_cannot_push"
    status, body = console(assistant, f"{sender}/messages", {"text": "您好"})
    assert status == 409 and "REST" in body["error"]
    assert staff_turns(assistant, sender) == []


# --- web chat --------------------------------------------------------------------------------------
def test_a_staff_reply_and_the_hand_back_reach_the_web_chat_widget(assistant: AssistantClient) -> None:
    async def talk() -> list:
        widget = SocketIOClient(assistant.rasa_url)
        await widget.connect()
        try:
            session = await new_session(widget)
            await widget.emit("user_uttered", {"message": "转人工", "session_id": session})
            await until_card(widget, "handoff")
            status, conversation = await asyncio.to_thread(console, assistant, session)
            assert conversation["paused"] and conversation["delivery"]["deliverable"] is True
            status, body = await asyncio.to_thread(console, assistant, f"{session}/messages", {"text": "您好，我在。"})
            assert status == 200 and body["sent"] is True, body
            staff = await widget.next_event(30)
            await asyncio.to_thread(console, assistant, f"{session}/resume", {})
            resumed = await widget.next_event(30)
            return [staff, resumed]
        finally:
            await widget.close()

    staff, resumed = asyncio.run(talk())
    assert staff == ("bot_uttered", {"text": "您好，我在。", "staff": True})
    assert resumed == ("bot_uttered", {"text": RESUMED, "resumed": True})


# --- what the user hears while staff have the conversation ------------------------------------------
WITH_STAFF = channel_text("common", "with_staff")


def test_a_telegram_user_writing_while_staff_have_it_hears_so_and_staff_see_the_message(
    assistant: AssistantClient,
) -> None:
    sender = f"telegram:{next(_chat_ids)}"
    assistant.ask_as(sender, "徽商服务卡有什么用", input_channel="telegram")
    assert console(assistant, f"{sender}/pause", {})[0] == 200  # staff take over
    reply = assistant.ask_as(sender, "我想问一下贷款贴息", input_channel="telegram")
    assert reply.text == WITH_STAFF  # not the bridge's "no answer found"
    turns = console(assistant, sender)[1]["turns"]
    assert [t["text"] for t in turns if t["from"] == "user"][-1] == "我想问一下贷款贴息"


def test_a_wechat_user_writing_while_staff_have_it_hears_so(assistant: AssistantClient, wechat) -> None:
    from tests.support.wechat_messages import reply_text

    openid = new_openid()
    sender = f"wechat:{openid}"
    wechat.post(text_xml(openid, "徽商服务卡有什么用", next(_msg_ids)))
    assert console(assistant, f"{sender}/pause", {})[0] == 200
    status, body = wechat.post(text_xml(openid, "还在吗", next(_msg_ids)))
    api = server_wechat_api()
    assert status == 200
    # Passively, or (a busy machine, after the reply window) as a customer-service message.
    if body == "success" or reply_text(body) != WITH_STAFF:
        api.wait_until(lambda: WITH_STAFF in api.texts_to(openid))


def test_a_conversation_the_bot_answers_is_not_told_staff_have_it(assistant: AssistantClient) -> None:
    sender = f"telegram:{next(_chat_ids)}"
    assert WITH_STAFF not in assistant.ask_as(sender, "徽商服务卡有什么用", input_channel="telegram").text
