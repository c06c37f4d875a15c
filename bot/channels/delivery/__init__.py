"""Reaching a user on the user's own channel outside a turn: staff replies, the hand-back notice,
and any notice the server sends on its own (e.g. "nobody answered in time").

    from bot.channels.delivery import deliver

    result = await deliver(sender_id, ["您好，……"])            # kind="bot": in the assistant's voice
    result = await deliver(sender_id, [text], kind="staff")     # marked 人工客服 on every channel
    result = await deliver(sender_id, [notice], kind="resumed")  # the widget leaves its 待人工 state
    if not result["delivered"]:
        ...  # result["reason"] (a code) and result["message"] (words for staff) say why

``deliver(sender_id, texts, kind="bot") -> DeliveryResult`` (bot/channels/delivery/contract.py)
never raises: a channel that cannot be reached, or fails, is reported in the result
(``delivered``, ``sent`` = how many texts went out, in order, ``reason``, ``message``). It only
sends: the caller records what was said in the conversation (the console appends a ``BotUttered``).
``deliverability(sender_id, events)`` says beforehand whether a message can reach the user now.

The channel is read from the sender id's form (router.py): web chat (socket.io room, across
replicas through Redis; webchat.py), WeChat (customer-service messages within 48 hours of the
user's last message; wechat.py), Telegram (the Bot API the bridge uses; telegram.py), REST (cannot
be pushed). The router is built from the environment inside the Rasa server (compose.py) when the
web chat channel starts; before that ``deliver`` answers ``reason="not_installed"``.

Only wechat.py and telegram.py here reach into a channel's package (its customer-service sender,
its settings), and only compose.py builds them (tests/test_architecture.py); the staff console and
any other caller use this module's ``deliver`` / ``deliverability`` or the router it is handed.
"""

from __future__ import annotations

from bot.channels.delivery.contract import Deliverability, DeliveryResult, MessageKind
from bot.channels.delivery.router import channel_of, deliver, deliverability

__all__ = ["Deliverability", "DeliveryResult", "MessageKind", "channel_of", "deliver", "deliverability"]
