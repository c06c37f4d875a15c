"""One summary row per conversation, kept beside Rasa's ``events`` table as events are saved, so
that the staff console lists conversations with one indexed query instead of reading trackers.

Rasa's ``events`` table has no order a list can use (``SELECT DISTINCT sender_id``) and a
conversation's state (paused? since when? which channel, which measures?) is spread over its
events. The table ``console_conversations`` holds, per sender: first and last event time, the
channels, the number of user messages and the last one, the measures cited, whether a person has
the conversation and since when (``handoff_time``), the first staff reply since then, how many
answers were fallbacks or out of scope, and the recent user text for search.

It is maintained in the same transaction as the events themselves: a SQLAlchemy ``after_flush``
hook on the store's sessions folds every new ``events`` row into its conversation's summary, for
every writer that goes through the store (the message loop's bounded save, Rasa's own ``save``,
the console's appends, ratings). A store that already holds conversations when the table is first
created gets their summaries built from the events once (``backfill``: 36 s for 100,000
conversations / 3 million events on SQLite, docs/benchmarks.md), while the server starts.

The list (``ConversationIndex.list``) is every conversation a person has (waiting first, longest
wait first; at most ``MAX_HELD``) and then the most recent others, each part one query on an index
(``handoff_time``, ``last_time``). The calls are blocking: the console runs them in a thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Sequence, TypedDict

import sqlalchemy as sa

from knowledge.hotline import CALLBACK, CALLBACK_DONE, HANDOFF_KEY, mask_phone

SUMMARY_TABLE = "console_conversations"
# The user text kept for search: the most recent this many characters of a conversation.
SEARCH_CHARS = 1000
LAST_TEXT_CHARS = 500
MAX_HELD = 1000
UNANSWERED_KINDS = ("fallback", "out_of_scope")
STAFF_METADATA_KEY = "staff"
# callback: nobody was on duty at 转人工 and the user left a number (bot/hotline, docs/HOTLINE.md);
# it waits in the queue from the call-back request until staff mark it done.
STATUSES = ("waiting", "staff", "callback", "bot")

_metadata = sa.MetaData()
summaries = sa.Table(
    SUMMARY_TABLE,
    _metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("first_time", sa.Float, nullable=False),
    sa.Column("last_time", sa.Float, nullable=False, index=True),
    sa.Column("user_messages", sa.Integer, nullable=False),
    sa.Column("last_user_text", sa.Text, nullable=False),
    # ",telegram,webchat," and ",10,13,": a LIKE on ",13," finds one without a second table.
    sa.Column("channels", sa.String(255), nullable=False),
    sa.Column("last_channel", sa.String(64)),
    sa.Column("citations", sa.String(255), nullable=False),
    sa.Column("measures", sa.Text, nullable=False),
    # waiting (转人工, no staff reply yet) | staff (a person is answering) | callback (to call back) | bot
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("handoff_time", sa.Float, index=True),  # since when a person has it; NULL: the bot has it
    sa.Column("first_staff_reply_time", sa.Float),
    sa.Column("unanswered", sa.Integer, nullable=False),
    sa.Column("search_text", sa.Text, nullable=False),
    # status callback: the number left, masked as chat shows it (the case view shows it whole)
    sa.Column("callback_phone", sa.String(32)),
)
ADDED_COLUMNS = ("callback_phone",)  # columns newer than the table: added to a table made before them


class Summary(TypedDict):
    sender_id: str
    first_time: float
    last_time: float
    user_messages: int
    last_user_text: str
    channels: str
    last_channel: str | None
    citations: str
    measures: str
    status: str
    handoff_time: float | None
    first_staff_reply_time: float | None
    unanswered: int
    search_text: str
    callback_phone: str | None


def _members(packed: str) -> List[str]:
    return [part for part in packed.split(",") if part]


def _pack(values: Iterable[Any]) -> str:
    values = list(values)
    return f",{','.join(str(v) for v in values)}," if values else ""


def channels_of(row: Summary) -> List[str]:
    return _members(row["channels"])


def citations_of(row: Summary) -> List[int]:
    return [int(n) for n in _members(row["citations"]) if n.isdigit()]


def measures_of(row: Summary) -> List[str]:
    return _members(row["measures"])


def empty_summary(sender_id: str, at: float) -> Summary:
    return Summary(sender_id=sender_id, first_time=at, last_time=at, user_messages=0, last_user_text="",
                   channels="", last_channel=None, citations="", measures="", status="bot", handoff_time=None,
                   first_staff_reply_time=None, unanswered=0, search_text="", callback_phone=None)  # fmt: skip


def card_of(event: Dict[str, Any]) -> Dict[str, Any]:
    """The answer card a bot event carries ({} for none)."""
    custom = (event.get("data") or {}).get("custom")
    card = custom.get("answer_card") if isinstance(custom, dict) else None
    return card if isinstance(card, dict) else {}


def fold(row: Summary, event: Dict[str, Any]) -> Summary:
    """``row`` with one more event (a dict as ``Event.as_dict`` gives it) applied."""
    row = Summary(**row)  # type: ignore[typeddict-item]
    kind = event.get("event")
    at = event.get("timestamp")
    if isinstance(at, (int, float)):
        row["last_time"] = max(row["last_time"], float(at))
        row["first_time"] = min(row["first_time"], float(at))
    else:
        at = row["last_time"]
    if kind == "user":
        text = str((event.get("metadata") or {}).get("shown_text") or event.get("text") or "")
        row["user_messages"] += 1
        row["last_user_text"] = text[:LAST_TEXT_CHARS]
        row["search_text"] = (row["search_text"] + "\n" + text)[-SEARCH_CHARS:]
        channel = event.get("input_channel")
        if isinstance(channel, str) and channel:
            row["last_channel"] = channel[:64]
            row["channels"] = _pack(sorted(set(channels_of(row)) | {channel[:64]}))[:255]
    elif kind == "bot":
        card = card_of(event)
        numbers = [n for n in card.get("citations") or [] if isinstance(n, int)]
        if numbers:
            row["citations"] = _pack(sorted(set(citations_of(row)) | set(numbers)))[:255]
        measure = card.get("measure")
        if isinstance(measure, str) and measure and measure not in measures_of(row):
            row["measures"] = _pack(measures_of(row) + [measure])
        if card.get("kind") in UNANSWERED_KINDS:
            row["unanswered"] += 1
        staff = bool((event.get("metadata") or {}).get(STAFF_METADATA_KEY))
        if staff and row["handoff_time"] is not None:
            row["status"] = "staff"
            if row["first_staff_reply_time"] is None:
                row["first_staff_reply_time"] = float(at)
    elif kind == "agent":
        record = (event.get("data") or {}).get(HANDOFF_KEY) or {}
        stage = record.get("stage")
        if stage == CALLBACK and row["handoff_time"] is None:
            row["status"], row["handoff_time"], row["first_staff_reply_time"] = "callback", float(at), None
            phone = record.get("phone")
            row["callback_phone"] = mask_phone(phone)[:32] if isinstance(phone, str) and phone else None
        elif stage == CALLBACK_DONE and row["status"] == "callback":
            row["status"], row["handoff_time"], row["first_staff_reply_time"] = "bot", None, None
            row["callback_phone"] = None
    elif kind == "pause":
        if row["status"] == "callback":  # 转人工 again, and now somebody is on duty: a wait of its own
            row["handoff_time"] = None
            row["callback_phone"] = None
        if row["handoff_time"] is None:
            row["handoff_time"] = float(at)
            row["first_staff_reply_time"] = None
            # Staff taking a conversation over (the console's 接管) are already answering it.
            row["status"] = "staff" if (event.get("metadata") or {}).get(STAFF_METADATA_KEY) else "waiting"
    elif kind in ("resume", "restart"):
        row["status"] = "bot"
        row["handoff_time"] = None
        row["first_staff_reply_time"] = None
        row["callback_phone"] = None
    return row


def fold_all(sender_id: str, events: Iterable[Dict[str, Any]], row: Summary | None = None) -> Summary | None:
    for event in events:
        if row is None:
            at = event.get("timestamp")
            row = empty_summary(sender_id, float(at) if isinstance(at, (int, float)) else 0.0)
        row = fold(row, event)
    return row


def _upsert(connection: sa.engine.Connection, rows: Sequence[Summary]) -> None:
    if not rows:
        return
    name = connection.dialect.name
    if name in ("sqlite", "postgresql"):
        if name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
        statement = insert(summaries)
        columns = {c.name: statement.excluded[c.name] for c in summaries.columns if c.name != "sender_id"}
        connection.execute(statement.on_conflict_do_update(index_elements=["sender_id"], set_=columns), list(rows))
        return
    senders = [row["sender_id"] for row in rows]
    connection.execute(sa.delete(summaries).where(summaries.c.sender_id.in_(senders)))
    connection.execute(sa.insert(summaries), list(rows))


def _stored(connection: sa.engine.Connection, senders: Sequence[str]) -> Dict[str, Summary]:
    found = connection.execute(sa.select(summaries).where(summaries.c.sender_id.in_(list(senders))))
    return {row.sender_id: _summary(row) for row in found}


def _summary(row: Any) -> Summary:
    return Summary(**row._mapping)  # type: ignore[typeddict-item]


def apply_new_events(connection: sa.engine.Connection, new: Sequence[tuple]) -> None:
    """Fold ``(sender_id, event dict)`` pairs, in the order they were stored, into their summaries."""
    by_sender: Dict[str, List[Dict[str, Any]]] = {}
    for sender_id, event in new:
        by_sender.setdefault(sender_id, []).append(event)
    if not by_sender:
        return
    stored = _stored(connection, list(by_sender))
    rows = [fold_all(sender, events, stored.get(sender)) for sender, events in by_sender.items()]
    _upsert(connection, [row for row in rows if row is not None])


def backfill(engine: sa.engine.Engine, events_table: str = "events", batch: int = 500) -> int:
    """Build the summaries of conversations stored before the table existed; returns how many."""
    done = 0
    with engine.connect() as reader, engine.begin() as writer:
        rows = reader.execution_options(stream_results=True).execute(
            sa.text(f"SELECT sender_id, data FROM {events_table} ORDER BY sender_id, id")
        )
        pending: List[Summary] = []
        sender, row = None, None
        for sender_id, data in rows:
            if sender_id != sender:
                if row is not None:
                    pending.append(row)
                sender, row = sender_id, None
            try:
                event = json.loads(data)
            except (TypeError, ValueError):
                continue
            row = fold_all(sender_id, [event], row)
            if len(pending) >= batch:
                _upsert(writer, pending)
                done += len(pending)
                pending = []
        if row is not None:
            pending.append(row)
        _upsert(writer, pending)
        done += len(pending)
    return done


@dataclass(frozen=True)
class Filters:
    """What staff narrowed the list to; empty fields do not filter."""

    search: str = ""
    channel: str = ""
    status: str = ""
    citations: tuple = ()  # measure numbers: a conversation citing any of them (a department's measures)
    recent: int = 200
    held: int = MAX_HELD  # at most this many conversations a person has (the longest-held first)


class Page(TypedDict):
    """One reading of the list: its rows, and whether more conversations are held than it shows."""

    rows: List[Summary]
    held_capped: bool


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(filters: Filters) -> List[Any]:
    conditions: List[Any] = []
    if filters.search:
        pattern = _like(filters.search)
        conditions.append(sa.or_(summaries.c.search_text.like(pattern, escape="\\"),
                                 summaries.c.sender_id.like(pattern, escape="\\")))  # fmt: skip
    if filters.channel:
        conditions.append(summaries.c.channels.like(_like(f",{filters.channel},"), escape="\\"))
    if filters.citations:
        conditions.append(sa.or_(*(summaries.c.citations.like(f"%,{int(n)},%") for n in filters.citations)))
    return conditions


class ConversationIndex:
    """The summaries of one tracker store's database (blocking calls: run them in a thread)."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine

    def list(self, filters: Filters = Filters()) -> List[Summary]:
        return self.page(filters)["rows"]

    def page(self, filters: Filters = Filters()) -> Page:
        """Every conversation a person has (waiting first, the longest wait first), then the most
        recent ``filters.recent`` others, newest first.

        Two queries, each walking one index: ``handoff_time`` (the few conversations a person has)
        and ``last_time`` backwards (newest first, stopping after enough rows). Neither names the
        "bot" status: the others are exactly the rows without a handoff_time, so the recent query
        asks for that many more rows and drops the held ones, instead of a condition that would
        lead the planner to sort every row of the table. At most ``filters.held`` held rows: one
        more is asked for, so that the page says when the cap cut some off (``held_capped``)."""
        conditions = _conditions(filters)
        held_conditions = list(conditions)
        if filters.status in ("waiting", "staff", "callback"):
            held_conditions.append(summaries.c.status == filters.status)
        held_query = (
            sa.select(summaries)
            .where(summaries.c.handoff_time >= 0, *held_conditions)  # a range: the index, also unanalysed
            .order_by(summaries.c.handoff_time)
            .limit(max(0, filters.held) + 1)
        )
        with self.engine.connect() as connection:
            held = [_summary(row) for row in connection.execute(held_query)]
            held_capped = len(held) > max(0, filters.held)
            held = held[: max(0, filters.held)]
            recent: List[Summary] = []
            if filters.status in ("", "bot"):
                taken = len(held)  # the held rows that the same conditions find among the newest
                # Newest first by walking the last_time index backwards, stopping after enough rows.
                # A search or filter that few rows match walks the whole index (docs/benchmarks.md:
                # the slowest case); a scan with a sort was slower whenever many rows match.
                recent_query = (
                    sa.select(summaries)
                    .where(*conditions)
                    .order_by(summaries.c.last_time.desc())
                    .limit(max(0, filters.recent) + taken)
                )
                rows = [_summary(row) for row in connection.execute(recent_query)]
                recent = [row for row in rows if row["handoff_time"] is None][: max(0, filters.recent)]
        if filters.status == "bot":
            held, held_capped = [], False
        held.sort(key=lambda row: (row["status"] != "waiting", row["handoff_time"] or 0))
        return Page(rows=held + recent, held_capped=held_capped)

    def get(self, sender_id: str) -> Summary | None:
        with self.engine.connect() as connection:
            return _stored(connection, [sender_id]).get(sender_id)

    def events(self, sender_id: str, events_table: str = "events") -> List[Dict[str, Any]] | None:
        """Every stored event of one conversation, in order (None: no such conversation)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.text(f"SELECT data FROM {events_table} WHERE sender_id = :sender ORDER BY id"), {"sender": sender_id}
            )
            events = [json.loads(data) for (data,) in rows]
        return events or None


def _add_missing_columns(engine: sa.engine.Engine) -> bool:
    """Add the columns of ``ADDED_COLUMNS`` that a table made before them lacks; whether any was."""
    present = {column["name"] for column in sa.inspect(engine).get_columns(SUMMARY_TABLE)}
    added = False
    for name in ADDED_COLUMNS:
        if name in present:
            continue
        column = summaries.c[name]
        try:
            with engine.begin() as connection:
                kind = column.type.compile(dialect=connection.dialect)
                connection.execute(sa.text(f"ALTER TABLE {SUMMARY_TABLE} ADD COLUMN {name} {kind}"))
            added = True
        except (sa.exc.OperationalError, sa.exc.ProgrammingError):
            # Several servers starting together may race to add it; one of them wins.
            if name not in {c["name"] for c in sa.inspect(engine).get_columns(SUMMARY_TABLE)}:
                raise
    return added


def install(engine: sa.engine.Engine, sessionmaker: Any, event_class: Any) -> ConversationIndex:
    """Create the table (building it from stored events the first time) and keep it up to date on
    every flush of ``sessionmaker``'s sessions that adds ``event_class`` rows."""
    existed = sa.inspect(engine).has_table(SUMMARY_TABLE)
    if not existed:
        try:
            _metadata.create_all(engine)
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
            # Several servers starting together may race to create it; one of them wins.
            if not sa.inspect(engine).has_table(SUMMARY_TABLE):
                raise
        if sa.inspect(engine).has_table(event_class.__tablename__):
            backfill(engine, event_class.__tablename__)
    elif _add_missing_columns(engine) and sa.inspect(engine).has_table(event_class.__tablename__):
        backfill(engine, event_class.__tablename__)  # the new columns of conversations stored before them

    def after_flush(session: Any, _context: Any) -> None:
        added = sorted((obj for obj in session.new if isinstance(obj, event_class)), key=lambda obj: obj.id)
        if added:
            apply_new_events(session.connection(), [(obj.sender_id, json.loads(obj.data)) for obj in added])

    sa.event.listen(sessionmaker, "after_flush", after_flush)
    return ConversationIndex(engine)
