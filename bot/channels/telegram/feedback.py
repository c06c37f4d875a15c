"""有用 / 没用 on Telegram: inline buttons under each answer that can be rated.

Callback data (at most 64 bytes): ``fb:<answer_ref>:u`` (有用), ``fb:<answer_ref>:n`` (没用), then
``fr:<answer_ref>:<reason>`` for the reason buttons that replace them after 没用. 其他 asks for the
user's own words with a ForceReply prompt; the reply to that prompt is stored as the comment.
Ratings go to the Rasa server's ``/webhooks/feedback/ratings`` (bot/channels/feedback_api.py),
never through the dialogue: a tap does not interrupt the conversation.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from typing import Any, Dict, List, Tuple

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.channels.channel_texts import channel_text
from bot.channels.feedback import NOT_USEFUL, REASONS, USEFUL
from bot.channels.rasa_rest_client import AssistantUnavailable, RasaRestClient
from bot.channels.telegram.conversation import CHANNEL, sender_id

logger = logging.getLogger(__name__)

CALLBACK_PATTERN = r"^f[br]:[0-9a-f]{8}:"
_CALLBACK = re.compile(r"^(fb|fr):([0-9a-f]{8}):(\w+)$")
_RATING_CODES = {"u": USEFUL, "n": NOT_USEFUL}
OTHER_REASON = "other"


def rating_row(ref: str) -> List[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(channel_text(CHANNEL, "feedback_useful"), callback_data=f"fb:{ref}:u"),
        InlineKeyboardButton(channel_text(CHANNEL, "feedback_not_useful"), callback_data=f"fb:{ref}:n"),
    ]


def _reason_rows(ref: str) -> List[List[InlineKeyboardButton]]:
    buttons = [InlineKeyboardButton(label, callback_data=f"fr:{ref}:{key}") for key, label in REASONS.items()]
    return [buttons[:2], buttons[2:]]


def _without_feedback_rows(markup: Any) -> List[List[InlineKeyboardButton]]:
    """The message's other buttons (the answer's choices), without any rating or reason row."""
    rows = getattr(markup, "inline_keyboard", None) or []
    return [list(row) for row in rows if not any(_CALLBACK.match(b.callback_data or "") for b in row)]


class TelegramFeedback:
    def __init__(self, rasa: RasaRestClient, capacity: int = 10000) -> None:
        self.rasa = rasa
        self.capacity = capacity
        # ForceReply prompts sent after 其他 → (conversation, answer): the user's reply is the comment.
        self._prompts: OrderedDict[Tuple[int, int], Tuple[str, str]] = OrderedDict()

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        match = _CALLBACK.match((query.data if query else "") or "")
        if query is None or match is None or update.effective_chat is None:
            return
        kind, ref, code = match.groups()
        sender = sender_id(update.effective_chat, query.from_user)
        if kind == "fb" and code in _RATING_CODES:
            rating = _RATING_CODES[code]
            stored = await self._store(sender, {"answer_ref": ref, "rating": rating})
            thanks = "feedback_why" if rating == NOT_USEFUL else "feedback_thanks"
            await query.answer(channel_text(CHANNEL, thanks if stored else "feedback_failed"))
            if stored:
                rows = _without_feedback_rows(getattr(query.message, "reply_markup", None))
                if rating == NOT_USEFUL:
                    rows += _reason_rows(ref)
                await self._set_buttons(query.message, rows)
        elif kind == "fr" and code in REASONS:
            stored = await self._store(sender, {"answer_ref": ref, "rating": NOT_USEFUL, "reason": code})
            await query.answer(channel_text(CHANNEL, "feedback_reason_thanks" if stored else "feedback_failed"))
            if stored:
                await self._set_buttons(
                    query.message, _without_feedback_rows(getattr(query.message, "reply_markup", None))
                )
            if stored and code == OTHER_REASON:
                prompt = await context.bot.send_message(
                    chat_id=update.effective_chat.id,
                    text=channel_text(CHANNEL, "feedback_comment_prompt"),
                    reply_markup=ForceReply(selective=True),
                )
                self._remember(update.effective_chat.id, prompt.message_id, sender, ref)
        else:
            await query.answer(channel_text(CHANNEL, "button_expired"), show_alert=True)

    async def comment(self, message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Stores ``message`` as the comment if it replies to a 其他 prompt; False if it does not."""
        replied = message.reply_to_message
        if replied is None:
            return False
        key = (message.chat.id, replied.message_id)
        if key not in self._prompts:
            return False
        sender, ref = self._prompts.pop(key)
        raw = {"answer_ref": ref, "rating": NOT_USEFUL, "reason": OTHER_REASON, "comment": (message.text or "")[:500]}
        stored = await self._store(sender, raw)
        text = channel_text(CHANNEL, "feedback_reason_thanks" if stored else "feedback_failed")
        await context.bot.send_message(chat_id=message.chat.id, text=text)
        return True

    async def _store(self, sender: str, rating: Dict[str, Any]) -> bool:
        try:
            await self.rasa.send_feedback(sender, rating)
            return True
        except AssistantUnavailable as error:
            logger.warning("Rating for %s not stored: %s", sender, error)
            return False

    async def _set_buttons(self, message: Any, rows: List[List[InlineKeyboardButton]]) -> None:
        if message is None:
            return
        try:
            await message.edit_reply_markup(reply_markup=InlineKeyboardMarkup(rows) if rows else None)
        except TelegramError as error:  # an old message can no longer be edited: the rating is stored anyway
            logger.debug("editMessageReplyMarkup failed: %s", error)

    def _remember(self, chat_id: int, message_id: int, sender: str, ref: str) -> None:
        self._prompts[(chat_id, message_id)] = (sender, ref)
        while len(self._prompts) > self.capacity:
            self._prompts.popitem(last=False)
