"""Reading conversation events from Rasa's SQL tracker store (SQLite or PostgreSQL).

Reads the ``events`` table that Rasa's SQLTrackerStore writes; nothing here imports Rasa.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List

from sqlalchemy import create_engine, inspect, text

from bot.paths import VAR_DIR

DEFAULT_TRACKER_DB = VAR_DIR / "tracker.db"


class TrackerStoreUnavailable(RuntimeError):
    pass


def tracker_store_url(url: str | None = None) -> str:
    """The tracker store to read: the argument, TRACKER_STORE_URL, a PostgreSQL DATABASE_URL,
    else the default SQLite file that `make run` writes."""
    if url:
        return url
    for name in ("TRACKER_STORE_URL", "DATABASE_URL"):
        value = os.environ.get(name, "").strip()
        if value.startswith(("postgresql", "postgres://")) or (name == "TRACKER_STORE_URL" and value):
            return value.replace("postgres://", "postgresql://", 1)
    return f"sqlite:///{DEFAULT_TRACKER_DB}"


@dataclass
class Turn:
    """One user message and what the bot answered to it."""

    sender_id: str
    timestamp: float
    text: str
    intent: str | None
    confidence: float | None
    cards: List[Dict[str, Any]] = field(default_factory=list)
    bot_texts: List[str] = field(default_factory=list)


def _rows(url: str) -> Iterator[Any]:
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists():
        return iter(())
    try:
        engine = create_engine(url, future=True)
        with engine.connect() as connection:
            if not inspect(connection).has_table("events"):
                return iter(())
            query = text(
                "SELECT sender_id, type_name, timestamp, data FROM events "
                "WHERE type_name IN ('user', 'bot') ORDER BY sender_id, timestamp, id"
            )
            return iter(connection.execute(query).all())
    except Exception as error:  # noqa: BLE001 - any driver error means the same to the user
        raise TrackerStoreUnavailable(
            f"Cannot read the tracker store at {url}: {error.__class__.__name__}: {error}. "
            "Check DATABASE_URL / TRACKER_STORE_URL or pass --tracker-store."
        ) from error


def read_turns(url: str) -> List[Turn]:
    """Every user turn with the bot messages that followed it, in conversation order."""
    turns: List[Turn] = []
    current: Dict[str, Turn] = {}
    for sender_id, type_name, timestamp, raw in _rows(url):
        try:
            data = json.loads(raw or "{}")
        except json.JSONDecodeError:
            continue
        if type_name == "user":
            intent = (data.get("parse_data") or {}).get("intent") or {}
            turn = Turn(
                sender_id=sender_id,
                timestamp=timestamp or 0.0,
                text=data.get("text") or "",
                intent=intent.get("name"),
                confidence=intent.get("confidence"),
            )
            turns.append(turn)
            current[sender_id] = turn
        elif sender_id in current:
            turn = current[sender_id]
            if data.get("text"):
                turn.bot_texts.append(data["text"])
            card = ((data.get("data") or {}).get("custom") or {}).get("answer_card")
            if isinstance(card, dict):
                turn.cards.append(card)
    return turns
