"""Answer feedback on the running assistant: ratings stored as events of the conversation, shown
in the staff console beside the answer, refused when malformed, and changing no answer that follows.
Telegram (the bridge against the fake Bot API) and WeChat (signed messages) each rate their way."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Dict, List, Tuple

import pytest

from bot.channels.channel_texts import channel_text
from bot.channels.feedback import refs_of_reply
from bot.channels.telegram.bridge import running_bridge
from bot.channels.telegram.settings import TelegramSettings
from tests.support.fake_telegram_api import FakeBotAPI
from tests.support.wechat_messages import SERVER_SETTINGS, WeChatServerSimulator, reply_text, text_xml
from tests.test_wechat_channel import _msg_ids, new_openid, what_the_user_sees
from tools.assistant_client import AssistantClient

pytestmark = pytest.mark.server

QUESTION = "徽商服务卡有什么用"
FOLLOW_UP = "那怎么申请"


def post_json(url: str, body: Any, headers: Dict[str, str] | None = None) -> Tuple[int, Dict[str, Any]]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def rate(assistant: AssistantClient, body: Any) -> Tuple[int, Dict[str, Any]]:
    return post_json(f"{assistant.rasa_url}/webhooks/feedback/ratings", body)


def ratings(assistant: AssistantClient, sender: str) -> List[Dict[str, Any]]:
    events = assistant.tracker(sender)["events"]
    return [e["data"]["answer_feedback"] for e in events if e["event"] == "agent"]


def console_turns(assistant: AssistantClient, sender: str) -> List[Dict[str, Any]]:
    request = urllib.request.Request(
        f"{assistant.rasa_url}/console/api/conversations/{sender}",
        headers={"Authorization": f"Bearer {assistant.console_token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())["turns"]


def test_a_rating_is_stored_in_the_conversation_and_shown_beside_the_answer(assistant: AssistantClient) -> None:
    sender = assistant.new_sender()
    reply = assistant.ask(sender, QUESTION)
    [ref] = refs_of_reply(reply.messages)
    assert rate(assistant, {"sender": sender, "answer_ref": ref, "rating": "not_useful"}) == (
        200, {"stored": True, "channel": "rest"})  # fmt: skip
    status, _ = rate(assistant, {"sender": sender, "answer_ref": ref, "rating": "not_useful",
                                 "reason": "incomplete", "comment": "没说去哪里办"})  # fmt: skip
    assert status == 200
    assert [(r["rating"], r.get("reason")) for r in ratings(assistant, sender)] == [
        ("not_useful", None), ("not_useful", "incomplete")]  # fmt: skip
    [answer] = [t for t in console_turns(assistant, sender) if t["from"] == "bot" and t["card_kind"] == "policy"]
    assert answer["feedback"]["label"] == "没用（信息不全：没说去哪里办）"
    assert answer["feedback"]["channel"] == "rest" and 13 in answer["citations"]


def test_a_rating_changes_nothing_the_assistant_answers_next(assistant: AssistantClient) -> None:
    rated, control = assistant.new_sender(), assistant.new_sender()
    [ref] = refs_of_reply(assistant.ask(rated, QUESTION).messages)
    assistant.ask(control, QUESTION)
    assert rate(assistant, {"sender": rated, "answer_ref": ref, "rating": "not_useful", "reason": "unclear"})[0] == 200
    # The follow-up still reads as a question about the measure under discussion (the context
    # slot and the dialogue state are untouched), word for word what the unrated conversation gets.
    after_rating, unrated = assistant.ask(rated, FOLLOW_UP), assistant.ask(control, FOLLOW_UP)

    def shown(reply):
        return [{k: v for k, v in m.items() if k != "recipient_id"} for m in reply.messages]

    assert shown(after_rating) == shown(unrated)
    assert after_rating.card is not None and after_rating.card["citations"] == [13]


@pytest.mark.parametrize(
    "body, status",
    [
        (b"not json", 400),
        ({"answer_ref": "0123abcd", "rating": "useful"}, 400),  # no sender
        ({"sender": "SENDER", "answer_ref": "0123abcd", "rating": "useful"}, 404),  # no such answer
        ({"sender": "SENDER", "answer_ref": "REF", "rating": "brilliant"}, 400),
        ({"sender": "SENDER", "answer_ref": "REF", "rating": "useful", "reason": "unclear"}, 400),
        ({"sender": "0123456789abcdef0123456789abcdef", "answer_ref": "REF", "rating": "useful"}, 403),  # web chat
    ],
)
def test_malformed_or_foreign_ratings_are_refused_and_nothing_is_stored(
    assistant: AssistantClient, body: Any, status: int
) -> None:
    sender = assistant.new_sender()
    [ref] = refs_of_reply(assistant.ask(sender, QUESTION).messages)
    if isinstance(body, dict):
        body = {k: {"SENDER": sender, "REF": ref}.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    assert rate(assistant, body)[0] == status
    assert ratings(assistant, sender) == []


@pytest.mark.asyncio
async def test_telegram_rates_with_inline_buttons_and_a_reason(assistant: AssistantClient) -> None:
    chat = 880101
    with FakeBotAPI() as api:
        settings = TelegramSettings(
            token=api.token,
            rasa_url=assistant.rasa_url,
            api_base_url=api.base_url,
            internal_token=assistant.internal_token,
        )
        async with running_bridge(settings, poll_timeout_s=1):
            api.push(api.text_update(chat, chat, QUESTION))
            [answer] = await api.wait_for(lambda: api.sent_to(chat), timeout=60)
            [rating_row] = answer["reply_markup"]["inline_keyboard"]
            assert [b["text"] for b in rating_row] == ["👍 有用", "👎 没用"]
            sent = api.sent_message("第13条")
            api.push(api.callback_update(chat, sent, rating_row[1]["callback_data"]))
            edit = await api.wait_for(lambda: api.calls_of("editMessageReplyMarkup"), timeout=30)
            reasons = [b for row in edit[-1]["reply_markup"]["inline_keyboard"] for b in row]
            assert [b["text"] for b in reasons] == ["答非所问", "信息不全", "看不懂", "其他"]
            api.push(api.callback_update(chat, sent, reasons[3]["callback_data"]))  # 其他 → say why
            await api.wait_for(lambda: len(api.sent_to(chat)) == 2, timeout=30)
            prompt = api.sent_message(channel_text("telegram", "feedback_comment_prompt"))
            assert api.sent_to(chat)[1]["reply_markup"]["force_reply"] is True
            api.push(api.text_update(chat, chat, "我想知道去哪个窗口办", reply_to=prompt))
            await api.wait_for(lambda: len(api.sent_to(chat)) == 3, timeout=30)
        answered = [c["text"] for c in api.calls_of("answerCallbackQuery")]
    assert api.sent_to(chat)[2]["text"] == channel_text("telegram", "feedback_reason_thanks")
    assert answered[0] == channel_text("telegram", "feedback_why")
    stored = ratings(assistant, f"telegram:{chat}")
    assert [(r["rating"], r.get("reason"), r.get("comment")) for r in stored] == [
        ("not_useful", None, None),
        ("not_useful", "other", None),
        ("not_useful", "other", "我想知道去哪个窗口办"),
    ]
    assert {r["channel"] for r in stored} == {"telegram"}
    # The comment was not a question: the conversation holds one user message.
    events = assistant.tracker(f"telegram:{chat}")["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == [QUESTION]


def test_wechat_rates_with_words_and_a_reason_letter(assistant: AssistantClient) -> None:
    wechat = WeChatServerSimulator(f"{assistant.rasa_url}/webhooks/wechat/webhook", SERVER_SETTINGS)
    openid = new_openid()
    _, body = wechat.post(text_xml(openid, QUESTION, next(_msg_ids)))
    what_the_user_sees(openid, body, ends_with=channel_text("wechat", "feedback_ask"))
    _, why = wechat.post(text_xml(openid, "没用", next(_msg_ids)))
    assert reply_text(why).startswith("谢谢反馈！方便的话回复字母说明原因：A 答非所问")
    _, thanks = wechat.post(text_xml(openid, "B 没说截止时间", next(_msg_ids)))
    assert reply_text(thanks) == channel_text("wechat", "feedback_reason_thanks")
    # A letter with no 没用 before it is a question again (here: not understood, not stored).
    wechat.post(text_xml(openid, "C", next(_msg_ids)))
    sender = f"wechat:{openid}"
    assert [(r["rating"], r.get("reason"), r.get("comment")) for r in ratings(assistant, sender)] == [
        ("not_useful", None, None), ("not_useful", "incomplete", "没说截止时间")]  # fmt: skip
    users = [e["text"] for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert users == [QUESTION, "C"]  # 没用 and the reason never reached the dialogue
