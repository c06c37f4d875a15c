"""Which staff are on duty: a staff console sends a heartbeat while it is open (web/src/console.js,
``POST /console/api/presence``); a console counts as on duty for ``HOTLINE_PRESENCE_SECONDS`` after
its last heartbeat, and no longer once it signs out.

- No ``REDIS_URL``: kept in this process (one Rasa server).
- ``REDIS_URL``: kept in Redis (a sorted set ``<REDIS_KEY_PREFIX>:hotline:presence``, console →
  time of its last heartbeat), so every replica sees the staff signed in on any replica.

A console is named by a hash of its session id (bot/channels/webchat/staff_sessions.py), never by
its cookie. If Redis does not answer, nobody is on duty: 转人工 then offers the hotline instead of
a wait that nobody would end.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from typing import Any, Callable, Dict

logger = logging.getLogger(__name__)


def console_key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()[:24]


class InProcessPresence:
    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.time) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._seen: Dict[str, float] = {}
        self._lock = threading.Lock()

    async def seen(self, key: str) -> None:
        with self._lock:
            now = self._clock()
            self._seen = {k: t for k, t in self._seen.items() if t > now - self.ttl_s}
            self._seen[key] = now

    async def gone(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)

    async def on_duty(self) -> int:
        """How many consoles are on duty now."""
        with self._lock:
            cutoff = self._clock() - self.ttl_s
            return sum(1 for t in self._seen.values() if t > cutoff)


class RedisPresence:
    def __init__(self, url: str, key_prefix: str, ttl_s: float, clock: Callable[[], float] = time.time) -> None:
        self.url = url
        self.key = f"{key_prefix}:hotline:presence"
        self.ttl_s = ttl_s
        self._clock = clock
        self._client: Any = None
        self._loop: Any = None

    def _redis(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:  # a client belongs to the loop it was made in
            import redis.asyncio

            self._client = redis.asyncio.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)
            self._loop = loop
        return self._client

    async def seen(self, key: str) -> None:
        now = self._clock()
        client = self._redis()
        async with client.pipeline(transaction=True) as pipe:
            pipe.zadd(self.key, {key: now})
            pipe.zremrangebyscore(self.key, "-inf", now - self.ttl_s)
            pipe.expire(self.key, int(self.ttl_s) + 60)
            await pipe.execute()

    async def gone(self, key: str) -> None:
        await self._redis().zrem(self.key, key)

    async def on_duty(self) -> int:
        try:
            return int(await self._redis().zcount(self.key, f"({self._clock() - self.ttl_s}", "+inf"))
        except Exception as error:  # Redis down: nobody can be relied on to answer
            logger.warning("Staff presence unknown (Redis: %s): 转人工 offers the hotline", error)
            return 0


Presence = InProcessPresence | RedisPresence


def presence_from(redis_url: str | None, key_prefix: str, ttl_s: float) -> Presence:
    return RedisPresence(redis_url, key_prefix, ttl_s) if redis_url else InProcessPresence(ttl_s)
