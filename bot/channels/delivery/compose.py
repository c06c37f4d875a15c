"""Builds the delivery router from the environment, inside the Rasa server (called once by the web
chat channel, which owns the socket.io server; bot/channels/webchat/channel.py).

- web chat: always (the channel's emit; across replicas when REDIS_URL is set);
- WeChat: with WECHAT_APPID + WECHAT_APP_SECRET, through the WeChat channel's own customer-service
  sender (one access token; in Redis across replicas); otherwise every WeChat conversation says
  why it cannot be reached;
- Telegram: with TELEGRAM_BOT_TOKEN (and TELEGRAM_API_BASE_URL if the bridge uses another Bot API);
- REST: never (nothing can be pushed to a REST caller).
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable, Dict, Mapping

from bot.channels.delivery.contract import ChannelName, ChannelSender
from bot.channels.delivery.router import Router, Unconfigured, install, last_user_time
from bot.channels.delivery.webchat import EmitToSession, WebChatSender

logger = logging.getLogger(__name__)


def _wechat(env: Mapping[str, str]) -> ChannelSender:
    from bot.channels.delivery.wechat import WeChatSender
    from bot.channels.delivery.wechat_refusals import refusals_from
    from bot.channels.wechat.customer_service import shared_sender
    from bot.channels.wechat.settings import WeChatSettings, WeChatSettingsError

    try:
        settings = WeChatSettings.from_env(env)
    except WeChatSettingsError:
        return Unconfigured("wechat", "wechat_not_configured")
    if not (settings.app_id and settings.app_secret):
        return WeChatSender(None)
    # The channel's own sender (one access token per account in a process).
    sender = shared_sender(settings.app_id, settings.app_secret, settings.api_base_url, settings.redis_url,
                           settings.redis_key_prefix)  # fmt: skip
    # WeChat's refusals (48001, 45015): in Redis when REDIS_URL is set, so every replica knows them.
    return WeChatSender(sender, refusals_from(settings.redis_url, settings.redis_key_prefix, settings.app_id))


def _telegram(env: Mapping[str, str]) -> ChannelSender:
    from bot.channels.delivery.telegram import TelegramSender
    from bot.channels.telegram.settings import TelegramSettings, TelegramSettingsError

    try:
        return TelegramSender(TelegramSettings.from_env(env))
    except TelegramSettingsError:
        return Unconfigured("telegram", "telegram_not_configured")


def _last_user_at(agent: Callable[[], Any]) -> Callable[[str], Any]:
    async def lookup(sender_id: str) -> float | None:
        current = agent()
        tracker = None if current is None else await current.tracker_store.retrieve(sender_id)
        return None if tracker is None else last_user_time(e.as_dict() for e in tracker.events)

    return lookup


def build_router(emit: EmitToSession, agent: Callable[[], Any], env: Mapping[str, str] | None = None) -> Router:
    """``emit``: the web chat's socket.io emit; ``agent``: the Rasa server's agent (for the time of
    the user's last message when a caller does not give it)."""
    env = os.environ if env is None else env
    senders: Dict[ChannelName, ChannelSender] = {
        "webchat": WebChatSender(emit),
        "wechat": _wechat(env),
        "telegram": _telegram(env),
    }
    for channel, sender in senders.items():
        if isinstance(sender, Unconfigured):
            logger.info("Staff replies cannot reach %s conversations: %s", channel, sender.reason)
    router = Router(senders, last_user_at=_last_user_at(agent))
    install(router)
    return router
