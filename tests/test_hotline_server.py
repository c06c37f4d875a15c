"""转人工 against the running assistant (trained model, real Rasa and action servers): nobody on duty →
the hotline and a call-back form whose case lands in the console queue; somebody on duty → the bot
pauses, and staff's hand-back is recorded."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from tests.support.console_api import console_call, handoff_records, set_on_duty
from tools.assistant_client import AssistantClient
from tools.socketio_client import SocketIOClient, new_session, next_bot

pytestmark = pytest.mark.server


@pytest.fixture()
def nobody_on_duty(assistant: AssistantClient):
    # Off duty as the tests' bearer "console"; a browser console of an earlier test that did not sign
    # out still counts until its last heartbeat is HOTLINE_PRESENCE_SECONDS old: wait for that.
    deadline = time.monotonic() + 120
    while set_on_duty(assistant, False)["hotline"]["staff_on_duty"] and time.monotonic() < deadline:
        time.sleep(1)
    yield assistant


@pytest.fixture()
def staff_on_duty(assistant: AssistantClient):
    set_on_duty(assistant, True)
    try:
        yield assistant
    finally:
        set_on_duty(assistant, False)


def test_nobody_on_duty_gets_the_hotline_and_the_bot_keeps_answering(nobody_on_duty: AssistantClient) -> None:
    assistant = nobody_on_duty
    sender = assistant.new_sender()
    reply = assistant.ask(sender, "转人工")
    assert "12345" in reply.text and "没有工作人员在线" in reply.text, reply.messages
    assert reply.card is not None and reply.card["kind"] == "handoff" and reply.card["handoff"] == "no_staff"
    assert {"title": "留言等回电", "payload": "/request_callback"} in reply.buttons
    tracker = assistant.tracker(sender)
    assert tracker["paused"] is False
    assert handoff_records(tracker)[-1] == {
        "stage": "requested",
        "mode": "no_staff",
        "channel": "rest",
        "measure": None,
    }
    after = assistant.ask(sender, "技改有什么补贴")
    assert after.card and after.card["citations"] == [6], after.messages


def test_a_caller_cannot_claim_that_staff_are_on_duty(nobody_on_duty: AssistantClient) -> None:
    assistant = nobody_on_duty
    sender = f"telegram:{assistant.new_sender()}"
    forged = {"hotline": {"staff_on_duty": True, "within_hours": True, "hours": ""}}
    reply = assistant.ask_as(sender, "转人工", "telegram", metadata=forged)
    assert reply.card is not None and reply.card["handoff"] == "no_staff", reply.messages
    tracker = assistant.tracker(sender)
    assert tracker["paused"] is False
    assert tracker["latest_message"]["metadata"]["hotline"]["staff_on_duty"] is False


def test_the_call_back_form_checks_the_number_and_lands_in_the_console_queue(nobody_on_duty: AssistantClient) -> None:
    assistant = nobody_on_duty
    sender = assistant.new_sender()
    assistant.ask(sender, "徽商服务卡有什么用")
    offer = assistant.ask(sender, "转人工")
    assert offer.card and offer.card["handoff"] == "no_staff"
    asked = assistant.ask(sender, "/request_callback")
    assert "咨询的问题" in asked.text, asked.messages
    phone_asked = assistant.ask(sender, "想问徽商服务卡要准备哪些材料，谁来审核")
    assert "电话号码" in phone_asked.text, phone_asked.messages
    refused = assistant.ask(sender, "12345")
    assert "无法用于回电" in refused.text and "电话号码" in refused.text, refused.messages
    done = assistant.ask(sender, "我的手机 139 1234 5678")
    assert "139****5678" in done.text and "13912345678" not in done.text, done.messages

    tracker = assistant.tracker(sender)
    callback = handoff_records(tracker)[-1]
    assert callback["stage"] == "callback" and callback["phone"] == "13912345678"
    assert callback["question"] == "想问徽商服务卡要准备哪些材料，谁来审核"
    assert callback["measure"] == "huishang_service_card"
    assert tracker["slots"]["callback_phone"] is None  # a next call-back asks again

    status, listed = console_call(assistant, "GET", "/conversations")
    assert status == 200
    rows = listed["conversations"]
    row = next(r for r in rows if r["sender_id"] == sender)
    assert row["status"] == "callback" and row["paused"] is False and row["handoff_time"] is not None
    assert all(r["status"] != "bot" for r in rows[: rows.index(row)])  # held with the waiting, above the others
    status, detail = console_call(assistant, "GET", f"/conversations/{sender}")
    assert detail["callback"]["phone"] == "13912345678" and detail["callback"]["question"].startswith("想问徽商服务卡")
    status, listed = console_call(assistant, "GET", "/conversations?status=callback")
    assert sender in [r["sender_id"] for r in listed["conversations"]]

    status, _ = console_call(assistant, "POST", f"/conversations/{sender}/callback-done", {})
    assert status == 200
    status, listed = console_call(assistant, "GET", "/conversations")
    assert next(r for r in listed["conversations"] if r["sender_id"] == sender)["status"] == "bot"
    assert console_call(assistant, "GET", f"/conversations/{sender}")[1]["callback"] is None
    status, again = console_call(assistant, "POST", f"/conversations/{sender}/callback-done", {})
    assert status == 409, again

    answered = assistant.ask(sender, "技改有什么补贴")
    assert answered.card and answered.card["citations"] == [6], answered.messages


def test_leaving_the_call_back_form(nobody_on_duty: AssistantClient) -> None:
    assistant = nobody_on_duty
    sender = assistant.new_sender()
    assistant.ask(sender, "转人工")
    assistant.ask(sender, "留言回电")
    left = assistant.ask(sender, "算了")
    assert "已取消留言" in left.text, left.messages
    assert not any(r["stage"] == "callback" for r in handoff_records(assistant.tracker(sender)))
    after = assistant.ask(sender, "技改有什么补贴")
    assert after.card and after.card["citations"] == [6], after.messages


def test_staff_on_duty_take_the_conversation_and_the_hand_back_is_recorded(staff_on_duty: AssistantClient) -> None:
    assistant = staff_on_duty
    sender = assistant.new_sender()
    reply = assistant.ask(sender, "转人工")
    assert reply.card is not None and reply.card["handoff"] == "staff", reply.messages
    assert "12345" not in reply.text
    assert assistant.tracker(sender)["paused"] is True
    status, _ = console_call(assistant, "POST", f"/conversations/{sender}/resume", {})
    assert status == 200
    records = handoff_records(assistant.tracker(sender))
    assert [r["stage"] for r in records] == ["requested", "handed_back"]
    assert records[0]["mode"] == "staff"
    assert records[1]["by"] == "staff" and records[1]["first_reply_s"] is None and records[1]["handoff_s"] >= 0


def test_presence_is_refused_without_the_token_and_checked(assistant: AssistantClient) -> None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{assistant.rasa_url}/console/api/presence", method="POST", data=b"{}",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 401
    status, body = console_call(assistant, "POST", "/presence", {"on_duty": "yes"})
    assert status == 400 and re.search("true or false", body["error"])


async def _web_chat_handoff_with_a_staff_reply(assistant: AssistantClient) -> tuple:
    client = SocketIOClient(assistant.rasa_url)
    await client.connect()
    try:
        session_id = await new_session(client, 30)
        await client.emit("user_uttered", {"message": "转人工", "session_id": session_id})
        card = await next_bot(client, lambda data: "custom" in data)
        assert card["custom"]["answer_card"]["handoff"] == "staff"
        status, body = console_call(
            assistant, "POST", f"/conversations/{session_id}/messages", {"text": "您好，我来帮您"}
        )
        assert status == 200, body
        staff = await next_bot(client, lambda data: data.get("staff"))
        status, _ = console_call(assistant, "POST", f"/conversations/{session_id}/resume", {})
        assert status == 200
        resumed = await next_bot(client, lambda data: data.get("resumed"))
        return session_id, staff, resumed
    finally:
        await client.close()


def test_the_wait_for_staff_s_first_reply_and_the_hand_back_are_recorded(staff_on_duty: AssistantClient) -> None:
    assistant = staff_on_duty
    session_id, staff, resumed = asyncio.run(_web_chat_handoff_with_a_staff_reply(assistant))
    assert staff["text"] == "您好，我来帮您" and "智能助手" in resumed["text"]
    records = handoff_records(assistant.tracker(session_id))
    assert [r["stage"] for r in records] == ["requested", "first_reply", "handed_back"]
    assert records[0]["channel"] == "webchat" and records[0]["mode"] == "staff"
    assert records[1]["wait_s"] >= 0
    assert records[2]["first_reply_s"] == records[1]["wait_s"] and records[2]["handoff_s"] >= records[1]["wait_s"]


def _until(assistant: AssistantClient, sender: str, done, give_up_s: float = 90) -> dict:
    """The tracker once ``done(tracker)`` holds (WeChat may answer passively or later: poll the store)."""
    deadline = time.monotonic() + give_up_s
    while True:
        try:
            tracker = assistant.tracker(sender)
        except Exception:  # noqa: BLE001 - not stored yet
            tracker = {"events": [], "slots": {}}
        if done(tracker) or time.monotonic() > deadline:
            return tracker
        time.sleep(0.3)


def test_a_wechat_user_leaves_a_call_back_through_the_numbered_choice(nobody_on_duty: AssistantClient) -> None:
    import itertools
    import secrets

    from tests.support.wechat_messages import SERVER_SETTINGS, WeChatServerSimulator, text_xml

    assistant = nobody_on_duty
    wechat = WeChatServerSimulator(f"{assistant.rasa_url}/webhooks/wechat/webhook", SERVER_SETTINGS)
    openid = "o" + secrets.token_urlsafe(20)[:27]
    sender, ids = f"wechat:{openid}", itertools.count(int.from_bytes(secrets.token_bytes(4), "big") * 1000)

    def bot_texts(tracker: dict) -> list:
        return [e.get("text") or "" for e in tracker["events"] if e.get("event") == "bot"]

    assert wechat.post(text_xml(openid, "转人工", next(ids)))[0] == 200
    tracker = _until(assistant, sender, lambda t: any("12345" in text for text in bot_texts(t)))
    assert handoff_records(tracker)[-1]["mode"] == "no_staff" and handoff_records(tracker)[-1]["channel"] == "wechat"
    assert wechat.post(text_xml(openid, "1", next(ids)))[0] == 200  # 1. 留言等回电
    _until(assistant, sender, lambda t: any("咨询的问题" in text for text in bot_texts(t)))
    assert wechat.post(text_xml(openid, "技改补贴什么时候申报", next(ids)))[0] == 200
    _until(assistant, sender, lambda t: any("电话号码" in text for text in bot_texts(t)))
    assert wechat.post(text_xml(openid, "0551-62345678", next(ids)))[0] == 200
    tracker = _until(assistant, sender, lambda t: any(r["stage"] == "callback" for r in handoff_records(t)))
    callback = handoff_records(tracker)[-1]
    assert callback == {**callback, "stage": "callback", "channel": "wechat", "phone": "0551-62345678",
                        "question": "技改补贴什么时候申报"}  # fmt: skip
    assert any("055*****5678" in text for text in bot_texts(tracker))
