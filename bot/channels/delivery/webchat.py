"""Web chat: a ``bot_uttered`` event to the session's socket.io room.

The emit function is the web chat channel's own (bot/channels/webchat/channel.py). With
``REDIS_URL`` set its AsyncServer runs on python-socketio's AsyncRedisManager, so an emit on one
replica reaches the widget connected to any other. A widget that is not connected gets the message
from the conversation's history when it comes back (the caller records it in the tracker).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Sequence

from bot.channels.delivery.contract import ChannelName, Deliverability, DeliveryResult, MessageKind

EmitToSession = Callable[[str, Dict[str, Any]], Awaitable[None]]

# The flag the widget reads (web/src/widget.js): "staff" shows 人工客服, "resumed" ends the 待人工 state.
FLAGS: Dict[MessageKind, Dict[str, Any]] = {"bot": {}, "staff": {"staff": True}, "resumed": {"resumed": True}}


class WebChatSender:
    channel: ChannelName = "webchat"

    def __init__(self, emit: EmitToSession) -> None:
        self.emit = emit

    def deliverability(self, sender_id: str, last_user_at: float | None, now: float) -> Deliverability:
        return {"channel": "webchat", "deliverable": True, "reason": None, "message": None}

    async def send(
        self, sender_id: str, texts: Sequence[str], kind: MessageKind, last_user_at: float | None
    ) -> DeliveryResult:
        for text in texts:
            await self.emit(sender_id, {"text": text, **FLAGS[kind]})
        return {"channel": "webchat", "delivered": True, "sent": len(texts), "reason": None, "message": None}
