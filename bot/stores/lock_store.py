"""The lock stores the Rasa servers use: ``InProcessLockStore`` by default (one server),
``SerialisingRedisLockStore`` when REDIS_URL is set (several replicas); bot/stores/settings.py selects one.

Loaded by Rasa inside the server process from the endpoints file (``type: bot.stores.lock_store.…``).
"""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Dict, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, RedisLockStore

T = TypeVar("T")


class SerialisingRedisLockStore(RedisLockStore):
    """Rasa's ``RedisLockStore`` whose ticket queue stays correct when several processes share it.

    Why: Rasa 3.6's ``LockStore`` (rasa/core/lock_store.py) changes a conversation's
    ticket queue by read-modify-write without any Redis transaction: ``issue_ticket`` GETs the
    lock, appends ``last_issued + 1`` and SETs it back; ``finish_serving``, ``update_lock`` and
    ``cleanup`` (``is_someone_waiting`` then ``delete_lock``) do the same. That is safe inside one
    process (those calls never yield to the event loop) but not between two replicas:
    - both replicas read the queue [n] at once and both issue ticket n+1 (the later SET wins), so
      two requests hold "the" lock together (seen in the cluster: for a new sender both replicas
      found no lock, each stored a queue [0] and ran its turn with ticket 0 at the same time).
      Both retrieve the same tracker and save it; Rasa's
      ``SQLTrackerStore._additional_events`` stores only ``tracker.events[count_in_db:]``, so the
      turn that saves second loses its events (its user message was answered but not stored);
    - a replica's SET of an old queue drops a ticket the other replica just added, or deletes the
      lock under a waiter: that request waits its ticket out or fails with ``LockError``.
    A ticket also expires ``LOCK_LIFETIME`` (60 s) after it was *issued*, whether it is still
    waiting or being served: when a sender's queued turns take longer than that (slow turns under
    load), the expired ticket of the turn being served lets the next one in.

    Here every change of the queue is one optimistic Redis transaction (WATCH / MULTI, retried if
    another process changed the key in between), and a request renews its own ticket while it
    waits and while it is served, so only the tickets of a dead replica expire.
    """

    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        # Rasa builds a lock store named by module path as ``cls(endpoint_config=...)``.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Callable[[TicketLock | None], Tuple[TicketLock | None, T]]) -> T:
        """Apply ``change`` to the stored lock atomically; a returned lock without tickets is deleted."""
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new_lock, result = change(lock)
                    pipe.multi()
                    if new_lock is None or not new_lock.tickets:
                        pipe.delete(key)
                    else:
                        pipe.set(key, new_lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another replica changed the queue meanwhile: redo on its version

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: TicketLock | None) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def _renew(self, conversation_id: str, ticket_number: int, lock_lifetime: float) -> bool:
        """Push the expiry of one's own ticket ``lock_lifetime`` ahead; False if it is gone."""

        def renew(lock: TicketLock | None) -> Tuple[TicketLock | None, bool]:
            if lock is None:
                return None, False
            lock.remove_expired_tickets()
            for ticket in lock.tickets:
                if ticket.number == ticket_number:
                    ticket.expires = time.time() + lock_lifetime
                    return lock, True
            return lock, False

        return self._change(conversation_id, renew)

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> Tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: TicketLock | None) -> Tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # Removing the ticket and deleting the lock if it is then empty is one step in _change.
        self.finish_serving(conversation_id, ticket_number)

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[TicketLock]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        keep_alive = asyncio.ensure_future(self._keep_alive(conversation_id, ticket, lock_lifetime))
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            keep_alive.cancel()
            self.cleanup(conversation_id, ticket)

    async def _keep_alive(self, conversation_id: str, ticket: int, lock_lifetime: float) -> None:
        while True:
            await asyncio.sleep(max(lock_lifetime / 4, 0.05))
            if not self._renew(conversation_id, ticket, lock_lifetime):
                return

    async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        while True:
            lock = self.get_lock(conversation_id)
            if lock is None or all(t.number != ticket for t in lock.tickets):
                # Our ticket expired (this process stalled longer than the lock lifetime): going on
                # would run this turn beside another one.
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
            self.update_lock(conversation_id)


@dataclass
class _ConversationQueue:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    holders: int = 0  # turns waiting for or holding ``lock``


class InProcessLockStore(InMemoryLockStore):
    """The lock store of one Rasa server: a conversation's turns run one at a time, in arrival
    order, however long each one takes.

    Why (issue 17): Rasa's ``InMemoryLockStore`` uses the same ticket queue as the Redis store,
    whose tickets expire ``LOCK_LIFETIME`` (60 s) after they were *issued*. When one sender's queued
    turns take longer than that (a flood, a slow turn under load), the next turn starts beside the
    one being served (both read and save the same tracker: a turn is run twice over one state and
    one of them loses its events), and a waiter whose ticket expired gets ``LockError`` (its message
    is dropped). In one process there is nothing to expire: if the process dies, so do its turns.
    So each conversation gets an ``asyncio.Lock`` (first come, first served), dropped once no turn
    holds or waits for it. ``lock_lifetime`` and ``wait_time_in_seconds`` are accepted and unused.
    """

    def __init__(self, endpoint_config: Any = None) -> None:
        # Rasa builds a lock store named by module path as ``cls(endpoint_config=...)``.
        super().__init__()
        self._queues: Dict[str, _ConversationQueue] = {}

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[TicketLock]:
        queue = self._queues.setdefault(conversation_id, _ConversationQueue())
        queue.holders += 1
        try:
            async with queue.lock:
                yield TicketLock(conversation_id)
        finally:
            queue.holders -= 1
            if queue.holders == 0:
                del self._queues[conversation_id]

    def waiting_turns(self, conversation_id: str) -> int:
        """Turns of ``conversation_id`` being served or waiting (0: none)."""
        queue = self._queues.get(conversation_id)
        return queue.holders if queue else 0
