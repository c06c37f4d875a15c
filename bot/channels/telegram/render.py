"""Rasa's reply messages → Telegram messages: text, inline keyboards, the answer card as a footer."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, List, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.channels.feedback import refs_of_reply
from bot.channels.reply_text import buttons_of, split_text, utf8_size, utf16_size, without_cards

STORED_PAYLOAD_PREFIX = "p:"


@dataclass
class TelegramReply:
    """One Telegram message to send: plain text (no parse mode) and its buttons."""

    text: str
    buttons: List[Dict[str, Any]] = field(default_factory=list)
    # The answer the 有用 / 没用 buttons under this message rate (bot/channels/telegram/feedback.py).
    feedback_ref: str | None = None


class CallbackPayloads:
    """Button payloads by callback data.

    Telegram carries at most 64 bytes of callback data per button, less than a Rasa payload
    such as ``/inform{"counter_guarantee": "credit"}`` can be. Short payloads travel as they
    are; longer ones are kept here (the most recent ``capacity``) under a short key.
    """

    def __init__(self, capacity: int = 20000) -> None:
        self.capacity = capacity
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def callback_data(self, payload: str) -> str:
        fits = utf8_size(payload) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
        if fits and not payload.startswith(STORED_PAYLOAD_PREFIX):
            return payload
        key = STORED_PAYLOAD_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self.capacity:
            self._payloads.popitem(last=False)
        return key

    def payload(self, callback_data: str) -> str | None:
        """The payload behind a tapped button; ``None`` if it was stored and has been forgotten."""
        if callback_data.startswith(STORED_PAYLOAD_PREFIX):
            return self._payloads.get(callback_data)
        return callback_data


def render_reply(messages: Sequence[Dict[str, Any]]) -> List[TelegramReply]:
    """The Telegram messages for one turn of the assistant.

    Rasa's REST channel cuts a text at every blank line into separate messages; they are joined
    again (one answer, one Telegram message) up to the message that carries buttons. The answer
    card becomes a cited footer under the turn's last text; other custom payloads have no
    Telegram rendering and are left out.
    """
    replies: List[TelegramReply] = []
    open_reply: TelegramReply | None = None  # texts are still being joined into it
    shown, footers = without_cards(messages)
    for message in shown:
        text = (message.get("text") or "").strip()
        for link in (message.get("image"), message.get("attachment")):
            if isinstance(link, str) and link:
                text = f"{text}\n{link}".strip()
        buttons = buttons_of(message)
        if not text and not buttons:
            continue
        if open_reply is None:
            open_reply = TelegramReply(text="")
            replies.append(open_reply)
        open_reply.text = "\n\n".join(part for part in (open_reply.text, text) if part)
        if buttons:
            open_reply.text = open_reply.text or "请选择："
            open_reply.buttons = buttons
            open_reply = None
    if footers:
        footer_text = "\n".join(footers)
        if replies:
            replies[-1].text = f"{replies[-1].text}\n\n{footer_text}"
        else:
            replies.append(TelegramReply(text=footer_text))
    pieces = [piece for reply in replies for piece in _split(reply)]
    refs = refs_of_reply(messages)
    if refs and pieces:
        pieces[-1].feedback_ref = refs[-1]  # one answer per turn: its buttons go under its last piece
    return pieces


def _split(reply: TelegramReply) -> List[TelegramReply]:
    """Telegram refuses texts over 4096 characters: cut them, the buttons go under the last piece."""
    pieces = split_text(reply.text, MessageLimit.MAX_TEXT_LENGTH, utf16_size)
    return [TelegramReply(text=p, buttons=reply.buttons if i == len(pieces) - 1 else []) for i, p in enumerate(pieces)]


def inline_keyboard(
    buttons: Sequence[Dict[str, Any]],
    payloads: CallbackPayloads,
    feedback_row: List[InlineKeyboardButton] | None = None,
) -> InlineKeyboardMarkup | None:
    """One button per row (Chinese titles are long); a tap sends the button's payload back. The
    rating buttons, if any, share the last row."""
    rows = [
        [InlineKeyboardButton(str(b.get("title") or b["payload"]), callback_data=payloads.callback_data(b["payload"]))]
        for b in buttons
    ]
    if feedback_row:
        rows.append(feedback_row)
    return InlineKeyboardMarkup(rows) if rows else None
