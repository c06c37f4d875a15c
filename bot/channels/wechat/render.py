"""Rasa's reply messages → WeChat text: the answer, a citation line for the card, numbered choices.

Length limits. WeChat's 被动回复用户消息 guide (developers.weixin.qq.com/doc/offiaccount/
Message_Management/Passive_user_reply_message.html) gives the 5-second window, the three retries
and the "success" answer; the interface documentation limits a text reply's Content to 2048
bytes (a limit counted in UTF-8 bytes, about 680 Chinese characters, as community write-ups on
"文本消息长度限制" measured). The customer-service text message (客服消息, message/custom/send)
documents no larger limit, so the same 2048-byte bound is used for every piece we send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Sequence

from bot.channels.channel_texts import channel_text
from bot.channels.feedback import refs_of_reply
from bot.channels.reply_text import buttons_of, numbered_choices, split_text, utf8_size, without_cards

MAX_TEXT_BYTES = 2048


@dataclass
class WeChatReply:
    """One turn of the assistant as WeChat texts: ``pieces[0]`` can go back passively, the rest later."""

    pieces: List[str]
    buttons: List[Dict[str, Any]] = field(default_factory=list)


def render_reply(messages: Sequence[Dict[str, Any]]) -> WeChatReply:
    texts: List[str] = []
    buttons: List[Dict[str, Any]] = []
    shown, footers = without_cards(messages)
    for message in shown:
        for part in (message.get("text"), message.get("image"), message.get("attachment")):
            if isinstance(part, str) and part.strip():
                texts.append(part.strip())
        buttons += buttons_of(message)
    blocks = (texts + ["\n".join(footers)]) if footers else list(texts)
    if buttons:
        blocks.append(numbered_choices(buttons, channel_text("wechat", "choices_hint")))
    if refs_of_reply(messages):  # an answer the user can rate (bot/channels/wechat/feedback_reply.py)
        blocks.append(channel_text("wechat", "feedback_ask"))
    # XML CDATA cannot contain "]]>"; nothing we say needs it.
    full = "\n\n".join(blocks).replace("]]>", "]] >")
    return WeChatReply(pieces=split_text(full, MAX_TEXT_BYTES, utf8_size), buttons=buttons)
