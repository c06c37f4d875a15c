"""A message that nginx hands to a second replica is not run twice (issue 17).

nginx (bot/processes/cluster.py) sends a POST to the next replica when the first one failed: its
connection was refused or reset, or it closed without an answer. Either that replica never read the
message (it was dying: the kernel had accepted the connection), or it read it and died during the
turn, after it may have stored the message or run its actions. nginx cannot tell the two apart; the
replicas can: nginx names each client request with ``X-Request-ID`` (``$request_id``, the same on
every retry), and the first replica to read a message claims its id. A replica that finds the id
already claimed answers that the message was interrupted (channel_texts.yml ``interrupted``) and
does not run it; a message nobody had read runs once, on the replica that got it.

Claims live in Redis when ``REDIS_URL`` is set (shared by the replicas), else in this process; they
are forgotten after ``CLAIM_TTL_S``. A request without the header (no nginx in front) is not claimed.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from typing import Any

logger = logging.getLogger(__name__)

HEADER = "x-request-id"
CLAIM_TTL_S = 600  # far longer than nginx retries one request
_REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class Deliveries:
    def __init__(self, redis_client: Any = None, key_prefix: str = "wanqi", capacity: int = 100_000) -> None:
        self.redis = redis_client
        self.key_prefix = f"{key_prefix}:rest:delivery"
        self.capacity = capacity
        self._claimed: OrderedDict[str, float] = OrderedDict()  # request id → when it is forgotten
        self._lock = threading.Lock()

    def first_delivery(self, request_id: str | None) -> bool:
        """False only if a replica already read the message with this request id."""
        if not request_id or not _REQUEST_ID.match(request_id):
            return True
        if self.redis is not None:
            try:
                return bool(self.redis.set(f"{self.key_prefix}:{request_id}", "1", nx=True, ex=CLAIM_TTL_S))
            except Exception:  # noqa: BLE001 - without Redis the message runs (as without nginx retries)
                logger.warning("Redis does not answer: message %s is run without its delivery claim", request_id)
                return True
        now = time.monotonic()
        with self._lock:
            while self._claimed and (next(iter(self._claimed.values())) < now or len(self._claimed) > self.capacity):
                self._claimed.popitem(last=False)
            if request_id in self._claimed:
                return False
            self._claimed[request_id] = now + CLAIM_TTL_S
            return True


def from_settings(redis_url: str | None, key_prefix: str | None) -> Deliveries:
    if not redis_url:
        return Deliveries()
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
    return Deliveries(client, key_prefix or "wanqi")
