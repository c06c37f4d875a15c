"""The hand-off records (knowledge/hotline.py) that follow from what staff or the server append to a
conversation: staff's first reply after 转人工 (with the wait) and the hand-back (with the times).

Pure functions over event dicts (as ``Event.as_dict`` gives them), so they are tested without a
server; bot/channels/webchat/console.py and bot/hotline/wait_sweep.py append what they return as
``agent`` events under the conversation's lock.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Tuple

from knowledge import hotline

STAFF_METADATA_KEY = "staff"  # a staff reply's BotUttered carries {"staff": true} (the console's mark)


def _is_staff_reply(event: Mapping[str, Any]) -> bool:
    return event.get("event") == "bot" and bool((event.get("metadata") or {}).get(STAFF_METADATA_KEY))


def open_handoff(events: Iterable[Mapping[str, Any]]) -> Tuple[float, float | None] | None:
    """(when 转人工 paused the bot, when staff first replied since or None) of the pause in force, or
    None when the bot is not paused. A pause by staff (接管) starts a hand-off too."""
    started: float | None = None
    first_reply: float | None = None
    for event in events:
        kind = event.get("event")
        if kind == "pause":
            if started is None:
                started, first_reply = float(event.get("timestamp") or 0), None
        elif kind in ("resume", "restart"):
            started, first_reply = None, None
        elif started is not None and first_reply is None and _is_staff_reply(event):
            first_reply = float(event.get("timestamp") or 0)
    return None if started is None else (started, first_reply)


def asked_for_staff(events: Iterable[Mapping[str, Any]]) -> bool:
    """Whether the pause in force follows the user's 转人工 to staff (a ``requested`` record of mode
    staff since the last hand-back), not staff's own 接管 of a conversation nobody asked them for."""
    asked = False
    for event in events:
        record = hotline.handoff_of(event)
        if record is not None and record.get("stage") == hotline.REQUESTED:
            asked = record.get("mode") == hotline.MODE_STAFF
        elif event.get("event") in ("resume", "restart"):
            asked = False
    return asked


def follow_up(
    before: List[Dict[str, Any]], appended: List[Dict[str, Any]], now: float, by: str = hotline.BY_STAFF
) -> List[hotline.HandoffRecord]:
    """The records that ``appended`` (events staff or the server add now) makes due, given the
    conversation's events ``before`` them; a hand-back is ``by`` staff unless the caller says otherwise."""
    records: List[hotline.HandoffRecord] = []
    state = open_handoff(before)
    for event in appended:
        kind = event.get("event")
        at = float(event.get("timestamp") or now)  # the event's own time, as the tracker keeps it
        if kind == "pause" and state is None:
            state = (at, None)
        elif state is not None and state[1] is None and _is_staff_reply(event):
            records.append(hotline.HandoffRecord(stage=hotline.FIRST_REPLY, at=at, wait_s=round(at - state[0], 3)))
            state = (state[0], at)
        elif kind in ("resume", "restart") and state is not None:
            first = None if state[1] is None else round(state[1] - state[0], 3)
            records.append(hotline.HandoffRecord(stage=hotline.HANDED_BACK, at=at, by=by,
                                                 handoff_s=round(at - state[0], 3), first_reply_s=first))  # fmt: skip
            state = None
    return records


def open_callback(events: Iterable[Mapping[str, Any]]) -> hotline.HandoffRecord | None:
    """The conversation's latest call-back request if staff have not marked it done."""
    found: hotline.HandoffRecord | None = None
    for event in events:
        record = hotline.handoff_of(event)
        if record is None:
            continue
        if record.get("stage") == hotline.CALLBACK:
            found = record
        elif record.get("stage") == hotline.CALLBACK_DONE:
            found = None
    return found
