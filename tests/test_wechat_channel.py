"""The WeChat Official Account channel on the running assistant, fed messages signed and encrypted
with wechatpy's own crypto, as WeChat's servers send them."""

from __future__ import annotations

import itertools
import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import List

import pytest

from bot.channels.channel_texts import channel_text
from bot.channels.reply_text import card_footer
from bot.channels.wechat.render import MAX_TEXT_BYTES
from tests.support.wechat_messages import (
    ACCOUNT,
    SERVER_SETTINGS,
    WeChatServerSimulator,
    event_xml,
    image_xml,
    reply_text,
    server_wechat_api,
    text_xml,
)
from tools.assistant_client import AssistantClient

pytestmark = pytest.mark.server

QUESTION = "徽商服务卡有什么用"
RATING_LINE = channel_text("wechat", "feedback_ask")  # under every answer that can be rated
_msg_ids = itertools.count(int.from_bytes(secrets.token_bytes(4), "big") * 1000)


@pytest.fixture
def wechat(assistant: AssistantClient) -> WeChatServerSimulator:
    return WeChatServerSimulator(f"{assistant.rasa_url}/webhooks/wechat/webhook", SERVER_SETTINGS)


def new_openid() -> str:
    return "o" + secrets.token_urlsafe(20)[:27]  # 28 characters, like a real OpenID


def user_texts(assistant: AssistantClient, openid: str) -> list:
    return [e["text"] for e in assistant.tracker(f"wechat:{openid}")["events"] if e["event"] == "user"]


def what_the_user_sees(openid: str, body: str, ends_with: str = "") -> List[str]:
    """The passive reply, plus what follows through the customer-service API when the answer was
    slower than the reply window (a busy machine) or longer than one WeChat text."""
    pieces = [] if body == "success" else [reply_text(body)]
    if not pieces or not pieces[-1].endswith(ends_with):
        api = server_wechat_api()
        pieces += api.wait_until(lambda: (t := api.texts_to(openid)) and t[-1].endswith(ends_with) and t)
    return pieces


def expected_text(assistant: AssistantClient, question: str) -> str:
    """What the REST channel answers (text + card), as one WeChat text: the same answer, then the
    invitation to rate it."""
    rest = assistant.ask(assistant.new_sender(), question)
    texts = [m["text"] for m in rest.messages if m.get("text")]
    assert rest.card is not None
    return "\n\n".join(texts + [card_footer(rest.card), RATING_LINE])


def test_server_verification_echoes_only_for_our_token(wechat: WeChatServerSimulator) -> None:
    assert wechat.verify("echo-123") == (200, "echo-123")
    assert wechat.verify("echo-123", token="not-our-token")[0] == 403


def test_text_question_gets_the_same_answer_with_citation_line(
    assistant: AssistantClient, wechat: WeChatServerSimulator
) -> None:
    openid = new_openid()
    status, body = wechat.post(text_xml(openid, QUESTION, next(_msg_ids)))  # safe mode: encrypted
    assert status == 200
    if body != "success":
        assert "<ToUserName><![CDATA[" + openid in body and ACCOUNT in body
    expected = expected_text(assistant, QUESTION)
    assert expected.endswith(f"📄 依据：第13条\n\n{RATING_LINE}")
    seen = what_the_user_sees(openid, body, ends_with=RATING_LINE)
    assert all(len(piece.encode()) <= MAX_TEXT_BYTES for piece in seen)
    assert "".join("".join(seen).split()) == "".join(expected.split())  # cuts drop only whitespace
    if len(expected.encode()) <= MAX_TEXT_BYTES and body != "success":
        assert seen == [expected]  # one WeChat text, all in the passive reply
        assert server_wechat_api().texts_to(openid) == []
    assert user_texts(assistant, openid) == [QUESTION]
    tracker = assistant.tracker(f"wechat:{openid}")
    assert [e["input_channel"] for e in tracker["events"] if e["event"] == "user"] == ["wechat"]


def test_plaintext_is_refused_because_the_server_runs_in_safe_mode(
    assistant: AssistantClient, wechat: WeChatServerSimulator
) -> None:
    openid = new_openid()
    assert wechat.post(text_xml(openid, QUESTION, next(_msg_ids)), encrypted=False)[0] == 403
    assert user_texts(assistant, openid) == []


def test_one_openid_is_one_conversation(assistant: AssistantClient, wechat: WeChatServerSimulator) -> None:
    asker, stranger = new_openid(), new_openid()
    wechat.post(text_xml(asker, QUESTION, next(_msg_ids)))
    _, follow_up = wechat.post(text_xml(asker, "那谁能办？", next(_msg_ids)))
    _, out_of_context = wechat.post(text_xml(stranger, "那谁能办？", next(_msg_ids)))
    # The asker's context: the card asked about before.
    assert "第13条" in "".join(what_the_user_sees(asker, follow_up, ends_with=RATING_LINE))
    assert "第13条" not in "".join(what_the_user_sees(stranger, out_of_context))
    assert user_texts(assistant, asker) == [QUESTION, "那谁能办？"]
    assert user_texts(assistant, stranger) == ["那谁能办？"]


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "safe-mode"])
def test_bad_signature_is_refused_and_nothing_is_processed(
    assistant: AssistantClient, wechat: WeChatServerSimulator, encrypted: bool
) -> None:
    openid = new_openid()
    status, _ = wechat.post(text_xml(openid, QUESTION, next(_msg_ids)), encrypted=encrypted, token="forged")
    assert status == 403
    if encrypted:  # a valid URL signature, but the ciphertext signed by someone else
        status, _ = wechat.post(
            text_xml(openid, QUESTION, next(_msg_ids)), encrypted=True, msg_signature="0" * 40
        )  # fmt: skip
        assert status == 403
    assert user_texts(assistant, openid) == []


def test_retries_of_one_message_are_answered_once(assistant: AssistantClient, wechat: WeChatServerSimulator) -> None:
    openid, msg_id = new_openid(), next(_msg_ids)
    xml = text_xml(openid, QUESTION, msg_id)
    with ThreadPoolExecutor(max_workers=3) as pool:  # WeChat's three deliveries, overlapping
        replies = list(pool.map(lambda _: wechat.post(xml), range(3)))
    replies.append(wechat.post(xml))  # and one more after the answer is known
    assert {status for status, _ in replies} == {200}
    assert len({body if body == "success" else reply_text(body) for _, body in replies}) == 1
    assert "第13条" in "".join(what_the_user_sees(openid, replies[0][1], ends_with=RATING_LINE))
    assert user_texts(assistant, openid) == [QUESTION]


def test_subscribe_gets_a_welcome_and_unsubscribe_nothing(wechat: WeChatServerSimulator) -> None:
    openid = new_openid()
    status, body = wechat.post(event_xml(openid, "subscribe"), encrypted=True)
    assert status == 200 and "皖企政策助手" in reply_text(body)
    assert wechat.post(event_xml(openid, "unsubscribe")) == (200, "success")


def test_non_text_gets_a_clear_reply(assistant: AssistantClient, wechat: WeChatServerSimulator) -> None:
    openid = new_openid()
    status, body = wechat.post(image_xml(openid, next(_msg_ids)))
    assert status == 200
    assert "只能读懂文字消息" in reply_text(body)
    assert user_texts(assistant, openid) == []
