"""Telegram: a message to the conversation's chat through the Bot API, with python-telegram-bot's
``Bot`` on the bridge's settings (TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL).

The Rasa server sends directly to the Bot API the bridge uses; the bridge keeps receiving. The
chat comes from the sender id: ``telegram:<chat>`` (a private chat) or ``telegram:<chat>:<user>``
(one member of a group: the message goes to the group, as the bot's answers do).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Sequence

from telegram import Bot
from telegram.constants import MessageLimit
from telegram.error import Forbidden, TelegramError

from bot.channels.channel_texts import channel_text
from bot.channels.delivery.contract import ChannelName, Deliverability, DeliveryResult, MessageKind
from bot.channels.delivery.router import refusal
from bot.channels.reply_text import split_text, utf16_size
from bot.channels.telegram.settings import TelegramSettings

logger = logging.getLogger(__name__)

OK: Deliverability = {"channel": "telegram", "deliverable": True, "reason": None, "message": None}


def chat_id_of(sender_id: str) -> int | None:
    parts = sender_id.split(":")
    try:
        return int(parts[1]) if len(parts) in (2, 3) and parts[0] == "telegram" else None
    except ValueError:
        return None


class TelegramSender:
    channel: ChannelName = "telegram"

    def __init__(self, settings: TelegramSettings) -> None:
        self.bot = Bot(settings.token, base_url=settings.bot_api_url, base_file_url=settings.bot_file_url)
        self._ready = asyncio.Lock()

    def deliverability(self, sender_id: str, last_user_at: float | None, now: float) -> Deliverability:
        return OK if chat_id_of(sender_id) is not None else refusal("telegram", "telegram_bad_sender")

    async def send(
        self, sender_id: str, texts: Sequence[str], kind: MessageKind, last_user_at: float | None
    ) -> DeliveryResult:
        chat_id = chat_id_of(sender_id)
        assert chat_id is not None
        sent = 0
        try:
            async with self._ready:
                await self.bot.initialize()  # once: getMe (checks the token)
            for text in texts:
                marked = channel_text("telegram", "staff_reply", text=text) if kind == "staff" else text
                for piece in split_text(marked, MessageLimit.MAX_TEXT_LENGTH, utf16_size):
                    await self.bot.send_message(chat_id, piece)
                sent += 1
        except Forbidden as error:  # the user blocked the bot or left the group
            logger.warning("Telegram chat %s refused a message: %s", chat_id, error)
            status = refusal("telegram", "telegram_blocked")
            return {"channel": "telegram", "delivered": False, "sent": sent, "reason": status["reason"],
                    "message": status["message"]}  # fmt: skip
        except TelegramError as error:
            logger.error("Telegram message to chat %s failed: %s", chat_id, error)
            status = refusal("telegram", "telegram_error", error=str(error))
            return {"channel": "telegram", "delivered": False, "sent": sent, "reason": status["reason"],
                    "message": status["message"]}  # fmt: skip
        return {"channel": "telegram", "delivered": True, "sent": sent, "reason": None, "message": None}
