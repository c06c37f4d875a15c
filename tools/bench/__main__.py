"""``python -m tools.bench`` (make bench): N concurrent simulated users in real multi-turn conversations
over REST, against the default single server started here the way ``make run`` starts it (or
against ``--url``).

Reports turn latency (p50/p95/p99, single user and under load), turns/s, errors, peak RSS of each
process, start-up time, then counts each conversation's events in the tracker store (a lost event
is a user message or a bot message the client saw that the store does not hold). Writes
reports/bench.json and appends a line to docs/benchmarks.md.

    make bench                                   # 1000 conversations x 5 turns, 50 users
    make bench BENCH_ARGS="--conversations 200 --users 20"
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot.paths import PROJECT_DIR
from bot.processes import env_file, servers
from bot.rasa_server.action_failure import unavailable_text
from bot.stores.settings import StoreSettings

CONVERSATIONS = Path(__file__).resolve().parent / "conversations.yml"
REPORT = PROJECT_DIR / "reports" / "bench.json"
HISTORY = PROJECT_DIR / "docs" / "benchmarks.md"
TURN_TIMEOUT_S = 60


@dataclass
class Results:
    latencies_ms: List[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    bot_messages: Dict[str, int] = field(default_factory=dict)  # sender → bot messages received
    user_turns: Dict[str, int] = field(default_factory=dict)  # sender → user messages answered 200
    silent_after_handoff: int = 0  # empty replies to a conversation handed over to staff (expected)


def percentile(values: List[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def converse(session: Any, url: str, sender: str, turns: List[str], results: Results) -> None:
    import aiohttp

    # After 转人工 the bot is paused for this conversation (actions/handoff.py): staff answer, the
    # bot stays silent, so an empty reply then is the expected behaviour, not an error.
    handed_over = False
    for text in turns:
        started = time.perf_counter()
        try:
            async with session.post(
                f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                timeout=aiohttp.ClientTimeout(total=TURN_TIMEOUT_S),
            ) as response:  # fmt: skip
                body = await response.read()
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            results.errors[type(error).__name__] += 1
            continue
        results.latencies_ms.append((time.perf_counter() - started) * 1000)
        if status != 200:
            results.errors[f"HTTP {status}"] += 1
            continue
        results.user_turns[sender] = results.user_turns.get(sender, 0) + 1
        messages = json.loads(body)
        results.bot_messages[sender] = results.bot_messages.get(sender, 0) + len(messages)
        if not messages and handed_over:
            results.silent_after_handoff += 1
        elif not any(m.get("text") for m in messages):
            results.errors["no text in reply"] += 1
        elif any(m.get("text") == unavailable_text() for m in messages):
            results.errors["action server unavailable"] += 1
        handed_over = handed_over or any(
            ((m.get("custom") or {}).get("answer_card") or {}).get("kind") == "handoff" for m in messages
        )


async def run_load(url: str, scripts: List[List[str]], conversations: int, users: int, prefix: str) -> tuple:
    import aiohttp

    results = Results()
    queue: asyncio.Queue = asyncio.Queue()
    for i in range(conversations):
        queue.put_nowait((f"{prefix}-{i:05d}", scripts[i % len(scripts)]))

    async def user(session: Any) -> None:
        while not queue.empty():
            sender, turns = queue.get_nowait()
            await converse(session, url, sender, turns, results)

    connector = aiohttp.TCPConnector(limit=users)
    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(user(session) for _ in range(users)))
    return results, time.perf_counter() - started


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM: the peak resident set size of a process, from /proc (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def count_tracker_events(tracker_url: str, prefix: str) -> Dict[str, Counter]:
    """sender → Counter of event types, read straight from Rasa's ``events`` table."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(tracker_url, future=True)
    counts: Dict[str, Counter] = {}
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sqlalchemy.text(
                    "SELECT sender_id, type_name, COUNT(*) FROM events WHERE sender_id LIKE :p "
                    "GROUP BY sender_id, type_name"
                ),
                {"p": f"{prefix}-%"},
            )
            for sender, type_name, count in rows:
                counts.setdefault(sender, Counter())[type_name] = count
    finally:
        engine.dispose()
    return counts


def lost_events(results: Results, stored: Dict[str, Counter]) -> int:
    lost = 0
    for sender, sent in results.user_turns.items():
        events = stored.get(sender, Counter())
        lost += max(0, sent - events["user"])
        lost += max(0, results.bot_messages.get(sender, 0) - events["bot"])
    return lost


def machine() -> str:
    cpu = platform.processor() or "cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_gb = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        mem_gb = float("nan")
    return f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GB RAM, {platform.system()} {platform.release()}"


def git_commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True)
    return result.stdout.strip() or "unknown"


def summarise(results: Results, seconds: float) -> Dict[str, Any]:
    turns = len(results.latencies_ms)
    return {
        "turns": turns,
        "p50_ms": round(percentile(results.latencies_ms, 50), 1),
        "p95_ms": round(percentile(results.latencies_ms, 95), 1),
        "p99_ms": round(percentile(results.latencies_ms, 99), 1),
        "turns_per_s": round(turns / seconds, 1) if seconds else None,
        "errors": sum(results.errors.values()),
        "error_kinds": dict(results.errors),
        "silent_after_handoff": results.silent_after_handoff,
    }


def append_history(report: Dict[str, Any]) -> None:
    HISTORY.parent.mkdir(parents=True, exist_ok=True)
    if not HISTORY.exists():
        HISTORY.write_text(
            "# Load benchmark runs\n\n"
            "| date (UTC) | commit | machine | load avg at start | setup | conversations × turns, users | "
            "single-user p50/p95 ms | p50/p95/p99 ms | turns/s | errors | lost events | ready s | peak RSS MB |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        )
    rss = ", ".join(f"{name} {mb}" for name, mb in report["rss_mb"].items())
    line = (
        f"| {report['date']} | {report['commit']} | {report['machine']} | {report['load_avg_at_start']} | "
        f"{report['setup']} | {report['conversations']} × {report['turns_per_conversation']}, {report['users']} | "
        f"{report['single_user']['p50_ms']}/{report['single_user']['p95_ms']} | "
        f"{report['p50_ms']}/{report['p95_ms']}/{report['p99_ms']} | {report['turns_per_s']} | {report['errors']} | "
        f"{report['lost_events']} | {report['ready_s']} | {rss} |\n"
    )
    with HISTORY.open("a") as history:
        history.write(line)


def main(argv: List[str] | None = None) -> int:
    env_file.load(PROJECT_DIR / ".env")
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50, help="concurrent simulated users")
    parser.add_argument("--single-user-conversations", type=int, default=20, help="for the single-user latency")
    parser.add_argument("--url", help="benchmark a running server instead (needs --tracker-url for lost events)")
    parser.add_argument("--tracker-url", help="SQLAlchemy URL of that server's tracker store")
    parser.add_argument("--note", default="", help="free text for docs/benchmarks.md (e.g. what else ran)")
    args = parser.parse_args(argv)

    scripts = [c["turns"] for c in yaml.safe_load(CONVERSATIONS.read_text(encoding="utf-8"))["conversations"]]
    load_at_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    workdir = Path(tempfile.mkdtemp(prefix="wanqi-bench-"))
    stack = None
    stores = StoreSettings.from_env()
    if args.url:
        url, tracker_url, ready_s, setup = args.url.rstrip("/"), args.tracker_url, None, f"external {args.url}"
    else:
        from bot.training.model import ensure_model
        from knowledge import loader

        loader.load()
        model_path = ensure_model()
        print("Starting the action server and the Rasa server (as make run does)…", flush=True)
        started = time.monotonic()
        stack = servers.start_private_stack(model_path, workdir, api_token=secrets.token_hex(12), stores=stores)
        ready_s = round(time.monotonic() - started, 1)
        url = stack.rasa_url
        tracker_url = stores.tracker_database_url or f"sqlite:///{workdir / 'tracker.db'}"
        setup = "1 Rasa server + 1 action server, " + ("PostgreSQL" if stores.tracker_database_url else "SQLite")
        setup += " tracker" + (", Redis lock" if stores.redis_url else "")
        print(f"Ready in {ready_s} s.", flush=True)
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        print(f"Single user: {args.single_user_conversations} conversations…", flush=True)
        single, single_s = asyncio.run(run_load(url, scripts, args.single_user_conversations, 1, prefix + "-single"))
        print(f"Load: {args.conversations} conversations × 5 turns, {args.users} concurrent users…", flush=True)
        loaded, loaded_s = asyncio.run(run_load(url, scripts, args.conversations, args.users, prefix))
        rss = {}
        if stack is not None:
            rss = {p.name: peak_rss_mb(p.popen.pid) for p in stack.processes}
        stored = count_tracker_events(tracker_url, prefix) if tracker_url else {}
        lost = lost_events(loaded, stored) + lost_events(single, stored) if tracker_url else None
    finally:
        if stack is not None:
            stack.stop()

    summary = summarise(loaded, loaded_s)
    report: Dict[str, Any] = {
        **{k: summary[k] for k in ("p50_ms", "p95_ms", "p99_ms", "turns_per_s", "errors", "silent_after_handoff")},
        "lost_events": lost,
        "ready_s": ready_s,
        "rss_mb": rss,
        "error_kinds": summary["error_kinds"],
        "single_user": summarise(single, single_s),
        "conversations": args.conversations,
        "turns_per_conversation": 5,
        "users": args.users,
        "turns": summary["turns"],
        "seconds": round(loaded_s, 1),
        "setup": setup,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "commit": git_commit(),
        "machine": machine(),
        "load_avg_at_start": load_at_start + (f"; {args.note}" if args.note else ""),
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    append_history(report)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"Wrote {REPORT.relative_to(PROJECT_DIR)} and a line in {HISTORY.relative_to(PROJECT_DIR)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
