"""The benchmark's simulated users: REST conversations against one or two servers, timed per turn.

A turn counts as answered when the reply holds a text; the silence after 转人工 (the bot is paused
while staff answer, actions/handoff.py) is expected but not an answered turn, so it is counted apart
and left out of the throughput.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List, Sequence

from bot.rasa_server.action_failure import unavailable_text

TURN_TIMEOUT_S = 60


@dataclass
class Results:
    latencies_ms: List[float] = field(default_factory=list)  # answered turns only
    errors: Counter = field(default_factory=Counter)
    bot_messages: Dict[str, int] = field(default_factory=dict)  # sender → bot messages received
    user_turns: Dict[str, int] = field(default_factory=dict)  # sender → user messages answered 200
    silent_after_handoff: int = 0  # empty replies to a conversation handed over to staff (expected)
    seconds: float = 0.0

    @property
    def answered(self) -> int:
        return len(self.latencies_ms)


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def post_turn(session: Any, url: str, sender: str, text: str, timeout_s: float = TURN_TIMEOUT_S) -> tuple:
    """One message to the REST channel: (latency ms, HTTP status, body)."""
    import aiohttp

    started = time.perf_counter()
    async with session.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
        timeout=aiohttp.ClientTimeout(total=timeout_s),
    ) as response:  # fmt: skip
        body = await response.read()
        return (time.perf_counter() - started) * 1000, response.status, body


async def ask(session: Any, url: str, sender: str, text: str, results: Results, handed_over: bool) -> bool:
    """One turn; returns whether the conversation is now handed over to staff."""
    import aiohttp

    try:
        elapsed_ms, status, body = await post_turn(session, url, sender, text)
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        results.errors[type(error).__name__] += 1
        return handed_over
    if status != 200:
        results.errors[f"HTTP {status}"] += 1
        return handed_over
    results.user_turns[sender] = results.user_turns.get(sender, 0) + 1
    messages = json.loads(body)
    results.bot_messages[sender] = results.bot_messages.get(sender, 0) + len(messages)
    if not messages and handed_over:
        results.silent_after_handoff += 1
    elif not any(m.get("text") for m in messages):
        results.errors["no text in reply"] += 1
    elif any(m.get("text") == unavailable_text() for m in messages):
        results.errors["action server unavailable"] += 1
    else:
        results.latencies_ms.append(elapsed_ms)
    return handed_over or any(_card_kind(m) == "handoff" for m in messages)


def _card_kind(message: Dict[str, Any]) -> str | None:
    return ((message.get("custom") or {}).get("answer_card") or {}).get("kind")


async def converse(session: Any, url: str, sender: str, turns: List[str], results: Results) -> None:
    handed_over = False
    for text in turns:
        handed_over = await ask(session, url, sender, text, results, handed_over)


async def run_load(url: str, scripts: List[List[str]], conversations: int, users: int, prefix: str) -> Results:
    """``conversations`` scripted conversations, ``users`` at a time, as fast as the server answers."""
    import aiohttp

    results = Results()
    queue: asyncio.Queue = asyncio.Queue()
    for i in range(conversations):
        queue.put_nowait((f"{prefix}-{i:05d}", scripts[i % len(scripts)]))

    async def user(session: Any) -> None:
        while not queue.empty():
            sender, turns = queue.get_nowait()
            await converse(session, url, sender, turns, results)

    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=users)) as session:
        await asyncio.gather(*(user(session) for _ in range(users)))
    results.seconds = time.perf_counter() - started
    return results


async def run_interleaved(
    urls: Dict[str, str], scripts: Dict[str, List[List[str]]], count: int, prefix: str
) -> Dict[str, Results]:
    """One user at a time: each conversation is held with every server in turn (the order rotating),
    so a change in the machine's load hits all of them alike."""
    import aiohttp

    results = {name: Results() for name in urls}
    names = list(urls)
    async with aiohttp.ClientSession() as session:
        for i in range(count):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                turns = scripts[name][i % len(scripts[name])]
                started = time.perf_counter()
                await converse(session, urls[name], f"{prefix}-{name}-{i:04d}", turns, results[name])
                results[name].seconds += time.perf_counter() - started
    return results


async def run_long_interleaved(
    urls: Dict[str, str], texts: Dict[str, List[str]], turns: int, prefix: str
) -> Dict[str, List[float]]:
    """One long conversation per server, turn by turn alternately: name → ms of each turn (NaN if
    the turn was not answered)."""
    import aiohttp

    results = {name: Results() for name in urls}
    wall: Dict[str, List[float]] = {name: [] for name in urls}
    handed_over = {name: False for name in urls}
    async with aiohttp.ClientSession() as session:
        for i in range(turns):
            for name in list(urls) if i % 2 == 0 else list(reversed(list(urls))):
                text = texts[name][i % len(texts[name])]
                before = results[name].answered
                handed_over[name] = await ask(
                    session, urls[name], f"{prefix}-{name}", text, results[name], handed_over[name]
                )
                answered = results[name].answered > before
                wall[name].append(results[name].latencies_ms[-1] if answered else float("nan"))
    return wall


def growth(wall_ms: List[float], early: tuple = (6, 25), late: tuple = (131, 150)) -> Dict[str, float]:
    """Median ms of the early and the late turns (1-based, inclusive) and their ratio."""

    def median(first: int, last: int) -> float:
        values = [ms for ms in wall_ms[first - 1 : last] if ms == ms]
        return statistics.median(values) if values else float("nan")

    a, b = median(*early), median(*late)
    return {"early_ms": round(a, 1), "late_ms": round(b, 1), "late_over_early": round(b / a, 2) if a else None}


def summarise(results: Results) -> Dict[str, Any]:
    return {
        "answered_turns": results.answered,
        "p50_ms": round(percentile(results.latencies_ms, 50), 1),
        "p95_ms": round(percentile(results.latencies_ms, 95), 1),
        "p99_ms": round(percentile(results.latencies_ms, 99), 1),
        "turns_per_s": round(results.answered / results.seconds, 1) if results.seconds else None,
        "errors": sum(results.errors.values()),
        "error_kinds": dict(results.errors),
        "silent_after_handoff": results.silent_after_handoff,
        "seconds": round(results.seconds, 1),
    }
