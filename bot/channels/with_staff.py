"""A message that reaches a conversation staff have (转人工 paused the bot): Rasa stores it (staff
see it in the console) and answers nothing. On Telegram and WeChat nothing would read as "no answer
found" (their channels' empty-reply text); instead the user is told the message reached staff."""

from __future__ import annotations

from typing import Any, Dict, List

from bot.channels.channel_texts import channel_text


async def reply_while_with_staff(
    agent: Any, sender_id: str, channel: str, messages: List[Dict[str, Any]]
) -> List[Dict[str, Any]]:
    """``messages`` as they are, or, when there are none because the bot is paused, the notice."""
    if messages or agent is None:
        return messages
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None or not tracker.is_paused():
        return messages
    return [{"recipient_id": sender_id, "text": channel_text(channel, "with_staff")}]
