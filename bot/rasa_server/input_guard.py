"""Hostile or broken input gets a reply or a clean 4xx, never a 5xx or a stuck server.

Installed in the Rasa server process by bot/rasa_server/__main__.py:

- Every channel (REST, socket.io, Telegram, WeChat …) builds a ``UserMessage``; its text is made
  safe there (``clean_text``): non-text becomes text, control characters and unpaired surrogates
  (what invalid UTF-8 turns into) are dropped, the length is cut to ``MAX_MESSAGE_CHARS`` and a
  typed ``/session_start`` is read as words.
  Rasa's DIET attends over every token pair, so a 20,000-character message would cost gigabytes.
- Bodies over ``MAX_BODY_BYTES`` get 413 from Sanic, on every route. What a REST body must be, and
  whose sender id a caller may name, is checked in the REST channel's own handler
  (bot/channels/rest/), so that every variant of its path is guarded.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from typing import Any

DEFAULT_MAX_MESSAGE_CHARS = 1000
MAX_BODY_BYTES = 1_000_000

# C0/C1 control characters except tab and newline; unpaired UTF-16 surrogates; non-characters.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def max_message_chars() -> int:
    try:
        return max(1, int(os.environ.get("MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS)))
    except ValueError:
        return DEFAULT_MAX_MESSAGE_CHARS


# Typed by a user, "/session_start" would forge Rasa's internal session start (which says
# nothing); it is read as plain words instead. Buttons and /restart, /back keep working.
_INTERNAL_COMMANDS = re.compile(r"^/(session_start)\b")


def clean_text(text: Any) -> str:
    """Text Rasa can parse, store and log, whatever a channel handed over."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = json.dumps(text, ensure_ascii=False) if isinstance(text, (dict, list)) else str(text)
    text = _UNSAFE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = text[: max_message_chars()].strip()
    return _INTERNAL_COMMANDS.sub(r"\1", text)


def _install_user_message_cleaning() -> None:
    from rasa.core.channels.channel import UserMessage

    if getattr(UserMessage.__init__, "_cleans_text", False):
        return
    original_init = UserMessage.__init__

    def init_with_clean_text(self: Any, text: Any = None, *args: Any, **kwargs: Any) -> None:
        original_init(self, clean_text(text), *args, **kwargs)

    init_with_clean_text._cleans_text = True  # type: ignore[attr-defined]
    UserMessage.__init__ = init_with_clean_text  # type: ignore[method-assign]


def _install_body_size_limit() -> None:
    import rasa.core.run

    if getattr(rasa.core.run.configure_app, "_limits_body_size", False):
        return
    configure_app = rasa.core.run.configure_app

    def configure_app_with_limit(*args: Any, **kwargs: Any) -> Any:
        app = configure_app(*args, **kwargs)
        app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
        return app

    configure_app_with_limit._limits_body_size = True  # type: ignore[attr-defined]
    rasa.core.run.configure_app = configure_app_with_limit


def install() -> None:
    """Install both guards in this process (idempotent)."""
    _install_user_message_cleaning()
    _install_body_size_limit()
