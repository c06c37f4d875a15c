"""One sender cannot queue unbounded work (issue 17): at most ``MAX_TURNS_PER_SENDER`` of a
sender's messages are in this server at once (one being answered, the rest waiting for the
sender's lock); a message beyond that is answered at once with "请稍候…" (channel_texts.yml,
``busy``) on the channel it came from, and not processed.

Why here: every channel (REST, socket.io, WeChat, the Telegram bridge through REST) hands its
messages to ``Agent.handle_message``, which waits for the sender's lock and then runs NLU and the
policies. A client posting 200 messages for one sender had 200 requests parked in the server,
each to be run in turn, and each holding its connection; now 197 of them get a cheap answer.
Other senders are untouched. In a cluster each replica counts its own, so a sender may have up to
``MAX_TURNS_PER_SENDER`` per replica.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from typing import Any

from bot.channels.channel_texts import channel_text

logger = logging.getLogger(__name__)

DEFAULT_MAX_TURNS_PER_SENDER = 5  # a person typing several short messages in a row stays under it


def max_turns_per_sender() -> int:
    try:
        return max(1, int(os.environ.get("MAX_TURNS_PER_SENDER", DEFAULT_MAX_TURNS_PER_SENDER)))
    except ValueError:
        return DEFAULT_MAX_TURNS_PER_SENDER


def install() -> None:
    """Patch ``Agent.handle_message`` in this process (idempotent)."""
    from rasa.core.agent import Agent

    if getattr(Agent.handle_message, "_limits_senders", False):
        return
    original = Agent.handle_message
    in_flight: Counter = Counter()
    limit = max_turns_per_sender()

    async def handle_message_within_limit(self: Any, message: Any) -> Any:
        sender = message.sender_id
        if in_flight[sender] >= limit:
            logger.info("Sender %s has %d messages in progress: asked to wait", sender, in_flight[sender])
            if message.output_channel is not None:
                channel = message.input_channel or "common"
                await message.output_channel.send_text_message(sender, channel_text(channel, "busy"))
            return None
        in_flight[sender] += 1
        try:
            return await original(self, message)
        finally:
            in_flight[sender] -= 1
            if in_flight[sender] <= 0:
                del in_flight[sender]

    handle_message_within_limit._limits_senders = True  # type: ignore[attr-defined]
    Agent.handle_message = handle_message_within_limit  # type: ignore[method-assign]
