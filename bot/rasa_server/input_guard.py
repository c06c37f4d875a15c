"""Hostile or broken input gets a reply or a clean 4xx, never a 5xx or a stuck server.

Installed in the Rasa server process by bot/rasa_server/__main__.py:

- Every channel (REST, socket.io, Telegram, WeChat …) builds a ``UserMessage``; its text is made
  safe there (``clean_text``): non-text becomes text, control characters and unpaired surrogates
  (what invalid UTF-8 turns into) are dropped, the length is cut to ``MAX_MESSAGE_CHARS`` and a
  typed ``/session_start`` is read as words.
  Rasa's DIET attends over every token pair, so a 20,000-character message would cost gigabytes.
- The REST webhook's body must be a JSON object with a text ``message`` and a text ``sender``
  (or none); anything else gets 400 with a JSON error instead of Rasa's 500. Bodies over
  ``MAX_BODY_BYTES`` get 413 from Sanic.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from typing import Any

DEFAULT_MAX_MESSAGE_CHARS = 1000
MAX_BODY_BYTES = 1_000_000
MAX_SENDER_CHARS = 255  # Rasa's SQL tracker store keeps sender_id in a VARCHAR(255)
REST_WEBHOOK_PATH = "/webhooks/rest/webhook"

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


def rest_body_problem(body: bytes) -> str | None:
    """Why a REST webhook body cannot be a user message, or None if it can."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        return "the body is not valid UTF-8"
    except ValueError:
        return "the body is not valid JSON"
    if not isinstance(payload, dict):
        return 'the body must be a JSON object like {"sender": "…", "message": "…"}'
    if not isinstance(payload.get("message"), str):
        return '"message" must be a string'
    sender = payload.get("sender")
    if sender is not None and (
        not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS or _UNSAFE.search(sender)
    ):
        return f'"sender" must be a non-empty string of at most {MAX_SENDER_CHARS} printable characters'
    if payload.get("metadata") is not None and not isinstance(payload["metadata"], dict):
        return '"metadata" must be a JSON object'
    return None


def _install_user_message_cleaning() -> None:
    from rasa.core.channels.channel import UserMessage

    if getattr(UserMessage.__init__, "_cleans_text", False):
        return
    original_init = UserMessage.__init__

    def init_with_clean_text(self: Any, text: Any = None, *args: Any, **kwargs: Any) -> None:
        original_init(self, clean_text(text), *args, **kwargs)

    init_with_clean_text._cleans_text = True  # type: ignore[attr-defined]
    UserMessage.__init__ = init_with_clean_text  # type: ignore[method-assign]


def _install_rest_validation() -> None:
    import rasa.core.run
    from sanic import response

    if getattr(rasa.core.run.configure_app, "_validates_rest", False):
        return
    configure_app = rasa.core.run.configure_app

    async def reject_bad_rest_bodies(request: Any) -> Any:
        if request.method == "POST" and request.path == REST_WEBHOOK_PATH:
            problem = rest_body_problem(request.body or b"")
            if problem:
                return response.json({"error": "bad_request", "message": problem}, status=400)
        return None

    def configure_app_with_guard(*args: Any, **kwargs: Any) -> Any:
        app = configure_app(*args, **kwargs)
        app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
        app.register_middleware(reject_bad_rest_bodies, "request")
        return app

    configure_app_with_guard._validates_rest = True  # type: ignore[attr-defined]
    rasa.core.run.configure_app = configure_app_with_guard


def install() -> None:
    """Install both guards in this process (idempotent)."""
    _install_user_message_cleaning()
    _install_rest_validation()
