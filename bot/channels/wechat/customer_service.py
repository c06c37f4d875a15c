"""Replies sent after WeChat's 5-second window, through the customer-service message API (客服消息).

wechatpy's WeChatClient is synchronous (requests), so calls run in a worker thread. Its API base
URL (WECHAT_API_BASE_URL) is configurable so that tests, or a proxy, can stand in for
api.weixin.qq.com; wechatpy hard-codes the token URL, hence fetch_access_token below.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import cache
from typing import List, Sequence

from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.redisstorage import RedisStorage

logger = logging.getLogger(__name__)


class _WeChatClientAt(WeChatClient):
    """wechatpy's client, talking to ``api_base_url`` instead of https://api.weixin.qq.com/cgi-bin/."""

    def __init__(self, app_id: str, app_secret: str, api_base_url: str, timeout: float, session=None) -> None:  # noqa: ANN001
        super().__init__(app_id, app_secret, timeout=timeout, session=session)
        self.API_BASE_URL = api_base_url

    def fetch_access_token(self):  # noqa: ANN201 - wechatpy's signature
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


# WeChat's answers that mean "this account cannot send this user customer-service messages now".
WINDOW_CLOSED = 45015  # the user has not written for 48 hours (回复时间超过限制)
NO_PERMISSION = 48001  # the account lacks the customer-service API (api unauthorized)


@dataclass(frozen=True)
class SendOutcome:
    """How far ``send_in_order`` got: ``sent`` texts went out; then ``errcode`` (WeChat's, or -1 for a
    network error) stopped it."""

    sent: int
    errcode: int | None = None
    error: str | None = None


class CustomerServiceSender:
    """``redis_url``: keep the access token in Redis, one for every replica. WeChat keeps one valid
    token per account: a replica fetching its own makes the others' expire (error 40001) within
    minutes, and the fetches count against a daily quota."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        api_base_url: str,
        timeout_s: float = 10,
        redis_url: str | None = None,
        key_prefix: str | None = None,
    ) -> None:
        session = None
        if redis_url:
            import redis

            session = RedisStorage(redis.Redis.from_url(redis_url), prefix=f"{key_prefix or 'wanqi'}:wechat")
        self._client = _WeChatClientAt(app_id, app_secret, api_base_url, timeout_s, session)

    async def send_texts(self, openid: str, texts: Sequence[str]) -> List[str]:
        """Send the texts one after another (in order); returns those that failed (logged, never raised)."""
        failed: List[str] = []
        for text in texts:
            try:
                await asyncio.to_thread(self._client.message.send_text, openid, text)
            except (WeChatClientException, OSError) as error:
                # e.g. 45015: the user has not written for 48 h; 48001: the account lacks this API.
                logger.error("WeChat customer-service message to %s failed: %s", openid, error)
                failed.append(text)
        return failed

    async def send_in_order(self, openid: str, texts: Sequence[str]) -> SendOutcome:
        """Send the texts in order and stop at the first failure (later texts would arrive out of context)."""
        for sent, text in enumerate(texts):
            try:
                await asyncio.to_thread(self._client.message.send_text, openid, text)
            except WeChatClientException as error:
                logger.error("WeChat customer-service message to %s failed: %s", openid, error)
                return SendOutcome(sent, int(error.errcode or -1), str(error.errmsg or error))
            except OSError as error:
                logger.error("WeChat customer-service message to %s failed: %s", openid, error)
                return SendOutcome(sent, -1, str(error))
        return SendOutcome(len(texts))


@cache
def shared_sender(
    app_id: str, app_secret: str, api_base_url: str, redis_url: str | None = None, key_prefix: str | None = None
) -> CustomerServiceSender:
    """One sender, hence one access token, per account in this process: the WeChat channel's late
    answers and staff replies (bot/channels/delivery/wechat.py) use the same. Two would fetch a token
    each, and each fetch ends the other's (WeChat keeps one valid token per account)."""
    return CustomerServiceSender(app_id, app_secret, api_base_url, redis_url=redis_url, key_prefix=key_prefix)
