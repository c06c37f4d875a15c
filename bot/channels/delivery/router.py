"""Which channel a conversation lives on (from its sender id's form) and the one ``deliver`` for all.

Sender-id forms (bot/channels/sender_ids.py): ``telegram:<chat>[:<user>]``, ``wechat:<openid>``,
32 lowercase hex characters for web chat; anything else is a REST conversation.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Awaitable, Callable, Dict, Iterable, Mapping, Sequence

from bot.channels.channel_texts import channel_text
from bot.channels.delivery.contract import ChannelName, ChannelSender, Deliverability, DeliveryResult, MessageKind
from bot.channels.sender_ids import CHANNEL_PREFIX_SEPARATOR, WEBCHAT_SESSION_ID

logger = logging.getLogger(__name__)

LastUserAt = Callable[[str], Awaitable[float | None]]
"""sender id → the time (epoch seconds) of the user's last message in the tracker store, if any."""

PREFIXED: Dict[str, ChannelName] = {"telegram": "telegram", "wechat": "wechat"}


def channel_of(sender_id: str) -> ChannelName:
    prefix, separator, _ = sender_id.partition(CHANNEL_PREFIX_SEPARATOR)
    if separator and prefix in PREFIXED:
        return PREFIXED[prefix]
    if WEBCHAT_SESSION_ID.match(sender_id):
        return "webchat"
    return "rest"


def last_user_time(events: Iterable[Mapping[str, Any]]) -> float | None:
    """When the user last wrote (the last ``user`` event's timestamp)."""
    times = [float(e["timestamp"]) for e in events if e.get("event") == "user" and e.get("timestamp")]
    return max(times) if times else None


def refusal(channel: ChannelName, reason: str, **values: object) -> Deliverability:
    return {"channel": channel, "deliverable": False, "reason": reason,
            "message": channel_text("delivery", reason, **values)}  # fmt: skip


def not_delivered(status: Deliverability) -> DeliveryResult:
    return {"channel": status["channel"], "delivered": False, "sent": 0, "reason": status["reason"],
            "message": status["message"]}  # fmt: skip


class RestSender:
    """A REST caller gets answers only in the reply to its own request: nothing can be pushed."""

    channel: ChannelName = "rest"

    def deliverability(self, sender_id: str, last_user_at: float | None, now: float) -> Deliverability:
        return refusal("rest", "rest_cannot_push")

    async def send(
        self, sender_id: str, texts: Sequence[str], kind: MessageKind, last_user_at: float | None
    ) -> DeliveryResult:
        return not_delivered(self.deliverability(sender_id, None, time.time()))


class Unconfigured:
    """A channel whose sending side is not set up in this server (e.g. no TELEGRAM_BOT_TOKEN)."""

    def __init__(self, channel: ChannelName, reason: str) -> None:
        self.channel = channel
        self.reason = reason

    def deliverability(self, sender_id: str, last_user_at: float | None, now: float) -> Deliverability:
        return refusal(self.channel, self.reason)

    async def send(
        self, sender_id: str, texts: Sequence[str], kind: MessageKind, last_user_at: float | None
    ) -> DeliveryResult:
        return not_delivered(self.deliverability(sender_id, None, time.time()))


class Router:
    def __init__(
        self,
        senders: Mapping[ChannelName, ChannelSender],
        last_user_at: LastUserAt | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.senders = {"rest": RestSender(), **senders}
        self.last_user_at = last_user_at
        self.clock = clock

    def sender_for(self, sender_id: str) -> ChannelSender:
        channel = channel_of(sender_id)
        return self.senders.get(channel) or Unconfigured(channel, "not_installed")

    def deliverability(self, sender_id: str, events: Iterable[Mapping[str, Any]]) -> Deliverability:
        """Whether ``sender_id`` can be reached now, judged from its conversation's events."""
        return self.sender_for(sender_id).deliverability(sender_id, last_user_time(events), self.clock())

    async def deliver(
        self, sender_id: str, texts: Sequence[str], kind: MessageKind = "bot", last_user_at: float | None = None
    ) -> DeliveryResult:
        sender = self.sender_for(sender_id)
        if last_user_at is None and self.last_user_at is not None:
            last_user_at = await self.last_user_at(sender_id)
        status = sender.deliverability(sender_id, last_user_at, self.clock())
        if not status["deliverable"]:
            return not_delivered(status)
        texts = [t for t in texts if t and t.strip()]
        if not texts:
            return {"channel": sender.channel, "delivered": True, "sent": 0, "reason": None, "message": None}
        try:
            return await sender.send(sender_id, texts, kind, last_user_at)
        except Exception as error:  # noqa: BLE001 - a channel's failure is reported, never raised into a route
            logger.exception("Delivering to %s over %s failed", sender_id, sender.channel)
            failed = refusal(sender.channel, "send_failed", error=type(error).__name__)
            return not_delivered(failed)


_installed: Router | None = None


def install(router: Router | None) -> None:
    """Done once at the composition root (bot/channels/delivery/compose.py)."""
    global _installed
    _installed = router


def installed() -> Router | None:
    return _installed


async def deliver(sender_id: str, texts: Sequence[str], kind: MessageKind = "bot") -> DeliveryResult:
    """Send ``texts`` to ``sender_id`` on the user's own channel, now (see the package docstring)."""
    if _installed is None:
        return not_delivered(refusal(channel_of(sender_id), "not_installed"))
    return await _installed.deliver(sender_id, texts, kind)


def deliverability(sender_id: str, events: Iterable[Mapping[str, Any]]) -> Deliverability:
    """Whether ``sender_id`` can be reached now (shown to staff before they type)."""
    if _installed is None:
        return refusal(channel_of(sender_id), "not_installed")
    return _installed.deliverability(sender_id, events)
