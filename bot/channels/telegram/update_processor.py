"""Updates of one conversation are handled in order; different conversations in parallel."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any, Awaitable

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.channels.telegram.conversation import sender_id


class ConversationOrderedUpdateProcessor(BaseUpdateProcessor):
    """PTB's concurrent processing, plus one lock per conversation (see ``sender_id``).

    Without it, a quick second message could be answered before the first one, or /reset
    could overtake the question sent just before it.
    """

    def __init__(self, max_concurrent_updates: int, max_idle_locks: int = 10000) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: OrderedDict[str, asyncio.Lock] = OrderedDict()
        self._max_idle_locks = max_idle_locks

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update) or update.effective_chat is None:
            await coroutine
            return
        async with self._lock(sender_id(update.effective_chat, update.effective_user)):
            await coroutine

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            if len(self._locks) >= self._max_idle_locks:  # forget idle conversations, oldest first
                idle = [k for k, v in self._locks.items() if not v.locked()]
                for old in idle[: len(idle) // 2 or 1]:
                    del self._locks[old]
            lock = self._locks[key] = asyncio.Lock()
        self._locks.move_to_end(key)
        return lock

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
