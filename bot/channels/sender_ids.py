"""The form of each channel's sender ids, so that no caller can speak for another channel's user.

Every conversation is filed under its sender id. The public REST channel lets its caller name its
own id (Rasa's contract), so the ids of the other channels must have forms a public REST caller
cannot send:

- Telegram ``telegram:<chat>`` / ``telegram:<chat>:<user>`` and WeChat ``wechat:<openid>``: the
  ``:`` is reserved for channel prefixes; a public REST id never holds one.
- Web chat: 32 lowercase hex characters issued by the server (bot/channels/webchat/assets.py); a
  public REST id of that form is refused.

A public REST id is 1-128 of ``A-Z a-z 0-9 . _ - @ +`` starting with a letter or digit: no
spaces, no invisible (zero-width, bidi) or look-alike characters that would make two ids look the
same in the staff console or a log. Internal callers (bot/channels/internal_callers.py) may name
any id without invisible characters.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

CHANNEL_PREFIX_SEPARATOR = ":"
WEBCHAT_SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
PUBLIC_REST_SENDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+\-]{0,127}$")
MAX_SENDER_CHARS = 255  # Rasa's SQL tracker store keeps sender_id in a VARCHAR(255)


class SenderRefused(ValueError):
    """Why a sender id is not acceptable; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _invisible_or_space(ch: str) -> bool:
    # C*: control, format (zero-width, bidi marks and isolates, BOM), surrogate, private use,
    # unassigned; Z*: every kind of space and line/paragraph separator.
    return unicodedata.category(ch)[0] in "CZ"


def check_any_sender(sender: Any) -> str:
    """A sender id any channel may use: a non-empty printable string without spaces or invisible characters."""
    if not isinstance(sender, str) or not sender:
        raise SenderRefused('"sender" must be a non-empty string')
    if len(sender) > MAX_SENDER_CHARS:
        raise SenderRefused(f'"sender" is at most {MAX_SENDER_CHARS} characters')
    if any(_invisible_or_space(ch) for ch in sender):
        raise SenderRefused('"sender" may not hold spaces, control or invisible (zero-width, bidi) characters')
    return sender


def check_public_rest_sender(sender: Any) -> str:
    """The sender id a public REST caller named, if it is inside the REST channel's namespace."""
    if sender is None:
        # Rasa would file it under "default": every caller without a sender would share one conversation.
        raise SenderRefused('name your own conversation: "sender" is required (e.g. a random id you keep)')
    check_any_sender(sender)
    if CHANNEL_PREFIX_SEPARATOR in sender:
        raise SenderRefused(
            f'sender ids with "{CHANNEL_PREFIX_SEPARATOR}" belong to other channels (Telegram, WeChat)', status=403
        )
    if WEBCHAT_SESSION_ID.match(sender):
        raise SenderRefused("sender ids of 32 hex characters belong to web chat sessions", status=403)
    if not PUBLIC_REST_SENDER.match(sender):
        raise SenderRefused('"sender" is 1-128 characters A-Z a-z 0-9 . _ - @ +, starting with a letter or digit')
    return sender
