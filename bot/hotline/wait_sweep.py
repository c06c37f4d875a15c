"""Nobody waits in silence: a user handed to staff who got no staff reply within ``HANDOFF_WAIT_MINUTES``
is told so, offered 12345 and a call-back, and the bot answers again (ConversationResumed).

Every ``HANDOFF_SWEEP_SECONDS`` the Rasa server looks for such conversations. The store query runs
in a worker thread (it is a scan of the events table, through an index on (type_name, timestamp)
that the sweep creates once); each conversation found is then re-read and handed back under its
lock, so that with several replicas sweeping, and staff replying meanwhile, only one of them does
it and only when it is still due. The notice goes to the user on their own channel through the
``deliver`` function the console hands in (bot/channels/delivery/), and a ``handoff`` record of stage
``handed_back`` (by ``timeout``) notes the times.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Awaitable, Callable, List, Set

import sqlalchemy as sa

from bot.hotline import records
from knowledge import hotline

logger = logging.getLogger(__name__)

# Sends texts to a conversation's user on the channel the user wrote from: (sender_id, texts, when the
# user last wrote — WeChat's reply window counts from it).
Deliver = Callable[[str, List[str], "float | None"], Awaitable[None]]
INDEX_NAME = "ix_events_type_name_timestamp"


def _has_sql(store: Any) -> bool:
    return hasattr(store, "engine") and hasattr(store, "session_scope")


def ensure_index(store: Any) -> None:
    """The index the sweep's query reads (idempotent; Rasa's table has one on sender_id only)."""
    if _has_sql(store):
        with store.engine.begin() as connection:
            connection.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON events (type_name, timestamp)"))


_PAUSED_SINCE = sa.text(
    "SELECT p.sender_id, p.id FROM events p WHERE p.type_name = 'pause' AND p.timestamp <= :cutoff "
    "AND NOT EXISTS (SELECT 1 FROM events r WHERE r.sender_id = p.sender_id AND r.id > p.id "
    "AND r.type_name IN ('resume', 'restart'))"
)
_BOT_AFTER = sa.text("SELECT data FROM events WHERE sender_id = :sender AND id > :after AND type_name = 'bot'")


def _is_staff(data: str | None) -> bool:
    return bool((json.loads(data or "{}").get("metadata") or {}).get(records.STAFF_METADATA_KEY))


def waiting_too_long(store: Any, cutoff: float) -> Set[str]:
    """Senders paused since before ``cutoff`` with no staff reply since (candidates: ``hand_back`` checks
    each under its lock): a blocking query, run in a worker thread."""
    found: Set[str] = set()
    with store.engine.connect() as connection:
        for sender_id, pause_id in connection.execute(_PAUSED_SINCE, {"cutoff": cutoff}).fetchall():
            replies = connection.execute(_BOT_AFTER, {"sender": sender_id, "after": pause_id}).scalars()
            if not any(_is_staff(data) for data in replies):
                found.add(sender_id)
    return found


class WaitSweep:
    def __init__(self, wait_s: float, every_s: float, notice: Callable[[str], str], deliver: Deliver,
                 clock: Callable[[], float] = time.time) -> None:  # fmt: skip
        self.wait_s = wait_s
        self.every_s = every_s
        self.notice = notice  # the channel's text for the timed-out wait (channel_texts.yml)
        self.deliver = deliver
        self._clock = clock
        self._indexed = False

    async def candidates(self, agent: Any) -> Set[str]:
        store = agent.tracker_store
        cutoff = self._clock() - self.wait_s
        if _has_sql(store):
            if not self._indexed:
                await asyncio.to_thread(ensure_index, store)
                self._indexed = True
            return await asyncio.to_thread(waiting_too_long, store, cutoff)
        found = set()
        for sender_id in await store.keys():
            tracker = await store.retrieve(sender_id)
            state = records.open_handoff([e.as_dict() for e in tracker.events]) if tracker else None
            if state and state[1] is None and state[0] <= cutoff:
                found.add(sender_id)
        return found

    async def hand_back(self, agent: Any, sender_id: str) -> bool:
        """Hand ``sender_id`` back to the bot if it still waits too long; whether it did."""
        from rasa.shared.core.events import ActionExecuted, AgentUttered, BotUttered, ConversationResumed

        async with agent.lock_store.lock(sender_id):
            tracker = await agent.processor.get_tracker(sender_id)
            events = [event.as_dict() for event in tracker.events]
            state = records.open_handoff(events)
            now = self._clock()
            if state is None or state[1] is not None or state[0] > now - self.wait_s:
                return False  # staff replied or handed back meanwhile (here or on another replica)
            if not records.asked_for_staff(events):
                return False  # staff took this conversation over themselves: nobody is waiting for them
            channel = tracker.get_latest_input_channel() or "rest"
            text = self.notice(channel)
            appended: List[Any] = [ConversationResumed(), BotUttered(text), ActionExecuted("action_listen")]
            for record in records.follow_up(events, [e.as_dict() for e in appended], now, by=hotline.BY_TIMEOUT):
                appended.append(AgentUttered(data=hotline.handoff_data(record)))
            for event in appended:
                tracker.update(event)
            await agent.tracker_store.save(tracker)
        last_user_at = max((float(e.get("timestamp") or 0) for e in events if e.get("event") == "user"), default=None)
        try:
            await self.deliver(sender_id, [text], last_user_at)
        except Exception:  # the hand-back stands; the notice is in the conversation's history
            logger.exception("Could not deliver the timed-out notice to %s (%s)", sender_id, channel)
        logger.info("Handed %s back to the bot: no staff reply within %.0f s", sender_id, self.wait_s)
        return True

    async def sweep_once(self, agent: Any) -> List[str]:
        handed_back = []
        for sender_id in sorted(await self.candidates(agent)):
            if await self.hand_back(agent, sender_id):
                handed_back.append(sender_id)
        return handed_back

    async def run(self, agent_of: Callable[[], Any]) -> None:
        """Sweep every ``every_s`` until cancelled (the agent is looked up each time: a model switch replaces it)."""
        while True:
            await asyncio.sleep(self.every_s)
            agent = agent_of()
            if agent is None or getattr(agent, "tracker_store", None) is None:
                continue
            try:
                await self.sweep_once(agent)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("The hand-off wait sweep failed; it runs again in %.0f s", self.every_s)
