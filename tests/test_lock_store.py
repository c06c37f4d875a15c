"""The Redis lock store shared by Rasa replicas (bot/stores/lock_store.py), without a Rasa server: several
processes take one conversation's lock at once and must never be inside it together; a turn that
outlasts the ticket lifetime keeps the lock. Needs Redis on 127.0.0.1:6379 (as the cluster does)."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from typing import List, Tuple

from bot.stores.endpoints import render_endpoints
from bot.stores.settings import StoreSettings

REDIS_URL = "redis://127.0.0.1:6379/1"


def _store(key_prefix: str):
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    # Built the way the Rasa server builds it: from the rendered endpoints file.
    endpoints = render_endpoints(
        "http://127.0.0.1:1/webhook", "unused.db", StoreSettings(redis_url=REDIS_URL, redis_key_prefix=key_prefix)
    )
    return LockStore.create(EndpointConfig.from_dict(endpoints["lock_store"]))


def _take_the_lock_repeatedly(
    key_prefix: str, conversation: str, at_once: int, rounds: int, hold_s: float
) -> Tuple[int, int, int]:
    """In a process of its own: ``rounds`` times, ``at_once`` turns ask for the lock together.
    Returns (turns that found someone else inside, lock errors, turns done)."""
    import redis

    store = _store(key_prefix)
    inside_key = f"{key_prefix}:inside:{conversation}"
    client = redis.Redis.from_url(REDIS_URL)
    overlaps = errors = done = 0

    async def turn() -> None:
        nonlocal overlaps, errors, done
        try:
            async with store.lock(conversation, wait_time_in_seconds=0.02):
                if client.incr(inside_key) > 1:
                    overlaps += 1
                await asyncio.sleep(hold_s)
                client.decr(inside_key)
                done += 1
        except Exception:  # noqa: BLE001 - LockError: the turn would not have been answered
            errors += 1

    async def main() -> None:
        for _ in range(rounds):
            await asyncio.gather(*(turn() for _ in range(at_once)))

    asyncio.run(main())
    return overlaps, errors, done


def test_turns_of_one_sender_from_several_processes_never_overlap_and_all_run(redis_key_prefix: str) -> None:
    conversation = uuid.uuid4().hex
    processes, at_once, rounds = 3, 4, 15
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        # Rasa's own store can also leave a waiter polling an empty lock for ever: fail, not hang.
        results: List[Tuple[int, int, int]] = pool.starmap_async(
            _take_the_lock_repeatedly, [(redis_key_prefix, conversation, at_once, rounds, 0.01)] * processes
        ).get(timeout=120)
    overlaps, errors, done = (sum(column) for column in zip(*results, strict=True))
    # Rasa's own RedisLockStore fails this: tickets issued at the same moment by two processes get
    # the same number (overlaps), and a ticket dropped by another process's write ends in LockError.
    assert (overlaps, errors, done) == (0, 0, processes * at_once * rounds)
    assert _store(redis_key_prefix).get_lock(conversation) is None, "the lock of a finished conversation is deleted"


def test_a_turn_longer_than_the_ticket_lifetime_keeps_the_lock(redis_key_prefix: str) -> None:
    store = _store(redis_key_prefix)
    conversation = uuid.uuid4().hex
    lifetime = 0.4
    timeline: List[Tuple[str, float]] = []

    async def turn(name: str, hold_s: float) -> None:
        async with store.lock(conversation, lock_lifetime=lifetime, wait_time_in_seconds=0.05):
            timeline.append((f"{name} in", time.monotonic()))
            await asyncio.sleep(hold_s)
            timeline.append((f"{name} out", time.monotonic()))

    async def main() -> None:
        first = asyncio.ensure_future(turn("first", 5 * lifetime))
        await asyncio.sleep(0.05)
        await asyncio.gather(first, turn("second", 0))

    asyncio.run(main())
    # Rasa's tickets expire `lifetime` after they are issued, so the second turn would start while
    # the first is still running; here each live turn renews its own ticket.
    assert [name for name, _ in timeline] == ["first in", "first out", "second in", "second out"]
    assert store.get_lock(conversation) is None


# --- the default (one server) lock store ---------------------------------------------------------


def _default_store():
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    # Built the way the Rasa server builds it from the default endpoints file (no REDIS_URL).
    endpoints = render_endpoints("http://127.0.0.1:1/webhook", "unused.db", StoreSettings())
    config = endpoints.get("lock_store")
    return LockStore.create(EndpointConfig.from_dict(config) if config else None)


def test_default_store_keeps_a_turn_longer_than_the_ticket_lifetime_alone() -> None:
    """Rasa's InMemoryLockStore lets a ticket expire `lifetime` after issue: the second turn of a
    sender would run beside the first (and a third that waited past it would get LockError)."""
    store = _default_store()
    conversation = uuid.uuid4().hex
    lifetime = 0.3
    timeline: List[str] = []
    errors: List[Exception] = []

    async def turn(name: str, hold_s: float) -> None:
        try:
            async with store.lock(conversation, lock_lifetime=lifetime, wait_time_in_seconds=0.02):
                timeline.append(f"{name} in")
                await asyncio.sleep(hold_s)
                timeline.append(f"{name} out")
        except Exception as error:  # noqa: BLE001 - a LockError is a dropped message
            errors.append(error)

    async def main() -> None:
        first = asyncio.ensure_future(turn("first", 4 * lifetime))
        await asyncio.sleep(0.02)
        second = asyncio.ensure_future(turn("second", 4 * lifetime))
        await asyncio.sleep(0.02)
        await asyncio.gather(first, second, turn("third", 0))

    asyncio.run(asyncio.wait_for(main(), timeout=30))  # Rasa's store can leave a waiter polling for ever
    assert errors == []
    assert timeline == ["first in", "first out", "second in", "second out", "third in", "third out"]


def test_default_store_runs_many_queued_turns_of_one_sender_once_each_in_order() -> None:
    store = _default_store()
    conversation = uuid.uuid4().hex
    inside = 0
    order: List[int] = []

    async def turn(number: int) -> None:
        nonlocal inside
        async with store.lock(conversation, lock_lifetime=0.05, wait_time_in_seconds=0.01):
            inside += 1
            assert inside == 1, "two turns of one sender ran together"
            await asyncio.sleep(0.005)
            order.append(number)
            inside -= 1

    async def main() -> None:
        await asyncio.gather(*(turn(n) for n in range(40)))

    asyncio.run(asyncio.wait_for(main(), timeout=30))
    assert order == list(range(40))  # every turn once, in the order it arrived
