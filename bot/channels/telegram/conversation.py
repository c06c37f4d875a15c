"""Which Rasa conversation a Telegram update belongs to."""

from __future__ import annotations

from telegram import Chat, User
from telegram.constants import ChatType

CHANNEL = "telegram"


def sender_id(chat: Chat, user: User | None) -> str:
    """One conversation per private chat (``telegram:<chat>``), one per user within a group
    (``telegram:<chat>:<user>``), so members of a group do not answer each other's follow-ups."""
    if chat.type == ChatType.PRIVATE or user is None:
        return f"{CHANNEL}:{chat.id}"
    return f"{CHANNEL}:{chat.id}:{user.id}"
