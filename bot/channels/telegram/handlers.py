"""What the Telegram bridge does with each update: commands, text, button taps, everything else."""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List

from telegram import Chat, Message, ReplyParameters, Update, User
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.channels.channel_texts import channel_text
from bot.channels.rasa_rest_client import AssistantUnavailable, RasaRestClient
from bot.channels.telegram.conversation import CHANNEL, sender_id
from bot.channels.telegram.feedback import TelegramFeedback, rating_row
from bot.channels.telegram.render import CallbackPayloads, TelegramReply, inline_keyboard, render_reply

logger = logging.getLogger(__name__)

RESTART_PAYLOAD = "/restart"  # Rasa's built-in restart intent → action_restart (RulePolicy default rule)


def strip_mention(text: str, username: str | None) -> str:
    """The question without ``@botname`` (how group members address the bot)."""
    if username:
        text = re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


class TelegramHandlers:
    """The callbacks registered in telegram_bridge.build_application.

    Updates of one conversation arrive here one at a time (ConversationOrderedUpdateProcessor).
    """

    def __init__(self, rasa: RasaRestClient, payloads: CallbackPayloads | None = None) -> None:
        self.rasa = rasa
        self.payloads = payloads or CallbackPayloads()
        self.feedback = TelegramFeedback(rasa)

    # --- commands -------------------------------------------------------------------------
    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = channel_text(CHANNEL, "welcome") + "\n\n" + channel_text(CHANNEL, "help")
        await self._send(context, update.effective_chat, [TelegramReply(text)], update.effective_message)

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._send(context, update.effective_chat, [TelegramReply(channel_text(CHANNEL, "help"))])

    async def reset(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sender = sender_id(update.effective_chat, update.effective_user)
        try:
            await self.rasa.send(sender, RESTART_PAYLOAD, self._metadata(update.effective_chat))
            text = channel_text(CHANNEL, "reset_done")
        except AssistantUnavailable as error:
            logger.warning("Rasa unavailable while resetting %s: %s", sender, error)
            text = channel_text(CHANNEL, "assistant_unavailable")
        await self._send(context, update.effective_chat, [TelegramReply(text)], update.effective_message)

    # --- messages -------------------------------------------------------------------------
    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not self._addressed_to_bot(message, context):
            return
        if await self.feedback.comment(message, context):  # the words after 其他, not a question
            return
        question = strip_mention(message.text or "", context.bot.username)
        if not question:
            await self._send(context, chat, [TelegramReply(channel_text(CHANNEL, "help"))], message)
            return
        await self._converse(context, chat, update.effective_user, question, message)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        payload = self.payloads.payload(query.data or "")
        if payload is None:
            await query.answer(channel_text(CHANNEL, "button_expired"), show_alert=True)
            return
        title = self._button_title(query.message, query.data) or payload
        await query.answer(channel_text(CHANNEL, "chose", title=title))
        chat = update.effective_chat
        if chat is not None:
            await self._converse(context, chat, query.from_user, payload, None)

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not self._addressed_to_bot(message, context):
            return
        await self._send(context, chat, [TelegramReply(channel_text(CHANNEL, "help"))], message)

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not self._addressed_to_bot(message, context):
            return
        await self._send(context, chat, [TelegramReply(channel_text(CHANNEL, "non_text"))], message)

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.error("Error while handling a Telegram update: %s", context.error, exc_info=context.error)

    # --- helpers --------------------------------------------------------------------------
    async def _converse(
        self, context: ContextTypes.DEFAULT_TYPE, chat: Chat, user: User | None, text: str, message: Message | None
    ) -> None:
        sender = sender_id(chat, user)
        await self._typing(context, chat)
        try:
            replies = render_reply(await self.rasa.send(sender, text, self._metadata(chat)))
        except AssistantUnavailable as error:
            logger.warning("Rasa unavailable for %s: %s", sender, error)
            replies = [TelegramReply(channel_text(CHANNEL, "assistant_unavailable"))]
        if not replies:
            replies = [TelegramReply(channel_text(CHANNEL, "empty_reply"))]
        await self._send(context, chat, replies, message)

    async def _send(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        chat: Chat | None,
        replies: List[TelegramReply],
        quote: Message | None = None,
    ) -> None:
        if chat is None:
            return
        # In a group, the first message quotes the question so everyone sees whom it answers.
        reply_to = None
        if quote is not None and chat.type != ChatType.PRIVATE:
            reply_to = ReplyParameters(message_id=quote.message_id, allow_sending_without_reply=True)
        thread_id = quote.message_thread_id if quote is not None and quote.is_topic_message else None
        for reply in replies:
            await context.bot.send_message(
                chat_id=chat.id,
                text=reply.text,
                reply_markup=inline_keyboard(
                    reply.buttons, self.payloads, rating_row(reply.feedback_ref) if reply.feedback_ref else None
                ),
                reply_parameters=reply_to,
                message_thread_id=thread_id,
            )
            reply_to = None

    async def _typing(self, context: ContextTypes.DEFAULT_TYPE, chat: Chat) -> None:
        try:
            await context.bot.send_chat_action(chat_id=chat.id, action=ChatAction.TYPING)
        except TelegramError as error:  # only a courtesy: never let it stop the answer
            logger.debug("sendChatAction failed: %s", error)

    def _addressed_to_bot(self, message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Private chats: always. Groups: only messages that @mention the bot or reply to it."""
        if message.chat.type == ChatType.PRIVATE:
            return True
        username = context.bot.username
        text = message.text or message.caption or ""
        if username and re.search(rf"@{re.escape(username)}\b", text, flags=re.IGNORECASE):
            return True
        replied = message.reply_to_message
        return bool(replied and replied.from_user and replied.from_user.id == context.bot.id)

    @staticmethod
    def _button_title(message: Any, callback_data: str | None) -> str | None:
        markup = getattr(message, "reply_markup", None)
        for row in getattr(markup, "inline_keyboard", None) or []:
            for button in row:
                if button.callback_data == callback_data:
                    return button.text
        return None

    @staticmethod
    def _metadata(chat: Chat) -> Dict[str, Any]:
        return {"channel": CHANNEL, "chat_type": chat.type}
