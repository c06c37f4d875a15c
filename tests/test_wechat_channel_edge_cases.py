"""The WeChat channel in a real Sanic server, registered the way Rasa registers channels, with a
scripted assistant standing in for Rasa's message processor: for what the real assistant cannot
be steered into (slow answers, buttons, very long answers, failures) and settings other than the
shared test server's (unconfigured, no customer-service API).
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Dict, List

import pytest
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from bot.channels.wechat.channel import WeChatInput
from bot.channels.wechat.render import MAX_TEXT_BYTES
from bot.processes.ports import free_port
from tests.support.fake_wechat_api import FakeWeChatAPI
from tests.support.wechat_messages import WeChatServerSimulator, WeChatTestSettings, reply_text, text_xml

OPENID = "oTESTopenid0000000000000001"
CARD = {"answer_card": {"kind": "eligibility", "citations": [10], "verdict": "need_info"}}
CREDIT = '/inform{"counter_guarantee": "credit"}'
MORTGAGE = '/inform{"counter_guarantee": "mortgage"}'
_msg_ids = itertools.count(1)


@dataclass
class ScriptedAssistant:
    """Stands in for Rasa's agent: answers from a script, optionally slowly, and records what it got."""

    delay_s: float = 0
    fail: bool = False
    long_text: str | None = None
    received: List[tuple] = field(default_factory=list)
    answered: int = 0

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append((message.sender_id, message.text, message.input_channel))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        self.answered += 1
        if self.fail:
            raise RuntimeError("the action server is down")
        out, recipient = message.output_channel, message.sender_id
        if self.long_text is not None:
            await out.send_response(recipient, {"text": self.long_text})
        elif message.text.startswith("/inform"):
            await out.send_response(recipient, {"text": f"已记录：{message.text}（第10条）"})
        else:
            buttons = [{"title": "信用", "payload": CREDIT}, {"title": "抵押", "payload": MORTGAGE}]
            await out.send_response(recipient, {"text": "担保费补助（第10条）：您的反担保措施是？", "buttons": buttons})
        await out.send_response(recipient, {"custom": CARD})


@pytest.fixture
def settings() -> WeChatTestSettings:
    return WeChatTestSettings.generate()


@pytest.fixture
def wechat_api(settings: WeChatTestSettings):
    api = FakeWeChatAPI(settings.app_id, settings.app_secret).start()
    yield api
    api.stop()


@asynccontextmanager
async def channel_server(env: Dict[str, str], assistant: ScriptedAssistant, monkeypatch) -> AsyncIterator[str]:
    """A Sanic server with the WeChat channel (settings from ``env`` only); yields the webhook URL."""
    for name in ["WECHAT_TOKEN", "WECHAT_APPID", "WECHAT_APP_SECRET", "WECHAT_ENCODING_AES_KEY",
                 "WECHAT_API_BASE_URL", "WECHAT_REPLY_WINDOW_S"]:  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(Sanic, "test_mode", True)  # several Sanic apps in one process, one after another
    app = Sanic(f"wechat_test_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = assistant
    register([WeChatInput.from_credentials(None)], app, "/webhooks/")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    try:
        yield f"http://127.0.0.1:{port}/webhooks/wechat/webhook"
    finally:
        server.close()
        await server.wait_closed()


async def post(wechat: WeChatServerSimulator, xml: str, **kwargs: Any) -> tuple:
    return await asyncio.to_thread(wechat.post, xml, **kwargs)


@pytest.mark.asyncio
async def test_unconfigured_channel_answers_503_and_says_what_to_set(settings, monkeypatch) -> None:
    async with channel_server({}, ScriptedAssistant(), monkeypatch) as url:
        wechat = WeChatServerSimulator(url, settings)
        verification = await asyncio.to_thread(wechat.verify, "x")
        for status, body in [verification, await post(wechat, text_xml(OPENID, "你好", 1))]:
            assert status == 503
            assert "WECHAT_TOKEN" in body and "WECHAT_APPID" in body


@pytest.mark.asyncio
async def test_slow_answer_goes_out_through_the_customer_service_api(settings, wechat_api, monkeypatch) -> None:
    env = {**settings.env(wechat_api.base_url), "WECHAT_REPLY_WINDOW_S": "0.5"}
    # The answer takes far longer than the window: WeChat got "success" while it was still being worked out.
    assistant = ScriptedAssistant(delay_s=6)
    async with channel_server(env, assistant, monkeypatch) as url:
        wechat = WeChatServerSimulator(url, settings)
        status, body = await post(wechat, text_xml(OPENID, "担保费补助能拿吗", next(_msg_ids)), encrypted=True)
        answered_before_the_answer = assistant.answered == 0
        [sent] = await asyncio.to_thread(wechat_api.wait_until, lambda: wechat_api.texts_to(OPENID))
    assert (status, body) == (200, "success")  # inside the window: "no passive reply, do not retry"
    assert answered_before_the_answer  # (how fast the passive reply is: make bench, not this test)
    assert sent.startswith("担保费补助（第10条）") and "📄 依据：第10条｜结论：还需补充信息" in sent
    assert wechat_api.token_requests == 1  # the access token came from WECHAT_API_BASE_URL with our app id


@pytest.mark.asyncio
async def test_retries_of_a_slow_message_are_processed_once(settings, wechat_api, monkeypatch) -> None:
    env = {**settings.env(wechat_api.base_url), "WECHAT_REPLY_WINDOW_S": "0.3"}
    assistant = ScriptedAssistant(delay_s=1.0)
    async with channel_server(env, assistant, monkeypatch) as url:
        wechat = WeChatServerSimulator(url, settings)
        xml = text_xml(OPENID, "担保费补助能拿吗", next(_msg_ids))
        replies = await asyncio.gather(*(post(wechat, xml) for _ in range(3)))
        await asyncio.to_thread(wechat_api.wait_until, lambda: wechat_api.texts_to(OPENID))
        await asyncio.sleep(1.5)  # time for any duplicate to show up
        replies.append(await post(wechat, xml))
    assert set(replies) == {(200, "success")}
    assert len(assistant.received) == 1
    assert len(wechat_api.texts_to(OPENID)) == 1


@pytest.mark.asyncio
async def test_buttons_become_numbered_choices_a_user_answers_by_typing(settings, wechat_api, monkeypatch) -> None:
    assistant = ScriptedAssistant()
    async with channel_server(settings.env(wechat_api.base_url), assistant, monkeypatch) as url:
        wechat = WeChatServerSimulator(url, settings)
        _, question = await post(wechat, text_xml(OPENID, "担保费补助能拿吗", next(_msg_ids)))
        _, chose_second = await post(wechat, text_xml(OPENID, "２", next(_msg_ids)))  # a full-width 2
        await post(wechat, text_xml(OPENID, "担保费补助能拿吗", next(_msg_ids)))
        await post(wechat, text_xml(OPENID, "信用", next(_msg_ids)))  # the title typed out
        await post(wechat, text_xml(OPENID, "担保费补助能拿吗", next(_msg_ids)))
        await post(wechat, text_xml(OPENID, "9", next(_msg_ids)))  # no such choice: just text
    assert reply_text(question) == "\n\n".join(
        [
            "担保费补助（第10条）：您的反担保措施是？",
            "📄 依据：第10条｜结论：还需补充信息",
            "回复数字选择：\n1. 信用\n2. 抵押",
        ]
    )
    assert reply_text(chose_second).startswith(f"已记录：{MORTGAGE}")
    assert [text for _, text, _ in assistant.received] == [
        "担保费补助能拿吗", MORTGAGE, "担保费补助能拿吗", CREDIT, "担保费补助能拿吗", "9"
    ]  # fmt: skip
    assert {sender for sender, _, _ in assistant.received} == {f"wechat:{OPENID}"}
    assert {channel for _, _, channel in assistant.received} == {"wechat"}


@pytest.mark.asyncio
async def test_long_answers_are_split_under_wechats_limit(settings, wechat_api, monkeypatch) -> None:
    paragraph = "第10条：" + "对符合条件的融资担保机构给予担保费补助，具体以政策原文为准。" * 12
    long_text = "\n\n".join([paragraph] * 10)
    assistant = ScriptedAssistant(long_text=long_text)
    async with channel_server(settings.env(wechat_api.base_url), assistant, monkeypatch) as url:
        wechat = WeChatServerSimulator(url, settings)
        _, body = await post(wechat, text_xml(OPENID, "详细说说", next(_msg_ids)), encrypted=True)
        first = reply_text(body)
        rest = await asyncio.to_thread(
            wechat_api.wait_until, lambda: (t := wechat_api.texts_to(OPENID)) and t[-1].endswith("还需补充信息") and t
        )
    pieces = [first] + rest
    assert len(pieces) >= 3
    assert all(len(piece.encode("utf-8")) <= MAX_TEXT_BYTES for piece in pieces)
    footer = "📄 依据：第10条｜结论：还需补充信息"
    assert "".join(pieces).replace("\n", "") == (long_text + footer).replace("\n", "")


@pytest.mark.asyncio
async def test_assistant_failure_gets_a_polite_reply(settings, wechat_api, monkeypatch) -> None:
    async with channel_server(settings.env(wechat_api.base_url), ScriptedAssistant(fail=True), monkeypatch) as url:
        status, body = await post(WeChatServerSimulator(url, settings), text_xml(OPENID, "你好", next(_msg_ids)))
    assert status == 200
    assert reply_text(body) == "抱歉，政策助手暂时无法回答，请稍后再试。您的问题没有丢失，稍后重新发送即可。"


@pytest.mark.asyncio
async def test_slow_answer_without_customer_service_api_says_to_ask_again(settings, monkeypatch) -> None:
    env = {"WECHAT_TOKEN": settings.token, "WECHAT_REPLY_WINDOW_S": "0.3"}
    async with channel_server(env, ScriptedAssistant(delay_s=1.0), monkeypatch) as url:
        wechat = WeChatServerSimulator(url, settings, safe_mode=False)
        status, body = await post(wechat, text_xml(OPENID, "你好", next(_msg_ids)))
    assert status == 200
    assert reply_text(body) == "这个问题需要多一点时间，请稍等片刻后再发送一次。"


@pytest.mark.asyncio
async def test_bad_requests_get_clean_4xx_and_reach_nobody(settings, wechat_api, monkeypatch) -> None:
    assistant = ScriptedAssistant()
    async with channel_server(settings.env(wechat_api.base_url), assistant, monkeypatch) as url:
        wechat = WeChatServerSimulator(url, settings)
        assert (await post(wechat, "<xml><oops"))[0] == 400
        assert (await post(wechat, "x" * (70 * 1024)))[0] == 413
        stale = wechat.signed_query(timestamp=int(time.time()) - 3600)  # a replayed old request
        status, _ = await asyncio.to_thread(wechat._request, "POST", stale, text_xml(OPENID, "你好", 99).encode())
        assert status == 403
        status, _ = await asyncio.to_thread(wechat._request, "POST", {}, text_xml(OPENID, "你好", 98).encode())
        assert status == 403
    assert assistant.received == []


# --- issue 17: replays, plaintext in safe mode, hostile choices and ids, one access token --------


@pytest.mark.asyncio
async def test_a_replayed_signed_url_with_another_body_is_refused(settings, wechat_api, monkeypatch) -> None:
    """The URL signature covers only token, timestamp and nonce: without a nonce cache, one signed URL
    carries any body (any OpenID) for as long as the timestamp is accepted."""
    assistant = ScriptedAssistant()
    env = {"WECHAT_TOKEN": settings.token}  # plain mode: the body itself is not signed
    async with channel_server(env, assistant, monkeypatch) as url:
        wechat = WeChatServerSimulator(url, settings, safe_mode=False)
        query = wechat.signed_query()
        first = text_xml(OPENID, "担保费补助能拿吗", next(_msg_ids)).encode()
        forged = text_xml("oATTACKERchosenopenid000000", "/restart", next(_msg_ids)).encode()
        assert (await asyncio.to_thread(wechat._request, "POST", query, first))[0] == 200
        assert (await asyncio.to_thread(wechat._request, "POST", query, forged))[0] == 403
        # WeChat retrying the very same delivery is not a replay: it gets the same answer.
        assert (await asyncio.to_thread(wechat._request, "POST", query, first))[0] == 200
    assert [text for _, text, _ in assistant.received] == ["担保费补助能拿吗"]


def test_signatures_are_accepted_only_for_a_short_window() -> None:
    from bot.channels.wechat.webhook import MAX_CLOCK_SKEW_S

    assert MAX_CLOCK_SKEW_S <= 120


@pytest.mark.asyncio
async def test_plaintext_is_refused_while_safe_mode_is_configured(settings, wechat_api, monkeypatch) -> None:
    assistant = ScriptedAssistant()
    async with channel_server(settings.env(wechat_api.base_url), assistant, monkeypatch) as url:
        wechat = WeChatServerSimulator(url, settings)
        status, _ = await post(wechat, text_xml(OPENID, "你好", next(_msg_ids)), encrypted=False)
        assert status == 403
        status, body = await post(wechat, text_xml(OPENID, "你好", next(_msg_ids)), encrypted=True)
        assert status == 200 and reply_text(body)
    assert [text for _, text, _ in assistant.received] == ["你好"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "typed", ["፩", "1" * 5000, "0", "-1", "3"], ids=["ethiopic", "5000-digits", "zero", "minus", "3"]
)
async def test_odd_numbers_typed_for_a_choice_are_just_text(settings, wechat_api, monkeypatch, typed: str) -> None:
    assistant = ScriptedAssistant()
    async with channel_server(settings.env(wechat_api.base_url), assistant, monkeypatch) as url:
        wechat = WeChatServerSimulator(url, settings)
        await post(wechat, text_xml(OPENID, "担保费补助能拿吗", next(_msg_ids)))  # offers two choices
        status, body = await post(wechat, text_xml(OPENID, typed, next(_msg_ids)))
    assert status == 200 and reply_text(body)
    assert assistant.received[-1][1] not in (CREDIT, MORTGAGE)


@pytest.mark.asyncio
@pytest.mark.parametrize("msg_id", ["abc", "1e5", "", "9" * 5000], ids=["letters", "float", "empty", "5000-digits"])
async def test_a_non_numeric_msgid_is_a_clean_4xx_or_an_answer(settings, wechat_api, monkeypatch, msg_id) -> None:
    assistant = ScriptedAssistant()
    async with channel_server(settings.env(wechat_api.base_url), assistant, monkeypatch) as url:
        wechat = WeChatServerSimulator(url, settings)
        xml = text_xml(OPENID, "你好", 1).replace("<MsgId>1</MsgId>", f"<MsgId>{msg_id}</MsgId>")
        statuses = [(await post(wechat, xml))[0] for _ in range(3)]  # WeChat's three retries
    assert all(status < 500 for status in statuses), statuses
    assert len(assistant.received) <= 1


def test_replicas_share_one_access_token_through_redis(settings, wechat_api, redis_key_prefix) -> None:
    """WeChat allows one valid access token per account: each replica fetching its own invalidates the others'."""
    from bot.channels.wechat.customer_service import CustomerServiceSender

    redis_url = "redis://127.0.0.1:6379/1"
    replicas = [
        CustomerServiceSender(
            settings.app_id, settings.app_secret, wechat_api.base_url, redis_url=redis_url, key_prefix=redis_key_prefix
        )
        for _ in range(3)
    ]
    for number, replica in enumerate(replicas):
        assert asyncio.run(replica.send_texts(OPENID, [f"第{number}条消息"])) == []
    assert wechat_api.token_requests == 1
    assert len(wechat_api.texts_to(OPENID)) == 3
