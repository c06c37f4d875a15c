"""What the web chat's pages, channel and staff console share, and nothing else: the form of a web
chat session id and the built static files (web/ → static/, `make web`)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

STATIC_DIR = Path(__file__).resolve().parent / "static"
SESSION_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")


def new_session_id() -> str:
    return uuid.uuid4().hex


def valid_session_id(value: Any) -> bool:
    return isinstance(value, str) and bool(SESSION_ID_PATTERN.match(value))


def static_asset(name: str) -> str:
    path = STATIC_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make web` (scripts/build-web.sh) to build the web chat")
    return path.read_text(encoding="utf-8")
