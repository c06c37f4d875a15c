"""The Telegram bridge (real python-telegram-bot Application) against a fake Bot API and a fake Rasa REST.

The fake Rasa lets each test choose what the assistant says (buttons, long texts, failures);
test_telegram_end_to_end.py runs the same bridge against the real assistant.
"""

from __future__ import annotations

import asyncio
import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

import pytest
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit
from telegram.ext import AIORateLimiter

from bot.channels.telegram.bridge import running_bridge
from bot.channels.telegram.settings import TelegramSettings, TelegramSettingsError
from bot.channels.telegram.update_processor import MAX_PENDING_PER_CONVERSATION
from bot.processes.ports import free_port
from bot.processes.servers import StartupError, start_telegram_bridge
from tests.support.fake_rasa_rest import FakeRasaRest
from tests.support.fake_telegram_api import BOT_USERNAME, FakeBotAPI

CHAT = 424242
USER = 424242
GROUP = -100777
SHORT_PAYLOAD = '/inform{"counter_guarantee": "credit"}'
LONG_PAYLOAD = '/inform{"counter_guarantee": "mortgage", "applicant_role": "guarantee_institution"}'
CARD = {"custom": {"answer_card": {"kind": "eligibility", "citations": [10], "verdict": "need_info"}}}


def question_with_buttons(body: Dict[str, Any]) -> List[Dict[str, Any]]:
    if body["message"].startswith("/inform"):
        return [{"text": f"好的，已记录：{body['message']}（第10条）"}, CARD]
    return [
        {
            "text": "担保费补助（第10条）：请问您的反担保措施是什么？",
            "buttons": [{"title": "信用", "payload": SHORT_PAYLOAD}, {"title": "抵押", "payload": LONG_PAYLOAD}],
        },
        CARD,
    ]


@pytest.fixture
def bot_api():
    with FakeBotAPI() as api:
        yield api


def settings(bot_api: FakeBotAPI, rasa_url: str, **extra: Any) -> TelegramSettings:
    return TelegramSettings(token=bot_api.token, rasa_url=rasa_url, api_base_url=bot_api.base_url, **extra)


@pytest.mark.asyncio
async def test_the_bridge_authenticates_as_an_internal_caller(bot_api: FakeBotAPI) -> None:
    # Only an internal caller may speak for telegram:<chat> (bot/channels/sender_ids.py).
    with FakeRasaRest() as rasa:
        env = {"TELEGRAM_BOT_TOKEN": bot_api.token, "RASA_URL": rasa.url, "TELEGRAM_API_BASE_URL": bot_api.base_url,
               "INTERNAL_CALLER_TOKEN": "the-internal-token"}  # fmt: skip
        async with running_bridge(TelegramSettings.from_env(env), poll_timeout_s=1):
            bot_api.push(bot_api.text_update(CHAT, USER, "你好"))
            await bot_api.wait_for(lambda: bot_api.sent_to(CHAT))
    assert rasa.authorizations == ["Bearer the-internal-token"]


@pytest.mark.asyncio
async def test_reply_renders_text_inline_keyboard_and_cited_footer(bot_api: FakeBotAPI) -> None:
    with FakeRasaRest(question_with_buttons) as rasa:
        async with running_bridge(settings(bot_api, rasa.url), poll_timeout_s=1) as application:
            assert isinstance(application.bot.rate_limiter, AIORateLimiter)
            bot_api.push(bot_api.text_update(CHAT, USER, "担保费补助能拿吗"))
            [sent] = await bot_api.wait_for(lambda: bot_api.sent_to(CHAT))
    assert rasa.requests[0]["sender"] == f"telegram:{CHAT}"
    assert rasa.requests[0]["input_channel"] == "telegram"
    assert sent["text"].startswith("担保费补助（第10条）")
    assert sent["text"].endswith("📄 依据：第10条｜结论：还需补充信息")
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["信用", "抵押"]
    assert keyboard[0][0]["callback_data"] == SHORT_PAYLOAD
    for row in keyboard:
        assert len(row[0]["callback_data"].encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
    assert {"chat_id": str(CHAT), "action": "typing"}.items() <= bot_api.calls_of("sendChatAction")[0].items()


@pytest.mark.asyncio
@pytest.mark.parametrize("title, payload", [("信用", SHORT_PAYLOAD), ("抵押", LONG_PAYLOAD)])
async def test_tapping_a_button_sends_its_payload(bot_api: FakeBotAPI, title: str, payload: str) -> None:
    with FakeRasaRest(question_with_buttons) as rasa:
        async with running_bridge(settings(bot_api, rasa.url), poll_timeout_s=1):
            bot_api.push(bot_api.text_update(CHAT, USER, "担保费补助能拿吗"))
            await bot_api.wait_for(lambda: bot_api.sent_to(CHAT))
            question = bot_api.sent_message("反担保措施")
            keyboard = question["reply_markup"]["inline_keyboard"]
            data = next(row[0]["callback_data"] for row in keyboard if row[0]["text"] == title)
            bot_api.push(bot_api.callback_update(USER, question, data))
            await bot_api.wait_for(lambda: len(bot_api.sent_to(CHAT)) == 2)
    assert rasa.messages() == ["担保费补助能拿吗", payload]
    assert rasa.senders() == [f"telegram:{CHAT}"] * 2
    [answered] = bot_api.calls_of("answerCallbackQuery")
    assert answered["text"] == f"已选择：{title}"
    assert bot_api.sent_to(CHAT)[1]["text"].startswith(f"好的，已记录：{payload}")


@pytest.mark.asyncio
async def test_one_conversation_per_private_chat_and_per_user_in_a_group(bot_api: FakeBotAPI) -> None:
    with FakeRasaRest() as rasa:
        async with running_bridge(settings(bot_api, rasa.url), poll_timeout_s=1):
            bot_api.push(bot_api.text_update(GROUP, 1, "大家好，有人知道徽商服务卡吗", chat_type="supergroup"))
            bot_api.push(bot_api.text_update(GROUP, 3, f"@{BOT_USERNAME}_fan 在吗", chat_type="supergroup"))
            bot_api.push(bot_api.text_update(GROUP, 1, f"@{BOT_USERNAME} 徽商服务卡谁能办", chat_type="supergroup"))
            bot_api.push(bot_api.text_update(GROUP, 2, f"@{BOT_USERNAME} 怎么办理", chat_type="supergroup"))
            bot_api.push(bot_api.text_update(CHAT, USER, "你好"))
            await bot_api.wait_for(lambda: len(bot_api.sent_to(GROUP)) == 2 and bot_api.sent_to(CHAT))
            reply_to_bot = {"message_id": 1, "date": 0, "chat": {"id": GROUP, "type": "supergroup"},
                            "from": FakeBotAPI.bot_user(), "text": "收到"}  # fmt: skip
            follow_up = bot_api.text_update(GROUP, 2, "那要准备什么材料", chat_type="supergroup", reply_to=reply_to_bot)
            bot_api.push(follow_up)
            await bot_api.wait_for(lambda: len(bot_api.sent_to(GROUP)) == 3)
    # The un-addressed group chatter reached nobody; the mention was stripped from the question.
    assert sorted(rasa.conversation()) == sorted(
        [
            (f"telegram:{GROUP}:1", "徽商服务卡谁能办"),
            (f"telegram:{GROUP}:2", "怎么办理"),
            (f"telegram:{CHAT}", "你好"),
            (f"telegram:{GROUP}:2", "那要准备什么材料"),
        ]
    )
    # In the group each answer quotes the question it answers.
    assert all(m["reply_parameters"]["message_id"] for m in bot_api.sent_to(GROUP))
    assert "reply_parameters" not in bot_api.sent_to(CHAT)[0]


@pytest.mark.asyncio
async def test_start_help_reset_and_unknown_commands(bot_api: FakeBotAPI) -> None:
    with FakeRasaRest() as rasa:
        async with running_bridge(settings(bot_api, rasa.url), poll_timeout_s=1):
            for command in ["/start", "/help", "/reset", "/whatever"]:
                bot_api.push(bot_api.text_update(CHAT, USER, command))
            await bot_api.wait_for(lambda: len(bot_api.sent_to(CHAT)) == 4)
    start, help_, reset, unknown = (m["text"] for m in bot_api.sent_to(CHAT))
    assert "皖企政策助手" in start and "/reset" in start
    assert "/reset" in help_ and "/help" in help_
    assert reset == "好的，已重新开始对话。请直接提问。"
    assert unknown == help_
    # Only /reset talks to Rasa: it restarts this chat's conversation with Rasa's /restart intent.
    assert rasa.conversation() == [(f"telegram:{CHAT}", "/restart")]


@pytest.mark.asyncio
async def test_non_text_messages_get_a_clear_reply(bot_api: FakeBotAPI) -> None:
    with FakeRasaRest() as rasa:
        async with running_bridge(settings(bot_api, rasa.url), poll_timeout_s=1):
            bot_api.push(bot_api.photo_update(CHAT, USER))
            [sent] = await bot_api.wait_for(lambda: bot_api.sent_to(CHAT))
    assert "只能读懂文字消息" in sent["text"]
    assert rasa.requests == []


@pytest.mark.asyncio
async def test_rasa_down_gets_a_polite_error_and_the_bridge_keeps_running(bot_api: FakeBotAPI) -> None:
    rasa_port = free_port()  # nothing listens here yet
    async with running_bridge(settings(bot_api, f"http://127.0.0.1:{rasa_port}"), poll_timeout_s=1):
        bot_api.push(bot_api.text_update(CHAT, USER, "徽商服务卡有什么用"))
        [apology] = await bot_api.wait_for(lambda: bot_api.sent_to(CHAT))
        assert apology["text"] == "抱歉，政策助手暂时无法回答，请稍后再试。您的问题没有丢失，稍后重新发送即可。"
        with FakeRasaRest(port=rasa_port) as rasa:  # Rasa is back
            bot_api.push(bot_api.text_update(CHAT, USER, "徽商服务卡有什么用"))
            await bot_api.wait_for(lambda: len(bot_api.sent_to(CHAT)) == 2)
    assert bot_api.sent_to(CHAT)[1]["text"] == "收到：徽商服务卡有什么用"
    assert rasa.messages() == ["徽商服务卡有什么用"]


@pytest.mark.asyncio
async def test_long_answers_are_split_under_telegrams_limit(bot_api: FakeBotAPI) -> None:
    paragraph = "第10条 " + "担保机构为小微企业提供融资担保服务，年化担保费率不超过规定比例的给予补助。" * 20
    long_text = "\n\n".join([paragraph] * 12)

    def long_answer(body: Dict[str, Any]) -> List[Dict[str, Any]]:
        return [{"text": long_text, "buttons": [{"title": "继续", "payload": "/affirm"}]}, CARD]

    with FakeRasaRest(long_answer) as rasa:
        async with running_bridge(settings(bot_api, rasa.url), poll_timeout_s=1):
            bot_api.push(bot_api.text_update(CHAT, USER, "详细说说"))
            sent = await bot_api.wait_for(lambda: (m := bot_api.sent_to(CHAT)) and m[-1].get("reply_markup") and m)
    assert len(sent) >= 3
    assert all(len(m["text"]) <= MessageLimit.MAX_TEXT_LENGTH for m in sent)
    assert all("reply_markup" not in m for m in sent[:-1])
    assert sent[-1]["text"].endswith("📄 依据：第10条｜结论：还需补充信息")
    joined = "".join(m["text"] for m in sent).replace("\n", "").replace("📄 依据：第10条｜结论：还需补充信息", "")
    assert joined == long_text.replace("\n", "")


@pytest.mark.asyncio
async def test_webhook_mode_accepts_only_posts_with_the_secret_token(bot_api: FakeBotAPI) -> None:
    port = free_port()
    webhook = settings(
        bot_api, "", webhook_url=f"http://127.0.0.1:{port}/telegram-hook", webhook_secret="s3cret-Token_1",
        webhook_port=port,
    )  # fmt: skip
    with FakeRasaRest() as rasa:
        webhook = TelegramSettings(**{**webhook.__dict__, "rasa_url": rasa.url})
        async with running_bridge(webhook):
            [registered] = bot_api.calls_of("setWebhook")
            assert registered["url"] == f"http://127.0.0.1:{port}/telegram-hook"
            assert registered["secret_token"] == "s3cret-Token_1"
            assert bot_api.calls_of("getUpdates") == []
            update = {"update_id": 1, **bot_api.text_update(CHAT, USER, "徽商服务卡有什么用")}
            for secret, expected in [(None, 403), ("wrong", 403), ("s3cret-Token_1", 200)]:
                status = await asyncio.to_thread(_post_update, f"http://127.0.0.1:{port}/telegram-hook", update, secret)
                assert status == expected
            [sent] = await bot_api.wait_for(lambda: bot_api.sent_to(CHAT))
    assert rasa.messages() == ["徽商服务卡有什么用"]  # the forged posts were not processed
    assert sent["text"] == "收到：徽商服务卡有什么用"


def _post_update(url: str, update: Dict[str, Any], secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=json.dumps(update).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_settings_come_from_the_environment() -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": "42:abc",
        "RASA_PORT": "5999",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081",
    }
    loaded = TelegramSettings.from_env(env)
    assert loaded.rasa_url == "http://127.0.0.1:5999"
    assert loaded.bot_api_url == "http://127.0.0.1:8081/bot"
    assert loaded.webhook_url is None
    with pytest.raises(TelegramSettingsError, match="TELEGRAM_BOT_TOKEN"):
        TelegramSettings.from_env({})
    with pytest.raises(TelegramSettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        TelegramSettings.from_env({**env, "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hook"})
    with pytest.raises(TelegramSettingsError, match="1-256 characters"):
        TelegramSettings.from_env(
            {**env, "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hook", "TELEGRAM_WEBHOOK_SECRET": "秘密 token"}
        )


def test_make_run_starts_the_bridge_as_a_process_and_stops_it(bot_api: FakeBotAPI, tmp_path: Path) -> None:
    env = dict(os.environ, TELEGRAM_BOT_TOKEN=bot_api.token, TELEGRAM_API_BASE_URL=bot_api.base_url)
    with FakeRasaRest() as rasa:
        process = start_telegram_bridge(rasa.url, log_dir=tmp_path, env=env)
        try:
            bot_api.push(bot_api.text_update(CHAT, USER, "徽商服务卡有什么用"))
            [sent] = bot_api.wait_until(lambda: bot_api.sent_to(CHAT))
        finally:
            process.stop()
    assert sent["text"] == "收到：徽商服务卡有什么用"
    assert process.popen.returncode == 0  # a clean stop on SIGTERM (Ctrl-C in make run)
    log = process.log_tail(200)
    assert f"Telegram bridge ready: @{BOT_USERNAME} (long polling)" in log
    assert bot_api.token not in log  # request URLs carry the token: they must not be logged


def test_a_rejected_token_stops_the_start_with_a_clear_message(bot_api: FakeBotAPI, tmp_path: Path) -> None:
    env = dict(os.environ, TELEGRAM_BOT_TOKEN="999:not-the-token", TELEGRAM_API_BASE_URL=bot_api.base_url)
    with pytest.raises(StartupError, match="Telegram rejected TELEGRAM_BOT_TOKEN"):
        start_telegram_bridge("http://127.0.0.1:9", log_dir=tmp_path, env=env)


@pytest.mark.asyncio
async def test_one_chat_flooding_does_not_hold_up_another_and_gets_asked_to_wait(bot_api: FakeBotAPI) -> None:
    """Issue 17: 100 messages of one chat took every processing slot (waiting for their own chat), so
    another chat waited behind all of them. Now the flood gets "请稍候" and the other chat is next."""
    flooder, other = 5151, 6161

    async def slow(body: Dict[str, Any]) -> List[Dict[str, Any]]:
        await asyncio.sleep(0.3)
        return [{"recipient_id": body["sender"], "text": f"收到：{body['message']}"}]

    with FakeRasaRest(slow) as rasa:
        async with running_bridge(settings(bot_api, rasa.url), poll_timeout_s=1):
            for number in range(100):
                bot_api.push(bot_api.text_update(flooder, flooder, f"刷屏{number}"))
            bot_api.push(bot_api.text_update(other, other, "徽商服务卡有什么用"))
            await bot_api.wait_for(lambda: bot_api.sent_to(other), timeout=60)
            await bot_api.wait_for(lambda: len(bot_api.sent_to(flooder)) == 100, timeout=60)
    forwarded = [message for sender, message in rasa.conversation() if sender == f"telegram:{flooder}"]
    assert len(forwarded) <= MAX_PENDING_PER_CONVERSATION, forwarded  # the rest were not forwarded
    # The other chat was forwarded before the flood's queue was through (it never waited for the flood).
    assert rasa.conversation().index((f"telegram:{other}", "徽商服务卡有什么用")) <= MAX_PENDING_PER_CONVERSATION
    texts = [m["text"] for m in bot_api.sent_to(flooder)]
    busy = [t for t in texts if t.startswith("请稍候")]
    assert len(busy) == 100 - len(forwarded)  # every message got an answer or a clear "please wait"
    assert sorted(t for t in texts if t.startswith("收到")) == sorted(f"收到：{m}" for m in forwarded)
