"""The bounded tracker store (bot/stores/bounded_tracker_store.py) on SQLite and PostgreSQL: a turn
reads a checkpoint and the last turns, the policies see the same recent states as from the whole
conversation, and nothing is lost: every event is stored once, in order, and every reader other
than the message loop still gets the whole conversation."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from bot.paths import DOMAIN
from bot.stores import bounded_tracker_store as bounded
from bot.stores.bounded_tracker_store import BoundedSQLTrackerStore, recent_events_only
from bot.stores.sqlite_tracker_store import SQLiteTrackerStore

KEPT, MOST = bounded.DEFAULT_RECENT_TURNS_KEPT, bounded.DEFAULT_RECENT_TURNS_MAX


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(DOMAIN))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, domain: Domain, tmp_path: Path) -> Iterator[Any]:
    if request.param == "sqlite":
        made = SQLiteTrackerStore(domain=domain, db=str(tmp_path / "tracker.db"))
    else:
        made = BoundedSQLTrackerStore(domain=domain, host=request.getfixturevalue("postgres_database"))
    yield made
    made.engine.dispose()


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def message_loop_tracker(store: Any, sender: str) -> Any:
    """What the Rasa server's message loop reads (bot/rasa_server/recent_tracker.py)."""
    with recent_events_only():
        tracker = await store.retrieve(sender)
    if tracker is None:
        tracker = await store.create_tracker(sender, append_action_listen=False)
    return tracker


def answer_turn(number: int) -> List[Event]:
    measure = ["huishang_service_card", "guarantee_fee_subsidy", "technology_upgrade"][number % 3]
    return [
        ActionExecuted("action_listen"),
        UserUttered(f"问题{number}", intent={"name": f"measure_{measure}", "confidence": 0.9}),
        SlotSet("current_measure", measure),
        ActionExecuted("action_answer_measure"),
        BotUttered(f"回答{number}（第13条）"),
    ]


async def converse(store: Any, sender: str, turns: List[List[Event]], written: List[Event]) -> Any:
    """Each turn as the message loop handles it: read the view, add the turn's events, save."""
    tracker = None
    for events in turns:
        tracker = await message_loop_tracker(store, sender)
        before = len(tracker.events)
        for event in events:
            tracker.update(event)
        written.extend(list(tracker.events)[before:])
        await store.save(tracker)
    return tracker


def stored_events(store: Any, sender: str) -> List[dict]:
    import json

    with store.session_scope() as session:
        rows = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).order_by(store.SQLEvent.id)
        return [json.loads(row.data) for row in rows]


def user_turns(tracker: Any) -> int:
    return sum(isinstance(event, UserUttered) for event in tracker.events)


def test_a_long_conversation_is_read_as_its_last_turns_and_stored_whole(store: Any, domain: Domain) -> None:
    sender = f"long-{uuid.uuid4().hex[:8]}"
    turns = [[ActionExecuted("action_session_start"), SessionStarted()] + answer_turn(0)]
    turns += [answer_turn(n) for n in range(1, 60)]
    written: List[Event] = []
    last = run(converse(store, sender, turns, written))

    view = run(message_loop_tracker(store, sender))
    assert KEPT <= user_turns(view) <= MOST, "the message loop reads a bounded number of turns"
    full = run(store.retrieve(sender))  # Rasa's meaning: the whole current session
    assert user_turns(full) == 60
    assert user_turns(run(store.retrieve_full_tracker(sender))) == 60
    # Nothing lost or doubled: the events table holds every event once, in order.
    assert stored_events(store, sender) == [event.as_dict() for event in written]
    # The state and what the policies featurise are the same as from the whole conversation.
    assert view.current_slot_values() == full.current_slot_values() == last.current_slot_values()
    assert view.latest_message.text == full.latest_message.text == "问题59"
    assert view.past_states(domain)[-12:] == full.past_states(domain)[-12:]


def test_a_slot_set_long_ago_and_a_pause_by_staff_survive_the_checkpoint(store: Any, domain: Domain) -> None:
    sender = f"paused-{uuid.uuid4().hex[:8]}"
    first = [ActionExecuted("action_session_start"), SessionStarted()] + answer_turn(0)
    first += [SlotSet("applicant_role", "融资担保机构"), ConversationPaused()]
    # While paused the bot is silent: the user's messages are only logged.
    silent = [
        [ActionExecuted("action_listen"), UserUttered(f"人工{n}", intent={"name": "chitchat"})] for n in range(40)
    ]
    written: List[Event] = []
    run(converse(store, sender, [first] + silent, written))

    view = run(message_loop_tracker(store, sender))
    full = run(store.retrieve(sender))
    assert user_turns(view) <= MOST
    assert view.is_paused() and full.is_paused()
    assert view.get_slot("applicant_role") == "融资担保机构"
    assert view.past_states(domain)[-8:] == full.past_states(domain)[-8:]

    resumed = [ConversationResumed(), BotUttered("继续为您服务"), *answer_turn(99)]
    run(converse(store, sender, [resumed], written))
    assert not run(message_loop_tracker(store, sender)).is_paused()
    assert stored_events(store, sender) == [event.as_dict() for event in written]


def test_a_form_is_never_cut_in_two(store: Any, domain: Domain) -> None:
    sender = f"form-{uuid.uuid4().hex[:8]}"
    opening = [[ActionExecuted("action_session_start"), SessionStarted()] + answer_turn(0)]
    opening += [answer_turn(n) for n in range(1, MOST - 2)]
    form = "guarantee_fee_subsidy_form"
    started = [
        ActionExecuted("action_listen"),
        UserUttered("担保费补贴我们能拿吗", intent={"name": "check_eligibility", "confidence": 0.9}),
        ActionExecuted(form),
        ActiveLoop(form),
        SlotSet("requested_slot", "applicant_role"),
        BotUttered("您是哪类机构？"),
        ActionExecuted("action_listen"),
    ]
    # A user who keeps answering something else: the form stays active for many turns.
    inside = [
        [UserUttered(f"不知道{n}", intent={"name": "chitchat"}), ActionExecuted(form), ActionExecuted("action_listen")]
        for n in range(2 * MOST)
    ]
    written: List[Event] = []
    run(converse(store, sender, opening + [started] + inside, written))
    view = run(message_loop_tracker(store, sender))
    assert view.active_loop_name == form
    assert any(isinstance(event, ActiveLoop) and event.name == form for event in view.events), (
        "the view still holds the start of the running form"
    )
    full = run(store.retrieve(sender))
    assert view.past_states(domain)[-8:] == full.past_states(domain)[-8:]

    finished = [[UserUttered("融资担保公司", intent={"name": "inform"}), ActionExecuted(form), ActiveLoop(None)]]
    finished += [answer_turn(n) for n in range(100, 100 + MOST + 2)]
    run(converse(store, sender, finished, written))
    view = run(message_loop_tracker(store, sender))
    assert view.active_loop_name is None and user_turns(view) <= MOST
    assert stored_events(store, sender) == [event.as_dict() for event in written]


def test_a_new_session_after_the_checkpoint_starts_the_view_as_rasa_does(store: Any, domain: Domain) -> None:
    sender = f"session-{uuid.uuid4().hex[:8]}"
    turns = [[ActionExecuted("action_session_start"), SessionStarted()] + answer_turn(0)]
    turns += [answer_turn(n) for n in range(1, 30)]
    # Inactivity: Rasa starts a new session and carries the slots over (domain.yml session_config).
    turns += [[ActionExecuted("action_session_start"), SessionStarted(), SlotSet("current_measure", "x")]]
    turns += [answer_turn(n) for n in range(30, 33)]
    written: List[Event] = []
    run(converse(store, sender, turns, written))
    view = run(message_loop_tracker(store, sender))
    full = run(store.retrieve(sender))
    assert [event.as_dict() for event in view.events] == [event.as_dict() for event in full.events]
    assert user_turns(view) == 3
    assert user_turns(run(store.retrieve_full_tracker(sender))) == 33
