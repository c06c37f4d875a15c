"""The staff console's queue (GET /console/api/conversations): every conversation a person has,
the longest wait first, then the most recent others; searchable by text and filterable by
department, channel and status.

The rows come from the tracker store's summary table (bot/stores/conversation_index.py), one
indexed query in a thread of the executor, never from whole trackers and never inside the server's
event loop. Each row is tagged with the departments its measures name (knowledge/departments.py).
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, replace
from typing import Any, Dict, List, Mapping

from sanic.exceptions import ServiceUnavailable

from bot.channels.webchat.case import MeasureDirectory, MeasureInfo
from bot.stores.conversation_index import (
    MAX_HELD,
    STATUSES,
    ConversationIndex,
    Filters,
    Summary,
    channels_of,
    citations_of,
    measures_of,
)
from knowledge.db import session_scope
from knowledge.departments import departments_by_measure, measures_by_department
from knowledge.repository import all_measures

MAX_LISTED = 200
TARGET_ENV = "HANDOFF_TARGET_MINUTES"
DEFAULT_TARGET_MINUTES = 3.0
MAX_SEARCH_CHARS = 100
CHANNELS = ("webchat", "wechat", "telegram", "rest")
DEPARTMENTS_TTL_S = 300.0


class QueueUnavailable(ServiceUnavailable):
    """The tracker store keeps no conversation summaries (not one of this project's stores): 503."""


def target_s(environ: Mapping[str, str] = os.environ) -> float:
    """The first-reply target for a conversation handed to staff (``HANDOFF_TARGET_MINUTES``)."""
    try:
        minutes = float(environ.get(TARGET_ENV, "") or DEFAULT_TARGET_MINUTES)
    except ValueError:
        minutes = DEFAULT_TARGET_MINUTES
    return max(0.25, minutes) * 60


def index_of(store: Any) -> ConversationIndex:
    """The summaries of ``store`` (through Rasa's FailSafeTrackerStore wrapper)."""
    for candidate in (store, getattr(store, "_tracker_store", None)):
        found = getattr(candidate, "conversation_index", None)
        if isinstance(found, ConversationIndex):
            return found
    raise QueueUnavailable("the tracker store keeps no conversation summaries (bot/stores/conversation_index.py)")


@dataclass
class _Directory:
    measures: MeasureDirectory
    read_at: float


_directory: _Directory | None = None


def directory() -> MeasureDirectory:
    """Measure number → title and departments, from the knowledge base (re-read every few minutes)."""
    global _directory
    if _directory is None or time.monotonic() - _directory.read_at > DEPARTMENTS_TTL_S:
        with session_scope() as session:
            named = departments_by_measure(session)
            measures = {m.number: MeasureInfo(number=m.number, title=m.title, departments=named.get(m.number, []))
                        for m in all_measures(session)}  # fmt: skip
        _directory = _Directory(measures, time.monotonic())
    return _directory.measures


def departments() -> Dict[int, List[str]]:
    """Measure number → the departments it names."""
    return {number: info["departments"] for number, info in directory().items()}


def row_json(row: Summary, by_measure: Dict[int, List[str]]) -> Dict[str, Any]:
    """One row of the list (the fields before ``status`` are the list's original contract)."""
    citations = citations_of(row)
    return {
        "sender_id": row["sender_id"],
        "channels": channels_of(row),
        "paused": row["status"] in ("waiting", "staff"),  # a call-back case is held but not paused
        "user_messages": row["user_messages"],
        "last_user_text": row["last_user_text"],
        "last_time": row["last_time"],
        "citations": citations,
        "status": row["status"],
        "channel": row["last_channel"],
        "handoff_time": row["handoff_time"],
        "first_staff_reply_time": row["first_staff_reply_time"],
        "measures": measures_of(row),
        "departments": list(dict.fromkeys(name for n in citations for name in by_measure.get(n, []))),
        "unanswered": row["unanswered"],
        "callback_phone": row.get("callback_phone") if row["status"] == "callback" else None,  # masked
    }


def filters_from(args: Mapping[str, str], by_measure: Dict[int, List[str]]) -> Filters | str:
    """The list's filters from query arguments, or what is wrong with them."""
    search = (args.get("q") or "").strip()
    if len(search) > MAX_SEARCH_CHARS:
        return f"a search is at most {MAX_SEARCH_CHARS} characters"
    channel = (args.get("channel") or "").strip()
    if channel and channel not in CHANNELS:
        return f"channel must be one of {', '.join(CHANNELS)}"
    status = (args.get("status") or "").strip()
    if status and status not in STATUSES:
        return f"status must be one of {', '.join(STATUSES)}"
    department = (args.get("department") or "").strip()
    citations: tuple = ()
    if department:
        numbers = measures_by_department(by_measure).get(department)
        if not numbers:
            return "no measure names that department"
        citations = tuple(numbers)
    return Filters(search=search, channel=channel, status=status, citations=citations, recent=MAX_LISTED)


async def in_thread(function: Any, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)


async def queue_page(store: Any, args: Mapping[str, str], held: int = MAX_HELD) -> Dict[str, Any]:
    """The queue for query arguments ``args`` (q, channel, status, department): its rows, and
    whether more conversations are held than the ``held`` it lists (``held_capped``)."""
    by_measure = await in_thread(departments)
    filters = filters_from(args, by_measure)
    if isinstance(filters, str):
        raise ValueError(filters)
    page = await in_thread(index_of(store).page, replace(filters, held=held))
    return {"conversations": [row_json(row, by_measure) for row in page["rows"]], "held_capped": page["held_capped"],
            "max_held": held}  # fmt: skip


async def list_conversations(store: Any, **args: str) -> List[Dict[str, Any]]:
    """The queue's rows for query arguments ``args`` (q, channel, status, department)."""
    return (await queue_page(store, args))["conversations"]


async def queue_json(store: Any, args: Mapping[str, str]) -> Dict[str, Any]:
    """The body of GET /console/api/conversations."""
    by_measure = await in_thread(departments)
    page = await queue_page(store, {k: v for k, v in args.items() if isinstance(v, str)})
    return {
        **page,
        "now": time.time(),
        "target_s": target_s(),
        "options": {
            "departments": list(measures_by_department(by_measure)),
            "channels": list(CHANNELS),
            "statuses": list(STATUSES),
        },
    }
