"""The staff console's conversation list read from the real tracker stores (SQLite and PostgreSQL):
every conversation waiting for a person is listed however many newer ones there are, the most
recent conversations come next, and staff can search and filter them."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SessionStarted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.webchat import console_queue
from bot.paths import DOMAIN
from bot.stores.bounded_tracker_store import BoundedSQLTrackerStore
from bot.stores.sqlite_tracker_store import SQLiteTrackerStore


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(DOMAIN))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, domain: Domain, tmp_path: Path) -> Iterator[Any]:
    if request.param == "sqlite":
        made = SQLiteTrackerStore(domain=domain, db=str(tmp_path / "tracker.db"))
    else:
        # A database of its own per test: the list reads every conversation of the store.
        import sqlalchemy

        url = request.getfixturevalue("postgres_database")
        name = f"q{uuid.uuid4().hex[:10]}"
        admin = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{name}"'))
        admin.dispose()
        made = BoundedSQLTrackerStore(domain=domain, host=f"{url}?options=-csearch_path%3D{name}")
    yield made
    made.engine.dispose()


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def turn(text: str, at: float, channel: str = "webchat", card: dict | None = None) -> List[Event]:
    events: List[Event] = [
        ActionExecuted("action_listen", timestamp=at),
        UserUttered(text, intent={"name": "measure_huishang_service_card", "confidence": 0.9},
                    input_channel=channel, timestamp=at),  # fmt: skip
        ActionExecuted("action_answer_measure", timestamp=at + 0.1),
        BotUttered(f"回答：{text}", timestamp=at + 0.2),
    ]
    if card is not None:
        events.append(BotUttered(None, data={"custom": {"answer_card": card}}, timestamp=at + 0.3))
    return events


async def save(store: Any, sender: str, events: List[Event]) -> None:
    """Saved as the server saves a turn: read the tracker, add the events, save."""
    tracker = await store.retrieve(sender)
    if tracker is None:
        tracker = DialogueStateTracker(sender, store.domain.slots)
        tracker.update(ActionExecuted("action_session_start", timestamp=events[0].timestamp))
        tracker.update(SessionStarted(timestamp=events[0].timestamp))
    for event in events:
        tracker.update(event)
    await store.save(tracker)


def listed(store: Any, **filters: Any) -> List[dict]:
    return run(console_queue.list_conversations(store, **filters))


def test_a_waiting_conversation_is_listed_first_behind_any_number_of_newer_ones(store: Any) -> None:
    # "aa…" sorts before every newer sender id: a list of the alphabetically last ids hides it.
    waiting = "aa-waiting-" + uuid.uuid4().hex[:6]
    run(save(store, waiting, turn("转人工", 1000.0) + [ConversationPaused(timestamp=1000.5)]))
    for n in range(230):
        run(save(store, f"zz-newer-{n:03d}", turn(f"徽商服务卡有什么用{n}", 2000.0 + n, channel="telegram")))

    rows = listed(store)
    assert rows[0]["sender_id"] == waiting
    assert rows[0]["paused"] is True
    # Then the most recent conversations, newest first.
    others = [row["sender_id"] for row in rows[1:]]
    assert others[:3] == ["zz-newer-229", "zz-newer-228", "zz-newer-227"]
    assert len(others) >= 200
