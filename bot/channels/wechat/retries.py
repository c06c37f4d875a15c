"""WeChat retries a message it got no answer to within 5 s (three times): handle each message once.

The guide recommends de-duplicating by MsgId, and events (which have none) by FromUserName +
CreateTime. Every retry gets the outcome of the first delivery: it waits for it if it is
still being worked out, or gets the same answer again. Entries live ``ttl_s`` — longer than
the window in which a signed request is accepted at all (see wechat_webhook.MAX_CLOCK_SKEW_S) —
so a replayed request is never handled twice either.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Awaitable, Callable, Generic, Tuple, TypeVar

T = TypeVar("T")


class OncePerMessage(Generic[T]):
    def __init__(self, ttl_s: float, capacity: int = 100000) -> None:
        self.ttl_s = ttl_s
        self.capacity = capacity
        self._entries: OrderedDict[str, Tuple[float, asyncio.Future]] = OrderedDict()

    def outcome(self, key: str, handle: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        """The outcome of handling message ``key``; ``handle`` runs only for the first delivery."""
        self._prune()
        entry = self._entries.get(key)
        if entry is None:
            entry = (time.monotonic() + self.ttl_s, asyncio.ensure_future(handle()))
            self._entries[key] = entry
        # Shielded: a retry (or WeChat hanging up) must not cancel the shared work.
        return asyncio.shield(entry[1])

    def _prune(self) -> None:
        now = time.monotonic()
        while self._entries:
            key, (expires_at, future) = next(iter(self._entries.items()))
            if expires_at > now and len(self._entries) <= self.capacity:
                break
            if not future.done() and expires_at > now:
                break  # never drop work in progress
            del self._entries[key]
