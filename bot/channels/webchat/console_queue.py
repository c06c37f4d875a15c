"""The staff console's list of conversations (GET /console/api/conversations)."""

from __future__ import annotations

from typing import Any, Dict, List

from bot.channels.webchat.conversations import summary

MAX_LISTED = 200


async def list_conversations(store: Any) -> List[Dict[str, Any]]:
    rows = []
    for sender_id in list(await store.keys())[-MAX_LISTED:]:
        tracker = await store.retrieve_full_tracker(sender_id)
        events = [] if tracker is None else [event.as_dict() for event in tracker.events]
        row = summary(sender_id, events)
        if row:
            rows.append(row)
    # Waiting for a human first, then the most recent.
    rows.sort(key=lambda r: (not r["paused"], -(r["last_time"] or 0)))
    return rows
