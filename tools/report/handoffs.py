"""转人工 as a service, for ``make report``: handoffs by channel and department, the wait for staff's
first reply and the hand-back time as percentiles, and the share answered within the target.

Reads the ``handoff`` records (knowledge/hotline.py) the assistant stores as ``agent`` events of each
conversation: ``requested`` (channel, measure, and whether a person could take it), ``first_reply``
(wait), ``handed_back`` (by staff or by the wait timeout), ``callback`` (a call-back left when
nobody could). A handoff's department is the first contact the knowledge base lists for the measure
under discussion (knowledge/departments.py: its note in brackets dropped), or 未指明 when no measure
was discussed.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

from sqlalchemy import create_engine, inspect, text

from knowledge import hotline

NO_DEPARTMENT = "未指明"


@dataclass
class Handoff:
    sender_id: str
    at: float
    mode: str
    channel: str
    measure: str | None
    department: str = NO_DEPARTMENT
    wait_s: float | None = None  # to staff's first reply
    handoff_s: float | None = None  # to the hand-back
    handed_back_by: str | None = None
    callback: bool = False


@dataclass
class HandoffReport:
    handoffs: List[Handoff]
    target_s: float
    by_channel: List[Tuple[str, int]] = field(default_factory=list)
    by_department: List[Tuple[str, int]] = field(default_factory=list)
    wait_percentiles: Dict[str, float | None] = field(default_factory=dict)
    handoff_percentiles: Dict[str, float | None] = field(default_factory=dict)
    within_target: float | None = None  # share of staff handoffs first answered within the target
    to_staff: int = 0
    answered: int = 0
    timed_out: int = 0
    callbacks: int = 0


def read_handoff_events(url: str) -> List[Tuple[str, float, hotline.HandoffRecord]]:
    """(sender, time, record) of every hand-off record in the tracker store, in order."""
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists():
        return []
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("events"):
                return []
            rows = connection.execute(text(
                "SELECT sender_id, timestamp, data FROM events WHERE type_name = 'agent' ORDER BY sender_id, id"
            )).all()  # fmt: skip
    finally:
        engine.dispose()
    found = []
    for sender_id, timestamp, raw in rows:
        try:
            event = json.loads(raw or "{}")
        except json.JSONDecodeError:
            continue
        record = hotline.handoff_of(event) if isinstance(event, dict) else None
        if record is not None:
            found.append((sender_id, float(timestamp or record.get("at") or 0), record))
    return found


def handoffs_of(
    rows: Sequence[Tuple[str, float, hotline.HandoffRecord]], department_of: Callable[[str | None], str]
) -> List[Handoff]:
    """One Handoff per ``requested`` record, with what followed it in the same conversation."""
    handoffs: List[Handoff] = []
    current: Dict[str, Handoff] = {}
    for sender_id, at, record in rows:
        stage = record.get("stage")
        if stage == hotline.REQUESTED:
            measure = record.get("measure")
            handoff = Handoff(sender_id, at, str(record.get("mode") or hotline.MODE_STAFF),
                              str(record.get("channel") or "rest"), measure, department_of(measure))  # fmt: skip
            handoffs.append(handoff)
            current[sender_id] = handoff
            continue
        handoff = current.get(sender_id)
        if handoff is None:
            continue
        if stage == hotline.FIRST_REPLY and handoff.wait_s is None:
            handoff.wait_s = _number(record.get("wait_s"))
        elif stage == hotline.HANDED_BACK and handoff.handoff_s is None:
            handoff.handoff_s = _number(record.get("handoff_s"))
            handoff.handed_back_by = record.get("by")
            del current[sender_id]  # what follows (a take-over by staff) is not this handoff's
        elif stage == hotline.CALLBACK:
            handoff.callback = True
    return handoffs


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """The ``share`` percentile by linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _percentiles(values: Sequence[float]) -> Dict[str, float | None]:
    return {"p50": percentile(values, 0.5), "p90": percentile(values, 0.9), "max": max(values) if values else None}


def analyse_handoffs(handoffs: List[Handoff], target_s: float) -> HandoffReport:
    report = HandoffReport(handoffs=handoffs, target_s=target_s)
    report.by_channel = Counter(h.channel for h in handoffs).most_common()
    report.by_department = Counter(h.department for h in handoffs).most_common()
    to_staff = [h for h in handoffs if h.mode == hotline.MODE_STAFF]
    waits = [h.wait_s for h in to_staff if h.wait_s is not None]
    report.wait_percentiles = _percentiles(waits)
    report.handoff_percentiles = _percentiles([h.handoff_s for h in to_staff if h.handoff_s is not None])
    report.to_staff, report.answered = len(to_staff), len(waits)
    report.timed_out = sum(1 for h in to_staff if h.handed_back_by == hotline.BY_TIMEOUT)
    report.callbacks = sum(1 for h in handoffs if h.callback)
    # Within the target: staff's first reply came in time. A wait that is still open, timed out or
    # was handed back without a reply counts as missed.
    if to_staff:
        report.within_target = sum(1 for w in waits if w <= target_s) / len(to_staff)
    return report


def knowledge_departments(database_url: str | None = None) -> Callable[[str | None], str]:
    """measure key → its department: the first it names (knowledge/departments.py, as the console tags cases)."""
    from knowledge.db import session_scope
    from knowledge.departments import department_name
    from knowledge.repository import all_measures

    with session_scope(database_url) as session:
        first = {m.key: next((department_name(str(c)) for c in m.detail("contacts") if department_name(str(c))), None)
                 for m in all_measures(session)}  # fmt: skip

    def department_of(measure: str | None) -> str:
        return first.get(measure or "") or NO_DEPARTMENT

    return department_of
