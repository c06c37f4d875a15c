"""The web chat: socket.io channel, widget pages and the staff console, on the Rasa server's port.

credentials.yml names the channel ``bot.channels.webchat.WebChatInput``; it is loaded on first use so
that the leaf modules here import without Rasa.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "WebChatInput":
        from bot.channels.webchat.channel import WebChatInput

        return WebChatInput
    raise AttributeError(name)
