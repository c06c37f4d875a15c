"""The message loop reads the bounded view of the conversation (bot/stores/bounded_tracker_store.py).

Rasa's ``MessageProcessor.fetch_tracker_and_update_session`` fetches the tracker a user message is
handled with (and the HTTP API's trigger-intent/execute calls). ``install()`` runs it inside
``recent_events_only()``: a store that offers the bounded view then returns the checkpoint and the
last turns instead of the whole session; any other store is unaffected. Every other read of a
tracker (HTTP API, staff console, exports) keeps Rasa's meaning.
"""

from __future__ import annotations

import functools
from typing import Any


def install() -> None:
    """Patch ``MessageProcessor.fetch_tracker_and_update_session`` in this process (idempotent)."""
    from rasa.core.processor import MessageProcessor

    from bot.stores.bounded_tracker_store import recent_events_only

    if getattr(MessageProcessor.fetch_tracker_and_update_session, "_bounded_view", False):
        return
    fetch = MessageProcessor.fetch_tracker_and_update_session

    @functools.wraps(fetch)
    async def fetch_bounded_view(self: MessageProcessor, *args: Any, **kwargs: Any) -> Any:
        with recent_events_only():
            return await fetch(self, *args, **kwargs)

    fetch_bounded_view._bounded_view = True  # type: ignore[attr-defined]
    MessageProcessor.fetch_tracker_and_update_session = fetch_bounded_view  # type: ignore[method-assign]
