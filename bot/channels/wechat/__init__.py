"""WeChat Official Account (wechatpy): webhook, rendering, numbered choices, customer-service messages.

credentials.yml names the channel ``bot.channels.wechat.WeChatInput``; it is loaded on first use so
that the leaf modules here import without Rasa.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "WeChatInput":
        from bot.channels.wechat.channel import WeChatInput

        return WeChatInput
    raise AttributeError(name)
