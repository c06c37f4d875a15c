"""What WeChat refused at sending, remembered so that staff are told before they type again:

- 48001 (the account may not use 客服消息): for the account, ``ACCOUNT_RECHECK_S`` (then tried again:
  the account may have been granted the API meanwhile);
- 45015 (the user's window closed): for the user, until the user writes again (the time of the user
  message WeChat judged too old is kept; a newer message opens the window again).

- No ``REDIS_URL``: kept in this process (one Rasa server).
- ``REDIS_URL``: kept in Redis (``<REDIS_KEY_PREFIX>:wechat:refused:<appid>`` and
  ``<REDIS_KEY_PREFIX>:wechat:window_closed:<appid>:<openid>``, each expiring when it no longer
  matters), so a refusal one replica met is known on every replica. If Redis does not answer,
  nothing is remembered: the next message is tried and WeChat says again what it refuses.

Blocking calls with a short timeout, like the staff-session revocations
(bot/channels/webchat/staff_sessions.py): ``deliverability`` is asked synchronously.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Dict, Protocol

logger = logging.getLogger(__name__)

# After a 48001 the account is not tried again for this long (it may be granted the API meanwhile).
ACCOUNT_RECHECK_S = 3600
REPLY_WINDOW_S = 48 * 3600  # WeChat's 客服消息 window after the user's last message
DEFAULT_PREFIX = "wanqi"
_NO_MESSAGE = "none"  # a 45015 for a user whose last message time is not known


class WeChatRefusals(Protocol):
    def account_refused(self, now: float) -> bool: ...

    def refuse_account(self, now: float) -> None: ...

    def window_closed(self, openid: str, last_user_at: float | None) -> bool: ...

    def close_window(self, openid: str, last_user_at: float | None) -> None: ...


def _stamp(last_user_at: float | None) -> str:
    return _NO_MESSAGE if last_user_at is None else repr(float(last_user_at))


class InProcessRefusals:
    def __init__(self) -> None:
        self._account_refused_at: float | None = None
        self._window_closed_at: Dict[str, str] = {}  # openid → the last user message WeChat judged too old
        self._lock = threading.Lock()

    def account_refused(self, now: float) -> bool:
        with self._lock:
            refused = self._account_refused_at
        return refused is not None and now - refused < ACCOUNT_RECHECK_S

    def refuse_account(self, now: float) -> None:
        with self._lock:
            self._account_refused_at = now

    def window_closed(self, openid: str, last_user_at: float | None) -> bool:
        with self._lock:
            return self._window_closed_at.get(openid) == _stamp(last_user_at)

    def close_window(self, openid: str, last_user_at: float | None) -> None:
        with self._lock:
            self._window_closed_at[openid] = _stamp(last_user_at)


class RedisRefusals:
    """In Redis, shared by every replica; each entry expires when it no longer matters."""

    def __init__(self, client: Any, key_prefix: str, app_id: str) -> None:
        self._redis = client
        self._account_key = f"{key_prefix}:wechat:refused:{app_id}"
        self._window_prefix = f"{key_prefix}:wechat:window_closed:{app_id}"

    def account_refused(self, now: float) -> bool:
        try:
            refused = self._redis.get(self._account_key)
        except Exception:  # noqa: BLE001 - no answer from Redis: try, WeChat says again if it refuses
            logger.warning("Redis does not answer: a WeChat 48001 is not known on this replica")
            return False
        try:
            return refused is not None and now - float(refused) < ACCOUNT_RECHECK_S
        except ValueError:
            return False

    def refuse_account(self, now: float) -> None:
        try:
            self._redis.set(self._account_key, repr(float(now)), ex=ACCOUNT_RECHECK_S)
        except Exception:  # noqa: BLE001 - the refusal is reported to staff all the same
            logger.error("Redis does not answer: other replicas do not know that WeChat refused 48001")

    def window_closed(self, openid: str, last_user_at: float | None) -> bool:
        try:
            closed = self._redis.get(f"{self._window_prefix}:{openid}")
        except Exception:  # noqa: BLE001
            logger.warning("Redis does not answer: a WeChat 45015 is not known on this replica")
            return False
        return closed is not None and closed.decode() == _stamp(last_user_at)

    def close_window(self, openid: str, last_user_at: float | None) -> None:
        try:
            # After 48 hours from that message the window is closed by our own clock anyway.
            self._redis.set(f"{self._window_prefix}:{openid}", _stamp(last_user_at), ex=REPLY_WINDOW_S)
        except Exception:  # noqa: BLE001
            logger.error("Redis does not answer: other replicas do not know that WeChat refused 45015")


def refusals_from(redis_url: str | None, key_prefix: str | None, app_id: str) -> WeChatRefusals:
    if not redis_url:
        return InProcessRefusals()
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
    return RedisRefusals(client, key_prefix or DEFAULT_PREFIX, app_id)
