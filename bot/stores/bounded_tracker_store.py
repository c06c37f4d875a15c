"""Rasa's SQL tracker store, with a turn whose cost does not grow with the length of the conversation.

Rasa rebuilds the whole current session from its events before every message: it reads and
deserialises every event, replays it, and the policies and the action server then go over the
whole history again. Profiled on a 150-turn conversation (docs/benchmarks.md) that made turn 150
cost 3–5× turn 20, most of it in that rebuilding and in the policies' tracker states.

The policies and actions need far less: the slots, the active form, whether a person took over the
conversation, and the last few turns (MemoizationPolicy looks at 5 states, the rules at 2–3 turns,
the actions at the latest message and slots). So this store keeps, next to Rasa's ``events`` table
(which it writes exactly as Rasa does: every event, once, in order), a **checkpoint** per
conversation: the state of the conversation at a turn boundary a few turns back, as the events that
recreate it (one ``SlotSet`` per filled slot, ``ConversationPaused`` if staff took over). The
tracker for the next message is that checkpoint plus the events stored after it, i.e. between
``RECENT_TURNS_KEPT`` and ``RECENT_TURNS_MAX`` turns, however long the conversation is. The
checkpoint moves forward when the recent turns exceed ``RECENT_TURNS_MAX``, and only to a quiet
point (no form active, no follow-up action pending), so no form is cut in two.

Only the message loop reads this bounded view (``recent_events_only()``, entered by
bot/rasa_server/recent_tracker.py around ``MessageProcessor.fetch_tracker_and_update_session``).
Everything else keeps Rasa's meaning and sees the whole conversation: ``retrieve`` (the HTTP API's
``/conversations/<id>/tracker``, the staff console's appends) gives the whole current session,
``retrieve_full_tracker`` (console, web chat history, exports) every session, and ``make report``
reads the ``events`` table. A session that starts after the checkpoint (inactivity, ``/restart``)
is honoured exactly as Rasa does: the view then starts at that session start.

Saving a bounded view appends the events added since it was read (no counting of stored events,
which Rasa does with a query over the whole session on every save). A tracker that did not come
from the bounded view is saved by Rasa's own ``save``.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import json
import os
from dataclasses import dataclass, field
from typing import Any, Iterator, List

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ConversationPaused, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.stores import conversation_index

# The view holds at least this many user turns (when the conversation has them) …
DEFAULT_RECENT_TURNS_KEPT = 8
# … and the checkpoint moves forward once it holds more than this many.
DEFAULT_RECENT_TURNS_MAX = 16
CHECKPOINT_TABLE = "tracker_checkpoints"

_bounded_view_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar("bounded_view_wanted", default=False)


@contextlib.contextmanager
def recent_events_only() -> Iterator[None]:
    """Within this block (this task and what it awaits), ``retrieve`` gives the bounded view."""
    token = _bounded_view_wanted.set(True)
    try:
        yield
    finally:
        _bounded_view_wanted.reset(token)


def _turns_setting(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


def recent_turns_kept() -> int:
    return _turns_setting("TRACKER_RECENT_TURNS", DEFAULT_RECENT_TURNS_KEPT)


def recent_turns_max() -> int:
    return max(recent_turns_kept() + 1, _turns_setting("TRACKER_RECENT_TURNS_MAX", DEFAULT_RECENT_TURNS_MAX))


_metadata = sa.MetaData()
checkpoints = sa.Table(
    CHECKPOINT_TABLE,
    _metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    # The view is the prefix below followed by the stored events with id >= first_event_id.
    sa.Column("first_event_id", sa.Integer, nullable=False),
    sa.Column("prefix", sa.Text, nullable=False),  # JSON list of events that recreate the state before it
)


@dataclass
class BoundedView:
    """Attached to a tracker read as a bounded view: what of it is already stored."""

    prefix_length: int  # leading events recreated from the checkpoint (not rows of the events table)
    event_ids: List[int] = field(default_factory=list)  # ids of the stored events that follow, in order
    stored_length: int = 0  # len(tracker.events) when it was read or last saved


VIEW_ATTRIBUTE = "_wanqi_bounded_view"


def view_of(tracker: DialogueStateTracker) -> BoundedView | None:
    return getattr(tracker, VIEW_ATTRIBUTE, None)


def state_events(tracker: DialogueStateTracker, timestamp: float) -> List[Event]:
    """Events that recreate ``tracker``'s state in a new tracker: its filled slots, and its pause."""
    events: List[Event] = [
        SlotSet(name, slot.value, timestamp=timestamp)
        for name, slot in tracker.slots.items()
        if slot.value != slot.initial_value
    ]
    if tracker.is_paused():
        events.append(ConversationPaused(timestamp=timestamp))
    return events


def is_quiet(tracker: DialogueStateTracker) -> bool:
    """No form running and no action scheduled: a point where a new view may start."""
    return tracker.active_loop_name is None and tracker.followup_action in (None, ACTION_LISTEN_NAME)


def new_checkpoint(tracker: DialogueStateTracker, view: BoundedView) -> tuple | None:
    """(first event id, prefix events) of a later checkpoint, or None if the view is short enough
    or no quiet turn boundary leaves at least ``recent_turns_kept()`` turns after it."""
    events = list(tracker.events)
    stored = events[view.prefix_length :]
    user_turns = [i for i, event in enumerate(stored) if isinstance(event, UserUttered)]
    kept, most = recent_turns_kept(), recent_turns_max()
    if len(user_turns) <= most or len(stored) != len(view.event_ids):
        return None
    # Count the turns the policies see: Rasa's applied events, where a form's turns collapse into
    # its last run. A start must leave `kept` of those after it.
    applied = {id(event) for event in tracker.applied_events()}
    applied_after = 0
    starts = set()
    for position in reversed(user_turns[1:]):
        applied_after += id(stored[position]) in applied
        if applied_after >= kept:
            before = stored[position - 1]
            is_listen = isinstance(before, ActionExecuted) and before.action_name == ACTION_LISTEN_NAME
            starts.add(position - 1 if is_listen else position)
    replay = DialogueStateTracker.from_events(tracker.sender_id, events[: view.prefix_length], tracker.slots.values())
    best = None
    for position, event in enumerate(stored):
        if position in starts and is_quiet(replay):
            best = (view.event_ids[position], state_events(replay, event.timestamp))
        replay.update(event)
    return best


class BoundedTrackerStoreMixin:
    """Put before ``SQLTrackerStore`` in a store's bases (see the module docstring)."""

    def _create_side_tables(self) -> None:
        """The checkpoints, and the staff console's summaries (bot/stores/conversation_index.py)."""
        self._create_checkpoint_table()
        self.conversation_index = conversation_index.install(self.engine, self.sessionmaker, self.SQLEvent)

    def _create_checkpoint_table(self) -> None:
        try:
            _metadata.create_all(self.engine)
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
            # Several servers starting together may race to create it; one of them wins.
            if not sa.inspect(self.engine).has_table(CHECKPOINT_TABLE):
                raise

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        if not _bounded_view_wanted.get():
            return await super().retrieve(sender_id)  # type: ignore[misc]
        return self._retrieve_bounded_view(sender_id)

    def _retrieve_bounded_view(self, sender_id: str) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            checkpoint = session.execute(
                sa.select(checkpoints.c.first_event_id, checkpoints.c.prefix).where(
                    checkpoints.c.sender_id == sender_id
                )
            ).first()
            prefix: List[dict] = []
            if checkpoint is None:
                rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            else:
                rows = (
                    session.query(self.SQLEvent)
                    .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.id >= checkpoint.first_event_id)
                    .order_by(self.SQLEvent.id)
                    .all()
                )
                prefix = json.loads(checkpoint.prefix)
                session_starts = [row.timestamp for row in rows if row.type_name == SessionStarted.type_name]
                if session_starts:
                    # A new session began after the checkpoint: Rasa's rule, events from its start.
                    latest_start = max(session_starts)
                    rows = [row for row in rows if row.timestamp >= latest_start]
                    prefix = []
            events = prefix + [json.loads(row.data) for row in rows]
            event_ids = [row.id for row in rows]
        if not self.domain or not events:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, VIEW_ATTRIBUTE, BoundedView(len(prefix), event_ids, len(tracker.events)))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        view = view_of(tracker)
        if view is None:
            await super().save(tracker)  # type: ignore[misc]
            return
        new_events = list(itertools.islice(tracker.events, view.stored_length, None))
        if self.event_broker and new_events:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
        with self.session_scope() as session:
            rows = [self._event_row(tracker.sender_id, event) for event in new_events]
            session.add_all(rows)
            session.flush()  # assigns the ids
            view.event_ids.extend(row.id for row in rows)
            view.stored_length = len(tracker.events)
            moved = new_checkpoint(tracker, view)
            if moved is not None:
                first_event_id, prefix = moved
                session.execute(sa.delete(checkpoints).where(checkpoints.c.sender_id == tracker.sender_id))
                session.execute(
                    sa.insert(checkpoints).values(
                        sender_id=tracker.sender_id,
                        first_event_id=first_event_id,
                        prefix=json.dumps([event.as_dict() for event in prefix]),
                    )
                )
            session.commit()

    def _event_row(self, sender_id: str, event: Event) -> Any:
        """The row Rasa's ``SQLTrackerStore.save`` writes for ``event``."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )


class BoundedSQLTrackerStore(BoundedTrackerStoreMixin, SQLTrackerStore):
    """Rasa's ``SQLTrackerStore`` (any SQLAlchemy database, e.g. PostgreSQL) with the bounded view."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_side_tables()
