"""The WeChat Official Account webhook, independent of the web framework.

GET: WeChat checks the server (signature → echostr). POST: a user message or event, plain or
encrypted (safe mode). Each message is handled once however often WeChat retries it; the answer
goes back passively when it is ready inside the window (WECHAT_REPLY_WINDOW_S, under WeChat's 5 s),
otherwise through the customer-service API as soon as it is ready.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Set

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from bot.channels.channel_texts import channel_text
from bot.channels.wechat.choices import PendingChoices
from bot.channels.wechat.customer_service import CustomerServiceSender
from bot.channels.wechat.render import WeChatReply, render_reply
from bot.channels.wechat.replay_guard import ReplayGuard
from bot.channels.wechat.retries import OncePerMessage
from bot.channels.wechat.settings import WeChatSettings

logger = logging.getLogger(__name__)

CHANNEL = "wechat"
MAX_BODY_BYTES = 64 * 1024  # a text message is at most a few KB
# Signed requests older (or newer) than this are refused; inside it, replay_guard.py refuses a signature
# used with another body. WeChat retries within ~15 s; servers keep their clocks by NTP.
MAX_CLOCK_SKEW_S = 120
HANDLED_MESSAGES_TTL_S = 2 * MAX_CLOCK_SKEW_S + 60
SEND_LATER_DELAY_S = 1.0  # lets the passive reply reach the user before the pieces that follow it
SUBSCRIBE_EVENTS = {"subscribe", "subscribe_scan"}

AskAssistant = Callable[[str, str, Dict[str, Any]], Awaitable[List[Dict[str, Any]]]]
"""(sender id, text, metadata) → the assistant's reply messages, as the REST channel returns them."""
RecordFeedback = Callable[[str, str], Awaitable[str | None]]
"""(sender id, text) → the reply if the text was a rating (有用 / 没用 …, stored), else None
(bot/channels/wechat/feedback_reply.py)."""


@dataclass
class WebhookResponse:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


def sender_id(openid: str) -> str:
    """One OpenID, one conversation."""
    return f"{CHANNEL}:{openid}"


class WeChatWebhook:
    def __init__(
        self,
        settings: WeChatSettings,
        ask: AskAssistant,
        customer_service: CustomerServiceSender | None = None,
        clock: Callable[[], float] = time.time,
        replay_guard: ReplayGuard | None = None,
        feedback: RecordFeedback | None = None,
    ) -> None:
        self.settings = settings
        self.ask = ask
        self.feedback = feedback
        self.customer_service = customer_service
        self.clock = clock
        self.crypto = (
            WeChatCrypto(settings.token, settings.encoding_aes_key, settings.app_id) if settings.safe_mode else None
        )
        self.choices = PendingChoices()
        self._once: OncePerMessage[str | None] = OncePerMessage(ttl_s=HANDLED_MESSAGES_TTL_S)
        self._background: Set[asyncio.Task] = set()
        self.replays = replay_guard or ReplayGuard(ttl_s=HANDLED_MESSAGES_TTL_S)

    # --- HTTP ------------------------------------------------------------------------------
    def verify(self, args: Mapping[str, str]) -> WebhookResponse:
        """WeChat's server check when the URL is saved in 服务器配置: echo ``echostr`` if signed by our token."""
        if not self._signed(args):
            return WebhookResponse(403, "invalid signature")
        return WebhookResponse(200, args.get("echostr") or "")

    async def receive(self, args: Mapping[str, str], body: bytes) -> WebhookResponse:
        if len(body) > MAX_BODY_BYTES:
            return WebhookResponse(413, "message too large")
        if not self._signed(args):
            return WebhookResponse(403, "invalid signature")
        if not self.replays.accept(args["signature"], args["timestamp"], args["nonce"], body):
            return WebhookResponse(403, "this signature was already used for another message")
        encrypted = (args.get("encrypt_type") or "raw").lower() == "aes"
        if encrypted and self.crypto is None:
            return WebhookResponse(503, "encrypted message, but WECHAT_ENCODING_AES_KEY is not set")
        if not encrypted and self.crypto is not None:
            # In safe mode WeChat encrypts every message (and signs the ciphertext): plaintext is forged.
            return WebhookResponse(403, "safe mode is configured: plaintext messages are refused")
        try:
            xml = self._decrypt(args, body) if encrypted else body.decode("utf-8")
        except (InvalidSignatureException, InvalidAppIdException):
            return WebhookResponse(403, "invalid message signature")
        except Exception as error:  # noqa: BLE001 - any malformed ciphertext is the sender's fault
            logger.info("Undecryptable WeChat message: %s", error)
            return WebhookResponse(400, "malformed encrypted message")
        try:
            message = parse_message(xml)
            # wechatpy converts MsgId and CreateTime with int() when read: "abc" or 5,000 digits raise.
            key = self._message_key(message) if message is not None and message.source else None
        except Exception as error:  # noqa: BLE001 - xmltodict/expat/int() raise many kinds on bad XML
            logger.info("Unparseable WeChat message: %s", error)
            return WebhookResponse(400, "malformed XML")
        if key is None:
            return WebhookResponse(400, "not a WeChat message")
        text = await self._once.outcome(key, lambda: self._handle(message))
        if text is None:
            return WebhookResponse(200, "success")  # WeChat's "no passive reply, do not retry"
        reply = TextReply(source=message.target, target=message.source, content=text).render()
        if encrypted:
            assert self.crypto is not None
            reply = self.crypto.encrypt_message(reply, args["nonce"], args["timestamp"])
        return WebhookResponse(200, reply, "application/xml; charset=utf-8")

    def _signed(self, args: Mapping[str, str]) -> bool:
        signature, timestamp, nonce = args.get("signature"), args.get("timestamp"), args.get("nonce")
        if not (signature and timestamp and nonce):
            return False
        try:
            check_signature(self.settings.token, signature, timestamp, nonce)
            return abs(self.clock() - int(timestamp)) <= MAX_CLOCK_SKEW_S
        except (InvalidSignatureException, ValueError):
            return False

    def _decrypt(self, args: Mapping[str, str], body: bytes) -> str:
        assert self.crypto is not None
        return self.crypto.decrypt_message(body, args.get("msg_signature") or "", args["timestamp"], args["nonce"])

    @staticmethod
    def _message_key(message: Any) -> str:
        if message.id:
            return f"msg:{message.source}:{message.id}"
        return f"event:{message.source}:{message.time}:{getattr(message, 'event', message.type)}"

    # --- one message -----------------------------------------------------------------------
    async def _handle(self, message: Any) -> str | None:
        """What to answer passively to ``message`` (None: "success", nothing or later)."""
        openid = message.source
        if message.type == "event":
            if message.event in SUBSCRIBE_EVENTS:
                return channel_text(CHANNEL, "welcome")
            if message.event == "unsubscribe":
                self.choices.forget(openid)
            return None
        if message.type == "text":
            text = (message.content or "").strip()
        elif message.type == "voice" and getattr(message, "recognition", None):
            text = message.recognition.strip()  # WeChat's speech recognition, when enabled
        else:
            text = ""
        if not text:
            return channel_text(CHANNEL, "non_text")
        chosen = self.choices.payload_for(openid, text)
        if chosen is None and self.feedback is not None:
            rated = await self.feedback(sender_id(openid), text)
            if rated is not None:
                return rated
        return await self._answer(openid, chosen or text)

    async def _answer(self, openid: str, text: str) -> str | None:
        work = asyncio.ensure_future(self._ask(openid, text))
        try:
            reply = await asyncio.wait_for(asyncio.shield(work), self.settings.reply_window_s)
        except asyncio.TimeoutError:
            if self.customer_service is None:
                logger.warning("Answer for %s took longer than the window and cannot be sent later", openid)
                self._in_background(self._remember_when_done(openid, work))
                return channel_text(CHANNEL, "slow_without_api")
            self._in_background(self._send_when_done(openid, work))
            return None
        self.choices.remember(openid, reply.buttons)
        if len(reply.pieces) > 1:
            if self.customer_service is None:
                logger.warning("Long answer for %s cut to its first part: customer-service API not configured", openid)
            else:
                self._in_background(self._send_later(openid, reply.pieces[1:], SEND_LATER_DELAY_S))
        return reply.pieces[0]

    async def _ask(self, openid: str, text: str) -> WeChatReply:
        try:
            messages = await self.ask(sender_id(openid), text, {"channel": CHANNEL})
        except Exception:  # noqa: BLE001 - whatever broke, the user gets a polite answer
            logger.exception("The assistant failed on a WeChat message from %s", openid)
            return WeChatReply(pieces=[channel_text(CHANNEL, "assistant_unavailable")])
        reply = render_reply(messages)
        return reply if reply.pieces else WeChatReply(pieces=[channel_text(CHANNEL, "empty_reply")])

    async def _send_when_done(self, openid: str, work: asyncio.Future) -> None:
        reply: WeChatReply = await work
        self.choices.remember(openid, reply.buttons)
        await self._send_later(openid, reply.pieces, 0)

    async def _remember_when_done(self, openid: str, work: asyncio.Future) -> None:
        reply: WeChatReply = await work
        self.choices.remember(openid, reply.buttons)

    async def _send_later(self, openid: str, pieces: List[str], delay_s: float) -> None:
        assert self.customer_service is not None
        if delay_s:
            await asyncio.sleep(delay_s)
        await self.customer_service.send_texts(openid, pieces)

    def _in_background(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)  # keep a reference until it is done
        task.add_done_callback(self._background.discard)

    async def drain(self) -> None:
        """Wait for replies still being sent (tests; a clean shutdown)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)
