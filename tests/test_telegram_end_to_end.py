"""A Telegram chat with the real assistant: the bridge against a fake Bot API and the running Rasa server."""

from __future__ import annotations

import pytest

from bot.channels.reply_text import card_footer
from bot.channels.telegram.bridge import running_bridge
from bot.channels.telegram.settings import TelegramSettings
from tests.support.fake_telegram_api import FakeBotAPI
from tools.assistant_client import AssistantClient

pytestmark = pytest.mark.server

QUESTION = "徽商服务卡有什么用"


@pytest.fixture
def bot_api():
    with FakeBotAPI() as api:
        yield api


@pytest.mark.asyncio
async def test_telegram_gets_the_same_answer_and_card_as_rest(assistant: AssistantClient, bot_api: FakeBotAPI) -> None:
    chat = 880001
    bridge = TelegramSettings(
        token=bot_api.token,
        rasa_url=assistant.rasa_url,
        api_base_url=bot_api.base_url,
        internal_token=assistant.internal_token,
    )
    async with running_bridge(bridge, poll_timeout_s=1):
        bot_api.push(bot_api.text_update(chat, chat, QUESTION))
        [sent] = await bot_api.wait_for(lambda: bot_api.sent_to(chat), timeout=60)

    rest = assistant.ask(assistant.new_sender(), QUESTION)
    assert rest.card is not None and 13 in rest.card["citations"]
    rest_text = "\n\n".join(m["text"] for m in rest.messages if m.get("text"))
    assert sent["text"] == f"{rest_text}\n\n{card_footer(rest.card)}"
    assert "第13条" in sent["text"]
    assert sent["text"].endswith("📄 依据：第13条")

    tracker = assistant.tracker(f"telegram:{chat}")
    [user_event] = [e for e in tracker["events"] if e["event"] == "user"]
    assert user_event["text"] == QUESTION
    assert user_event["input_channel"] == "telegram"


@pytest.mark.asyncio
async def test_reset_restarts_the_rasa_conversation(assistant: AssistantClient, bot_api: FakeBotAPI) -> None:
    chat = 880002
    bridge = TelegramSettings(
        token=bot_api.token,
        rasa_url=assistant.rasa_url,
        api_base_url=bot_api.base_url,
        internal_token=assistant.internal_token,
    )
    async with running_bridge(bridge, poll_timeout_s=1):
        bot_api.push(bot_api.text_update(chat, chat, QUESTION))
        bot_api.push(bot_api.text_update(chat, chat, "/reset"))
        await bot_api.wait_for(lambda: len(bot_api.sent_to(chat)) == 2, timeout=60)
    assert bot_api.sent_to(chat)[1]["text"] == "好的，已重新开始对话。请直接提问。"
    # Rasa's tracker endpoint lists the events after the last restart: the question is gone with it.
    tracker = assistant.tracker(f"telegram:{chat}")
    assert [e for e in tracker["events"] if e["event"] == "user"] == [], tracker["events"]
    assert tracker["slots"].get("current_measure") is None  # and so is the context (which measure)
    # The first question did happen in this conversation before the reset.
    assert sum(m["text"].count("第13条") for m in bot_api.sent_to(chat)[:1]) >= 1
