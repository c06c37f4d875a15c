"""What the web chat's pages, channel and staff console share, and nothing else: the form of a web
chat session id and the built static files (web/ → static/, `make web`)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from bot.channels.sender_ids import WEBCHAT_SESSION_ID

STATIC_DIR = Path(__file__).resolve().parent / "static"
# The form no public REST caller may send (bot/channels/sender_ids.py), so web chat sessions stay the web chat's.
SESSION_ID_PATTERN = WEBCHAT_SESSION_ID


def new_session_id() -> str:
    return uuid.uuid4().hex


def valid_session_id(value: Any) -> bool:
    return isinstance(value, str) and bool(SESSION_ID_PATTERN.match(value))


def static_asset(name: str) -> str:
    path = STATIC_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make web` (scripts/build-web.sh) to build the web chat")
    return path.read_text(encoding="utf-8")
