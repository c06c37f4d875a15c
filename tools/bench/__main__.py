"""``python -m tools.bench`` (make bench): this assistant against a bare Rasa bot, in the same run.

It trains a bare ``rasa init`` bot from the template in the installed Rasa (tools/bench/bare_rasa.py)
and starts it on a free port, starts this assistant the way ``make run`` does (or ``--cluster N``
replicas the way ``make run-cluster`` does, or uses ``--url``), then drives both over REST with the
same simulated users and reports every figure beside the bare bot's and as a ratio to it:

- single-user p50/p95 (each conversation held with both bots in turn, so load changes hit both);
- throughput at 20 and 50 concurrent users (answered turns only: the silence after 转人工 and errors
  do not count), p95 under that load;
- one 150-turn conversation with each, turn by turn alternately: the median of turns 131–150 over
  turns 6–25 (does a turn get slower as the conversation grows?);
- peak memory of the servers, time to ready, and lost events (every user and bot message the
  client saw must be in the tracker store).

Writes reports/bench.json and a row in docs/benchmarks.md (with the commit, the model and the load
average of the machine at start and end: on a shared machine only ratios taken in the same run
compare).

    make bench                                   # 400 conversations x 5 turns at 20 and at 50 users
    make bench BENCH_ARGS="--conversations 200 --note 'what else ran'"
    make bench BENCH_ARGS="--cluster 2"          # make run-cluster's setup (PostgreSQL + Redis)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot.paths import PROJECT_DIR
from bot.processes import env_file, servers
from bot.stores.settings import StoreSettings
from tools.bench import bare_rasa, history
from tools.bench.load import Results, growth, run_interleaved, run_load, run_long_interleaved, summarise

CONVERSATIONS = Path(__file__).resolve().parent / "conversations.yml"
LONG_CONVERSATION = Path(__file__).resolve().parent / "long_conversation.yml"
REPORT = PROJECT_DIR / "reports" / "bench.json"
BENCH_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/wanqi_bench"


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
                {"p": f"{prefix}%"},
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
    import platform

    cpu = platform.processor() or "cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_gb = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        mem_gb = float("nan")
    return f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GB RAM"


def git_commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True)
    status = ["git", "status", "--porcelain", "--untracked-files=no"]
    dirty = subprocess.run(status, cwd=PROJECT_DIR, capture_output=True, text=True)
    return (result.stdout.strip() or "unknown") + ("+changes" if dirty.stdout.strip() else "")


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def ratio(ours: float | None, bare: float | None) -> float | None:
    if ours is None or bare is None or bare != bare or ours != ours or not bare:
        return None
    return round(ours / bare, 2)


class Ours:
    """This assistant as benchmarked: a stack, a cluster or an external URL."""

    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args, self.workdir = args, workdir
        self.url = ""
        self.tracker_url: str | None = args.tracker_url
        self.processes: List[servers.ManagedProcess] = []
        self.model = "external"
        self.setup = f"external {args.url}"
        self.ready_s: float | None = None
        self._stop = lambda: None

    def start(self) -> None:
        if self.args.url:
            self.url = self.args.url.rstrip("/")
            return
        from bot.training.model import ensure_model
        from knowledge import loader

        model_path = ensure_model()
        self.model = model_path.name.removesuffix(".tar.gz")
        if self.args.cluster:
            self._start_cluster(model_path, loader)
            return
        loader.load()
        stores = StoreSettings.from_env()
        print("Starting this assistant (as make run does)…", flush=True)
        started = time.monotonic()
        stack = servers.start_private_stack(model_path, self.workdir, api_token=secrets.token_hex(12), stores=stores)
        self.ready_s = round(time.monotonic() - started, 1)
        self.url, self.processes, self._stop = stack.rasa_url, stack.processes, stack.stop
        self.tracker_url = stores.tracker_database_url or f"sqlite:///{self.workdir / 'tracker.db'}"
        self.setup = "make run: 1 Rasa server + 1 action server, " + (
            "PostgreSQL" if stores.tracker_database_url else "SQLite"
        )
        self.setup += " tracker" + (", Redis lock" if stores.redis_url else "")

    def _start_cluster(self, model_path: Path, loader: Any) -> None:
        from bot.processes import cluster
        from bot.processes.ports import free_port

        database = os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE_URL)
        cluster.ensure_database(database)
        loader.load(database)
        replicas = self.args.cluster
        settings = StoreSettings(
            tracker_database_url=database,
            redis_url=os.environ.get("REDIS_URL", cluster.DEFAULT_REDIS_URL),
            redis_key_prefix=f"wanqibench{secrets.token_hex(4)}",
        )
        print(f"Starting this assistant as make run-cluster does ({replicas} replicas)…", flush=True)
        started = time.monotonic()
        running = cluster.start_cluster(
            model_path, free_port(), [free_port() for _ in range(replicas)], [free_port() for _ in range(replicas)],
            settings, extra_env={"DATABASE_URL": database}, run_dir=self.workdir / "cluster", log_dir=self.workdir,
            api_token=secrets.token_hex(12),
        )  # fmt: skip
        self.ready_s = round(time.monotonic() - started, 1)
        self.url, self.processes, self._stop = running.front_url, running.processes, running.stop
        self.tracker_url = database
        self.setup = f"make run-cluster: {replicas} Rasa servers + {replicas} action servers, nginx, PostgreSQL, Redis"

    def rss_mb(self) -> Dict[str, float | None]:
        return {p.name: peak_rss_mb(p.popen.pid) for p in self.processes if p.name != "nginx"}

    def stop(self) -> None:
        self._stop()


def main(argv: List[str] | None = None) -> int:
    env_file.load(PROJECT_DIR / ".env")
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=400, help="per throughput phase (5 turns each)")
    parser.add_argument("--users", default="20,50", help="concurrent users of the throughput phases")
    parser.add_argument("--single-user-conversations", type=int, default=20, help="for the single-user latency")
    parser.add_argument("--long-turns", type=int, default=150, help="length of the long conversation (0: skip)")
    parser.add_argument("--cluster", type=int, default=0, help="benchmark make run-cluster with N replicas")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Rasa bot (no ratios)")
    parser.add_argument(
        "--bare-project", type=Path, help="reuse the bare bot trained by an earlier run (its directory)"
    )
    parser.add_argument("--url", help="benchmark a running server instead (needs --tracker-url for lost events)")
    parser.add_argument("--tracker-url", help="SQLAlchemy URL of that server's tracker store")
    parser.add_argument("--note", default="", help="free text for docs/benchmarks.md (e.g. what else ran)")
    args = parser.parse_args(argv)
    user_levels = [int(u) for u in args.users.split(",") if u.strip()]

    conversations = yaml.safe_load(CONVERSATIONS.read_text(encoding="utf-8"))
    scripts = {
        "ours": [c["turns"] for c in conversations["conversations"]],
        "bare": [c["turns"] for c in conversations["bare_conversations"]],
    }
    long_texts = {
        "ours": yaml.safe_load(LONG_CONVERSATION.read_text(encoding="utf-8"))["questions"],
        "bare": [turn for turns in scripts["bare"] for turn in turns],
    }
    load_at_start = load_average()
    workdir = Path(tempfile.mkdtemp(prefix="wanqi-bench-"))
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    urls: Dict[str, str] = {}
    bare: Dict[str, Any] = {}
    bare_process = None
    ours = Ours(args, workdir)
    try:
        if not args.no_bare:
            if args.bare_project:
                project, model = args.bare_project, args.bare_project / "models" / f"{bare_rasa.MODEL_NAME}.tar.gz"
            else:
                print("Training the bare Rasa bot (rasa init's template, in its own directory)…", flush=True)
                project = bare_rasa.create_project(workdir / "bare")
                model, train_s = bare_rasa.train(project, workdir / "bare-train.log")
                bare["train_s"] = round(train_s, 1)
                print(f"Trained in {train_s:.0f} s (project {project}). Starting it…", flush=True)
            bare_process, urls["bare"], ready_s = bare_rasa.start(project, model, workdir)
            bare["ready_s"] = round(ready_s, 1)
        ours.start()
        urls["ours"] = ours.url

        print(f"Single user: {args.single_user_conversations} conversations with each bot in turn…", flush=True)
        single = asyncio.run(run_interleaved(urls, scripts, args.single_user_conversations, prefix + "-single"))
        loaded: Dict[int, Dict[str, Results]] = {}
        for level, users in enumerate(user_levels):
            loaded[users] = {}
            # ABBA: the order alternates from one level to the next, so a drift in load evens out.
            for name in list(urls) if level % 2 == 0 else list(reversed(list(urls))):
                print(f"Load: {args.conversations} conversations × 5 turns, {users} users, {name}…", flush=True)
                loaded[users][name] = asyncio.run(
                    run_load(urls[name], scripts[name], args.conversations, users, f"{prefix}-{name}-u{users}")
                )
        long_wall: Dict[str, List[float]] = {}
        if args.long_turns:
            print(f"One {args.long_turns}-turn conversation with each bot, turn by turn alternately…", flush=True)
            long_wall = asyncio.run(run_long_interleaved(urls, long_texts, args.long_turns, prefix + "-long"))
        rss = ours.rss_mb()
        if bare_process is not None:
            bare["rss_mb"] = peak_rss_mb(bare_process.popen.pid)
        lost = None
        if ours.tracker_url:
            stored = count_tracker_events(ours.tracker_url, prefix)
            lost = lost_events(single["ours"], stored) + sum(lost_events(r["ours"], stored) for r in loaded.values())
    finally:
        if bare_process is not None:
            bare_process.stop()
        ours.stop()

    report = build_report(args, ours, bare, single, loaded, long_wall, rss, lost, load_at_start)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    history.append(report)
    print(json.dumps({k: v for k, v in report.items() if k != "long_conversation_ms"}, ensure_ascii=False, indent=2))
    print(history.summary_lines(report))
    print(f"Wrote {REPORT.relative_to(PROJECT_DIR)} and a row in {history.HISTORY.relative_to(PROJECT_DIR)}.")
    return 0


def build_report(
    args: argparse.Namespace,
    ours: Ours,
    bare: Dict[str, Any],
    single: Dict[str, Results],
    loaded: Dict[int, Dict[str, Results]],
    long_wall: Dict[str, List[float]],
    rss: Dict[str, float | None],
    lost: int | None,
    load_at_start: str,
) -> Dict[str, Any]:
    figures: Dict[str, Dict[str, Any]] = {}

    def figure(name: str, ours_value: float | None, bare_value: float | None) -> None:
        figures[name] = {"ours": ours_value, "bare": bare_value, "ratio": ratio(ours_value, bare_value)}

    single_summary = {name: summarise(r) for name, r in single.items()}
    for q in ("p50_ms", "p95_ms"):
        figure(f"single_user_{q}", single_summary["ours"][q], single_summary.get("bare", {}).get(q))
    load_summary = {users: {name: summarise(r) for name, r in by_name.items()} for users, by_name in loaded.items()}
    for users, by_name in load_summary.items():
        figure(f"turns_per_s_{users}_users", by_name["ours"]["turns_per_s"], by_name.get("bare", {}).get("turns_per_s"))
        figure(f"p95_ms_{users}_users", by_name["ours"]["p95_ms"], by_name.get("bare", {}).get("p95_ms"))
    ours_rss = sum(v for v in rss.values() if v) or None
    figure("rss_mb_all_servers", round(ours_rss, 1) if ours_rss else None, bare.get("rss_mb"))
    figure("ready_s", ours.ready_s, bare.get("ready_s"))
    long_growth = {name: growth(wall) for name, wall in long_wall.items()}
    if long_growth:
        figure("long_conversation_late_over_early", long_growth["ours"]["late_over_early"],
               long_growth.get("bare", {}).get("late_over_early"))  # fmt: skip
    errors = single_summary["ours"]["errors"] + sum(by["ours"]["errors"] for by in load_summary.values())
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "commit": git_commit(),
        "model": ours.model,
        "machine": machine(),
        "load_avg": {"start": load_at_start, "end": load_average()},
        "note": args.note,
        "setup": ours.setup,
        "bare": "rasa init template, Rasa's default pipeline and policies, in-memory tracker, `rasa run`"
        if bare
        else None,
        "figures": figures,
        "errors": errors,
        "lost_events": lost,
        "rss_mb": {**rss, **({"bare Rasa server": bare.get("rss_mb")} if bare else {})},
        "bare_training_s": bare.get("train_s"),
        "single_user": single_summary,
        "load": {str(users): by_name for users, by_name in load_summary.items()},
        "long_conversation": long_growth,
        "long_conversation_ms": {name: [round(ms, 1) for ms in wall] for name, wall in long_wall.items()},
        "conversations_per_load_phase": args.conversations,
    }


if __name__ == "__main__":
    sys.exit(main())
