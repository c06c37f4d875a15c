"""What every channel's sender promises (TypedDict contracts; no Rasa, no channel imports)."""

from __future__ import annotations

from typing import Any, Iterable, Literal, Mapping, Protocol, Sequence, TypedDict

ChannelName = Literal["webchat", "wechat", "telegram", "rest"]

MessageKind = Literal["bot", "staff", "resumed"]
"""What is being delivered: ``bot`` a notice in the assistant's voice; ``staff`` a staff member's
reply (marked as such on every channel); ``resumed`` the hand-back notice (the web chat widget then
hides its 待人工 status)."""


class Deliverability(TypedDict):
    """Whether a message can reach the user now, known before anything is sent (shown to staff)."""

    channel: ChannelName
    deliverable: bool
    # Why not, as a code ("rest_cannot_push", "wechat_not_configured", "wechat_window_closed",
    # "wechat_refused", "telegram_not_configured", "not_installed") and as words for staff.
    reason: str | None
    message: str | None


class DeliveryResult(TypedDict):
    """What became of ``deliver(sender_id, texts)``: ``delivered`` only when every text went out."""

    channel: ChannelName
    delivered: bool
    sent: int  # texts that reached the channel, in order (the rest did not go out)
    reason: str | None
    message: str | None


class ChannelSender(Protocol):
    """One channel's way to reach its user outside a turn. ``recipient`` is the sender id."""

    channel: ChannelName

    def deliverability(self, sender_id: str, last_user_at: float | None, now: float) -> Deliverability: ...

    async def send(
        self, sender_id: str, texts: Sequence[str], kind: MessageKind, last_user_at: float | None
    ) -> DeliveryResult: ...


class Delivery(Protocol):
    """What the staff console is handed (the router, bot/channels/delivery/router.py)."""

    def deliverability(self, sender_id: str, events: Iterable[Mapping[str, Any]]) -> Deliverability: ...

    async def deliver(
        self, sender_id: str, texts: Sequence[str], kind: MessageKind = "bot", last_user_at: float | None = None
    ) -> DeliveryResult: ...
