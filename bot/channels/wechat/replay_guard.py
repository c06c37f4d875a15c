"""A signed WeChat URL is good for one body only (issue 17).

WeChat signs the URL (token, timestamp, nonce), not the body: in plain mode anyone who saw one
request could post any body (any OpenID) under its signature for as long as the timestamp is
accepted. Each (timestamp, nonce, signature) is remembered with the digest of the body it came
with, for longer than a timestamp is accepted: the same signature with another body is a replay.
The same body again is WeChat retrying one delivery (its outcome is shared: retries.py).

With REDIS_URL set the memory is in Redis, shared by every replica (a replay sent to another
replica is refused too); otherwise in this process.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from typing import Any, Tuple


class ReplayGuard:
    def __init__(self, ttl_s: float, redis_client: Any = None, key_prefix: str = "wechat", capacity: int = 200000):
        self.ttl_s = ttl_s
        self.redis = redis_client
        self.key_prefix = key_prefix
        self.capacity = capacity
        self._seen: OrderedDict[str, Tuple[float, str]] = OrderedDict()

    def accept(self, signature: str, timestamp: str, nonce: str, body: bytes) -> bool:
        """False if this signature already came with a different body."""
        key = f"{self.key_prefix}:signature:{timestamp}:{nonce}:{signature}"
        digest = hashlib.sha256(body).hexdigest()
        if self.redis is not None:
            if self.redis.set(key, digest, nx=True, ex=int(self.ttl_s) + 1):
                return True
            seen = self.redis.get(key)
            return seen is None or seen.decode() == digest
        now = time.monotonic()
        while self._seen and (next(iter(self._seen.values()))[0] < now or len(self._seen) > self.capacity):
            self._seen.popitem(last=False)
        entry = self._seen.get(key)
        if entry is None:
            self._seen[key] = (now + self.ttl_s, digest)
            return True
        return entry[1] == digest
