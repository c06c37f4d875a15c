"""WeChat: customer-service messages (客服消息, message/custom/send) through wechatpy.

WeChat lets an account send them only within 48 hours of the user's last message (error 45015
after), and only an account allowed to use the API (a verified 服务号; error 48001 otherwise), and
only with WECHAT_APPID / WECHAT_APP_SECRET configured. The first is known from the tracker; the
other two are said before staff type; a refusal WeChat gives at sending is remembered (in Redis
across replicas when REDIS_URL is set, bot/channels/delivery/wechat_refusals.py): 48001 for the
account (an hour, then tried again), 45015 for the user until the user writes again.
"""

from __future__ import annotations

import time
from typing import Sequence

from bot.channels.channel_texts import channel_text
from bot.channels.delivery.contract import ChannelName, Deliverability, DeliveryResult, MessageKind
from bot.channels.delivery.router import refusal
from bot.channels.delivery.wechat_refusals import REPLY_WINDOW_S, InProcessRefusals, WeChatRefusals
from bot.channels.reply_text import split_text, utf8_size
from bot.channels.wechat.customer_service import NO_PERMISSION, WINDOW_CLOSED, CustomerServiceSender
from bot.channels.wechat.render import MAX_TEXT_BYTES

PREFIX = "wechat:"
OK: Deliverability = {"channel": "wechat", "deliverable": True, "reason": None, "message": None}


def openid_of(sender_id: str) -> str:
    return sender_id[len(PREFIX) :]


class WeChatSender:
    channel: ChannelName = "wechat"

    def __init__(self, customer_service: CustomerServiceSender | None, refusals: WeChatRefusals | None = None) -> None:
        """``customer_service``: None when WECHAT_APPID / WECHAT_APP_SECRET are not configured;
        ``refusals``: where WeChat's refusals are remembered (this process unless given)."""
        self.customer_service = customer_service
        self.refusals: WeChatRefusals = refusals if refusals is not None else InProcessRefusals()

    def deliverability(self, sender_id: str, last_user_at: float | None, now: float) -> Deliverability:
        if self.customer_service is None:
            return refusal("wechat", "wechat_not_configured")
        if self.refusals.account_refused(now):
            return refusal("wechat", "wechat_refused")
        openid = openid_of(sender_id)
        if last_user_at is None or now - last_user_at >= REPLY_WINDOW_S:
            return refusal("wechat", "wechat_window_closed")
        if self.refusals.window_closed(openid, last_user_at):
            return refusal("wechat", "wechat_window_closed")  # WeChat said so; the user has not written since
        return OK

    async def send(
        self, sender_id: str, texts: Sequence[str], kind: MessageKind, last_user_at: float | None
    ) -> DeliveryResult:
        assert self.customer_service is not None
        openid = openid_of(sender_id)
        pieces = [piece for text in texts for piece in split_text(_marked(text, kind), MAX_TEXT_BYTES, utf8_size)]
        outcome = await self.customer_service.send_in_order(openid, pieces)
        if outcome.errcode is None:
            return {"channel": "wechat", "delivered": True, "sent": len(texts), "reason": None, "message": None}
        if outcome.errcode == NO_PERMISSION:
            self.refusals.refuse_account(time.time())
            status = refusal("wechat", "wechat_refused")
        elif outcome.errcode == WINDOW_CLOSED:
            self.refusals.close_window(openid, last_user_at)
            status = refusal("wechat", "wechat_window_closed")
        else:
            status = refusal("wechat", "wechat_error", errcode=outcome.errcode, error=outcome.error or "")
        sent_texts = _texts_fully_sent(texts, kind, outcome.sent)
        return {"channel": "wechat", "delivered": False, "sent": sent_texts, "reason": status["reason"],
                "message": status["message"]}  # fmt: skip


def _marked(text: str, kind: MessageKind) -> str:
    return channel_text("wechat", "staff_reply", text=text) if kind == "staff" else text


def _texts_fully_sent(texts: Sequence[str], kind: MessageKind, pieces_sent: int) -> int:
    done = 0
    for text in texts:
        pieces_sent -= len(split_text(_marked(text, kind), MAX_TEXT_BYTES, utf8_size))
        if pieces_sent < 0:
            break
        done += 1
    return done
