"""Every incoming message carries the hotline status the server vouches for (knowledge/hotline.py).

``Agent.handle_message`` is where every channel's message enters (REST, socket.io, WeChat, the
Telegram bridge through REST). Before Rasa handles it, the message's metadata gets
``{"hotline": {"staff_on_duty", "within_hours", "hours"}}`` computed here (bot/hotline/status.py):
whatever a caller put under that key (an internal caller may send metadata) is replaced, never
trusted. actions/handoff.py reads it to decide whether 转人工 pauses the bot for a person or offers
the hotline and a call-back. Messages that enter elsewhere (Rasa's HTTP API) carry no stamp, and
the action then assumes nobody is on duty.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.hotline import status
from knowledge.hotline import HOTLINE_METADATA_KEY

logger = logging.getLogger(__name__)


def stamped(metadata: Any, hotline_status: Any) -> dict:
    """``metadata`` (anything a channel passed) as a dict with the server's hotline status in it."""
    kept = {k: v for k, v in metadata.items() if k != HOTLINE_METADATA_KEY} if isinstance(metadata, dict) else {}
    return {**kept, HOTLINE_METADATA_KEY: dict(hotline_status)}


def install() -> None:
    """Patch ``Agent.handle_message`` in this process (idempotent); reads the settings now, so a bad
    HOTLINE_HOURS stops the server at start-up with a message saying what to write."""
    from rasa.core.agent import Agent

    if getattr(Agent.handle_message, "_stamps_hotline", False):
        return
    hotline = status.shared()
    original = Agent.handle_message

    async def handle_message_with_hotline_status(self: Any, message: Any) -> Any:
        message.metadata = stamped(message.metadata, await hotline.status())
        return await original(self, message)

    handle_message_with_hotline_status._stamps_hotline = True  # type: ignore[attr-defined]
    Agent.handle_message = handle_message_with_hotline_status  # type: ignore[method-assign]
