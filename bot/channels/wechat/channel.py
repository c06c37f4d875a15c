"""WeChat Official Account (微信公众号) input channel for Rasa, at /webhooks/wechat/webhook.

Listed in credentials.yml as ``bot.channels.wechat.WeChatInput``; configured from the environment
(WECHAT_TOKEN, WECHAT_APPID, WECHAT_APP_SECRET, WECHAT_ENCODING_AES_KEY, WECHAT_API_BASE_URL,
WECHAT_REPLY_WINDOW_S), so no secret sits in the repository. Unconfigured, the endpoint answers
503 with what to set, and the rest of the server runs as usual.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.feedback_store import current_agent
from bot.channels.wechat.customer_service import shared_sender
from bot.channels.wechat.feedback_reply import WeChatFeedback
from bot.channels.wechat.replay_guard import ReplayGuard
from bot.channels.wechat.settings import REQUIRED_HINT, WeChatSettings, WeChatSettingsError
from bot.channels.wechat.webhook import (
    CHANNEL,
    HANDLED_MESSAGES_TTL_S,
    AskAssistant,
    WebhookResponse,
    WeChatWebhook,
)
from bot.channels.with_staff import reply_while_with_staff

logger = logging.getLogger(__name__)


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        # Values in credentials.yml (if any) override the environment, under the same names.
        overrides = {k.upper(): str(v) for k, v in (credentials or {}).items() if v is not None}
        try:
            return cls(WeChatSettings.from_env({**os.environ, **overrides}))
        except WeChatSettingsError as error:
            logger.warning("%s The endpoint /webhooks/wechat/webhook answers 503 until then.", error)
            return cls(None, str(error))

    def __init__(self, settings: WeChatSettings | None, problem: str | None = None) -> None:
        self.settings = settings
        self.problem = problem

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = self._webhook(on_new_message) if self.settings else None
        blueprint = Blueprint("wechat_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": webhook is not None})

        @blueprint.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if webhook is None:
                return self._unconfigured()
            return _http(webhook.verify(_args(request)))

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if webhook is None:
                return self._unconfigured()
            return _http(await webhook.receive(_args(request), request.body or b""))

        return blueprint

    def _webhook(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> WeChatWebhook:
        settings = self.settings
        assert settings is not None
        customer_service = None
        if settings.can_send_later:
            assert settings.app_id and settings.app_secret
            customer_service = shared_sender(
                settings.app_id, settings.app_secret, settings.api_base_url, settings.redis_url,
                settings.redis_key_prefix,
            )  # fmt: skip
        else:
            logger.warning(
                "WECHAT_APPID / WECHAT_APP_SECRET not set: answers slower than %.1f s or longer than one "
                "WeChat message cannot be sent (customer-service API).",
                settings.reply_window_s,
            )
        return WeChatWebhook(
            settings,
            _asker(on_new_message),
            customer_service,
            replay_guard=_replay_guard(settings),
            feedback=WeChatFeedback(current_agent),
        )

    def _unconfigured(self) -> HTTPResponse:
        return response.text(self.problem or f"The WeChat channel is not configured: {REQUIRED_HINT}.", status=503)


def _replay_guard(settings: WeChatSettings) -> ReplayGuard:
    redis_client = None
    if settings.redis_url:
        import redis

        redis_client = redis.Redis.from_url(settings.redis_url, socket_timeout=2)
    prefix = f"{settings.redis_key_prefix or 'wanqi'}:wechat"
    return ReplayGuard(ttl_s=HANDLED_MESSAGES_TTL_S, redis_client=redis_client, key_prefix=prefix)


def _asker(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> AskAssistant:
    """Hand a message to this Rasa server's message processor and collect what the bot says."""

    async def ask(sender: str, text: str, metadata: Dict[str, Any]) -> List[Dict[str, Any]]:
        collector = CollectingOutputChannel()
        await on_new_message(UserMessage(text, collector, sender, input_channel=CHANNEL, metadata=metadata))
        return await reply_while_with_staff(current_agent(), sender, CHANNEL, collector.messages)

    return ask


def _args(request: Request) -> Dict[str, str]:
    return {key: values[0] for key, values in request.args.items() if values}


def _http(result: WebhookResponse) -> HTTPResponse:
    return response.text(result.body, status=result.status, content_type=result.content_type)
