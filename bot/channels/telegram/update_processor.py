"""Updates of one conversation are handled in order, different conversations in parallel, and no
conversation can take the bridge's capacity from the others."""

from __future__ import annotations

import asyncio
import inspect
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Dict

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor

from bot.channels.channel_texts import channel_text
from bot.channels.telegram.conversation import CHANNEL, sender_id

logger = logging.getLogger(__name__)

# One being answered and four waiting: a user who sends a few thoughts at once (or /start, /help …)
# is never asked to wait.
MAX_PENDING_PER_CONVERSATION = 5


@dataclass
class _Conversation:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: int = 0  # updates being handled or waiting for ``lock``


class ConversationOrderedUpdateProcessor(BaseUpdateProcessor):
    """PTB's concurrent processing, plus one queue per conversation (see ``sender_id``).

    Without the queue, a quick second message could be answered before the first one, or /reset
    could overtake the question sent just before it. An update waits for its conversation's turn
    *before* it takes one of the ``max_concurrent_updates`` slots (issue 17: with PTB's order, one
    chat sending 200 messages held every slot with updates that only waited for their own chat,
    and every other chat waited behind them). A conversation with ``max_pending`` updates already
    in hand gets a polite "请稍候" instead of a place in the queue: nothing is forwarded for it.
    """

    def __init__(self, max_concurrent_updates: int, max_pending: int = MAX_PENDING_PER_CONVERSATION) -> None:
        super().__init__(max_concurrent_updates)
        self.max_pending = max_pending
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._conversations: Dict[str, _Conversation] = {}

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update) or update.effective_chat is None:
            async with self._slots:
                await coroutine
            return
        key = sender_id(update.effective_chat, update.effective_user)
        conversation = self._conversations.setdefault(key, _Conversation())
        if conversation.pending >= self.max_pending:
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never run: the update is answered with "请稍候" instead
            await self._say_busy(update)
            return
        conversation.pending += 1
        try:
            async with conversation.lock:
                async with self._slots:
                    await coroutine
        finally:
            conversation.pending -= 1
            if conversation.pending == 0:
                del self._conversations[key]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine  # process_update above does the ordering; PTB requires this method

    async def _say_busy(self, update: Update) -> None:
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(channel_text(CHANNEL, "busy"))
            else:
                assert update.effective_chat is not None
                await update.get_bot().send_message(update.effective_chat.id, channel_text(CHANNEL, "busy"))
        except TelegramError as error:
            logger.warning("Could not tell a busy conversation to wait: %s", error)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
