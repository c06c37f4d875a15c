"""``python -m tools.bench.flood`` (make bench-flood): fairness under a flood (issue 17).

One sender floods the REST channel (``--via socketio``: from one socket.io socket) with ``--flood``
messages at once (``--rounds`` times; 0: until the other user is done) while another user asks one
question after another; the other user's turn
latency is compared with the same questions on the idle server. The target: p95 under the flood
within 2x of the idle p95. Also measured: how the flood was answered (answers vs "请稍候"), and how
fast the Rasa server apologises while its action server is down (tests/test_faults.py checks that
only with a generous bound).

Against the default single server started here the way ``make run`` starts it (or ``--url``).
``MAX_TURNS_PER_SENDER=100000 make bench-flood`` shows the server without the per-sender limit.
Writes reports/bench-flood.json and appends a line to docs/benchmarks-flood.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List

from bot.paths import PROJECT_DIR
from bot.processes import env_file, servers
from bot.rasa_server.action_failure import unavailable_text
from bot.stores.settings import StoreSettings
from tools.bench.__main__ import git_commit, machine
from tools.bench.load import percentile, post_turn
from tools.socketio_client import SocketIOClient

REPORT = PROJECT_DIR / "reports" / "bench-flood.json"
HISTORY = PROJECT_DIR / "docs" / "benchmarks-flood.md"
HISTORY_HEADER = (
    "# Fairness under a flood (make bench-flood, tools/bench/flood.py)\n\n"
    "| date (UTC) | commit | MAX_TURNS_PER_SENDER | other user p50 / p95 ms idle | … under the flood | p95 ratio "
    "| flood replies | apology p95 ms (action server down) | machine; load at start |\n"
    "|---|---|---|---|---|---|---|---|---|\n"
)
# Single-turn questions a user asks (each turn from a fresh sender, so every turn is the same kind of work).
QUESTIONS = ["徽商服务卡有什么用", "担保费补贴怎么申请", "专精特新企业有什么支持", "徽商服务卡谁能办", "你好"]
TURN_TIMEOUT_S = 120
BUSY_PREFIX = "请稍候"


async def ask(session: Any, url: str, sender: str, text: str) -> tuple:
    """(latency ms, HTTP status, reply texts)."""
    elapsed_ms, status, body = await post_turn(session, url, sender, text, TURN_TIMEOUT_S)
    texts = [m.get("text") or "" for m in json.loads(body)] if status == 200 else []
    return elapsed_ms, status, texts


async def user_turns(session: Any, url: str, prefix: str, turns: int) -> List[float]:
    latencies = []
    for i in range(turns):
        latency, status, texts = await ask(session, url, f"{prefix}-{i:03d}", QUESTIONS[i % len(QUESTIONS)])
        if status != 200 or not any(texts):
            raise RuntimeError(f"the user's turn failed: HTTP {status} {texts}")
        latencies.append(latency)
    return latencies


async def flood_while(session: Any, url: str, sender: str, size: int, rounds: int, done: asyncio.Event) -> Counter:
    """``rounds`` rounds (0: until ``done``) of ``size`` messages from one sender at once; counts the replies."""
    outcome: Counter = Counter()
    number = 0

    async def one(text: str) -> None:
        try:
            _, status, texts = await ask(session, url, sender, text)
        except Exception as error:  # noqa: BLE001 - counted, the benchmark goes on
            outcome[type(error).__name__] += 1
            return
        if status != 200:
            outcome[f"HTTP {status}"] += 1
        elif texts and texts[0].startswith(BUSY_PREFIX):
            outcome["busy"] += 1
        else:
            outcome["answered"] += 1

    started = time.perf_counter()
    while not done.is_set() and (rounds == 0 or outcome["rounds"] < rounds):
        await asyncio.gather(*(one(f"刷屏消息{number + i}") for i in range(size)))
        number += size
        outcome["rounds"] += 1
    outcome["seconds"] = round(time.perf_counter() - started, 1)
    return outcome


async def socket_flood_while(url: str, size: int, rounds: int, done: asyncio.Event) -> Counter:
    """The same flood from one socket.io socket (the web chat's protocol): ``size`` questions at once
    per round; counts the "请稍候" replies and the other bot messages that come back."""
    outcome: Counter = Counter()
    client = SocketIOClient(url)
    await client.connect()
    started = time.perf_counter()
    try:
        await client.emit("session_request", {"session_id": None})
        name, session = await client.next_event(30)
        while name != "session_confirm":
            name, session = await client.next_event(30)
        number = 0
        while not done.is_set() and (rounds == 0 or outcome["rounds"] < rounds):
            for i in range(size):
                await client.emit("user_uttered", {"message": f"刷屏消息{number + i}", "session_id": session})
            number += size
            outcome["rounds"] += 1
            while not done.is_set():  # read the replies of the round while the user is measured
                try:
                    name, data = await client.next_event(0.5)
                except asyncio.TimeoutError:
                    if rounds:
                        continue
                    break
                if name == "bot_uttered" and isinstance(data, dict):
                    outcome["busy" if (data.get("text") or "").startswith(BUSY_PREFIX) else "bot messages"] += 1
    finally:
        await client.close()
    outcome["seconds"] = round(time.perf_counter() - started, 1)
    return outcome


async def measure(url: str, turns: int, flood_size: int, rounds: int, via: str = "rest") -> Dict[str, Any]:
    import aiohttp

    prefix = f"flood-{uuid.uuid4().hex[:8]}"
    connector = aiohttp.TCPConnector(limit=flood_size + 10)
    async with aiohttp.ClientSession(connector=connector) as session:
        await user_turns(session, url, f"{prefix}-warmup", 3)
        idle = await user_turns(session, url, f"{prefix}-idle", turns)
        done = asyncio.Event()
        if via == "socketio":
            flood = asyncio.ensure_future(socket_flood_while(url, flood_size, rounds, done))
        else:
            flood = asyncio.ensure_future(flood_while(session, url, f"{prefix}-flooder", flood_size, rounds, done))
        await asyncio.sleep(0.1)  # the flood is on its way before the user's first turn
        try:
            loaded = await user_turns(session, url, f"{prefix}-loaded", turns)
        finally:
            done.set()
        outcome = await flood
    idle_p95, loaded_p95 = percentile(idle, 95), percentile(loaded, 95)
    return {
        "idle_p50_ms": round(percentile(idle, 50)),
        "idle_p95_ms": round(idle_p95),
        "flooded_p50_ms": round(percentile(loaded, 50)),
        "flooded_p95_ms": round(loaded_p95),
        "p95_ratio": round(loaded_p95 / idle_p95, 2),
        "within_2x": loaded_p95 <= 2 * idle_p95,
        "user_turns": turns,
        "flood_messages_per_round": flood_size,
        "flood_via": via,
        "flood_rounds_asked": rounds or "until the user is done",
        "flood": dict(outcome),
    }


async def apology_latency(url: str, stack: servers.Stack, asks: int = 5) -> List[float]:
    """kill -9 of the action server, then how fast the Rasa server says it cannot look things up."""
    import aiohttp

    action = next(p for p in stack.processes if p.name == "action server")
    os.killpg(action.popen.pid, signal.SIGKILL)
    action.popen.wait(timeout=10)
    latencies = []
    async with aiohttp.ClientSession() as session:
        for i in range(asks):
            latency, status, texts = await ask(session, url, f"apology-{uuid.uuid4().hex[:6]}-{i}", QUESTIONS[0])
            if status == 200 and unavailable_text() in texts:
                latencies.append(latency)
    return latencies


def append_history(report: Dict[str, Any]) -> None:
    if not HISTORY.exists():
        HISTORY.write_text(HISTORY_HEADER, encoding="utf-8")
    flood = dict(report["flood"], messages=report["flood_messages_per_round"], rounds=report["flood_rounds_asked"])
    flood["via"] = report.get("flood_via", "rest")
    cells = [
        report["date"], report["commit"], report["max_turns_per_sender"],
        f"{report['idle_p50_ms']} / {report['idle_p95_ms']}",
        f"{report['flooded_p50_ms']} / {report['flooded_p95_ms']}",
        f"×{report['p95_ratio']}", json.dumps(flood, ensure_ascii=False),
        report.get("action_server_down_reply_p95_ms"), f"{report['machine']}; {report['load_avg_at_start']}",
    ]  # fmt: skip
    with HISTORY.open("a", encoding="utf-8") as history:
        history.write("| " + " | ".join(str(cell) for cell in cells) + " |\n")


def main(argv: List[str] | None = None) -> int:
    env_file.load(PROJECT_DIR / ".env")
    parser = argparse.ArgumentParser(prog="python -m tools.bench.flood", description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=30, help="the other user's turns, idle and under the flood")
    parser.add_argument("--flood", type=int, default=200, help="messages the flooder sends at once, per round")
    parser.add_argument("--rounds", type=int, default=1, help="flood rounds (0: keep flooding until the user is done)")
    parser.add_argument("--url", help="measure a running server instead (no action-server fault then)")
    parser.add_argument("--via", choices=("rest", "socketio"), default="rest", help="the flooder's channel")
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)
    load_at_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    stack = None
    if args.url:
        url = args.url.rstrip("/")
    else:
        from bot.training.model import ensure_model
        from knowledge import loader

        loader.load()
        model_path = ensure_model()
        print("Starting the action server and the Rasa server (as make run does)…", flush=True)
        workdir = Path(tempfile.mkdtemp(prefix="wanqi-bench-flood-"))
        stack = servers.start_private_stack(
            model_path, workdir, api_token=secrets.token_hex(12), stores=StoreSettings()
        )
        url = stack.rasa_url
    try:
        print(f"The other user: {args.turns} turns idle, then {args.turns} under a flood of {args.flood}…", flush=True)
        report: Dict[str, Any] = asyncio.run(measure(url, args.turns, args.flood, args.rounds, args.via))
        if stack is not None:
            apologies = asyncio.run(apology_latency(url, stack))
            report["action_server_down_reply_p95_ms"] = round(percentile(apologies, 95)) if apologies else None
    finally:
        if stack is not None:
            stack.stop()
    report.update(
        max_turns_per_sender=os.environ.get("MAX_TURNS_PER_SENDER", "default"),
        date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        commit=git_commit(),
        machine=machine(),
        load_avg_at_start=load_at_start + (f"; {args.note}" if args.note else ""),
    )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    append_history(report)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if report["within_2x"] else 1


if __name__ == "__main__":
    sys.exit(main())
