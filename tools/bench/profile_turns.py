"""``python -m tools.bench.profile_turns``: where the time of one turn goes, early and late in a long
conversation.

One sender asks the questions of tools/bench/long_conversation.yml in a row (150 turns by default)
through the Rasa server's own message handling, in this process (``Agent.handle_message``, the
project's hooks installed as ``python -m bot.rasa_server`` installs them, the real tracker store and a
real action server started here). Turns ``--early`` (6–25) and ``--late`` (131–150) run under
cProfile; for each window it prints the wall time per turn and, per part of Rasa's work, the time
and the number of Python function calls per turn. Call counts do not depend on how busy the machine
is, so their late/early ratio shows the growth even on a shared machine.

    python -m tools.bench.profile_turns                         # SQLite tracker store (make run's)
    python -m tools.bench.profile_turns --tracker-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from bot.processes import servers
from bot.processes.ports import free_port

LONG_CONVERSATION = Path(__file__).resolve().parent / "long_conversation.yml"

# Parts of a turn: (label, file suffix, function name); time and calls are inclusive.
PARTS: List[Tuple[str, str, str]] = [
    ("whole turn (MessageProcessor.handle_message)", "rasa/core/processor.py", "handle_message"),
    ("tracker store: read the tracker (retrieve)", "rasa/core/tracker_store.py", "retrieve"),
    ("  of which DialogueStateTracker.from_dict", "rasa/shared/core/trackers.py", "from_dict"),
    ("tracker store: save", "rasa/core/tracker_store.py", "save"),
    (
        "  of which counting stored events (Rasa's _additional_events)",
        "rasa/core/tracker_store.py",
        "_additional_events",
    ),
    ("  of which moving the checkpoint (bounded store)", "bot/stores/bounded_tracker_store.py", "new_checkpoint"),
    ("NLU (parse_message)", "rasa/core/processor.py", "parse_message"),
    ("policies (_predict_next_with_tracker)", "rasa/core/processor.py", "_predict_next_with_tracker"),
    ("  of which tracker states (past_states)", "rasa/shared/core/trackers.py", "past_states"),
    ("custom actions (RemoteAction.run, incl. HTTP)", "rasa/core/actions/action.py", "run"),
    ("  of which tracker payload (_action_call_format)", "rasa/core/actions/action.py", "_action_call_format"),
    ("tracker.current_state (all callers)", "rasa/shared/core/trackers.py", "current_state"),
    ("tracker.applied_events (all callers)", "rasa/shared/core/trackers.py", "applied_events"),
    ("tracker copies (copy.deepcopy, all callers)", "copy.py", "deepcopy"),
    ("hook: input guard (clean_text)", "bot/rasa_server/input_guard.py", "clean_text"),
    ("hook: log masking (masked_record)", "bot/rasa_server/log_masking.py", "masked_record"),
    ("hook: action failure (run_or_apologise)", "bot/rasa_server/action_failure.py", "run_or_apologise"),
    (
        "hook: action result check (validate_action_result)",
        "bot/rasa_server/action_validation.py",
        "validate_action_result",
    ),
]


def questions(turns: int) -> List[str]:
    asked = yaml.safe_load(LONG_CONVERSATION.read_text(encoding="utf-8"))["questions"]
    return [asked[i % len(asked)] for i in range(turns)]


def part_stats(stats: pstats.Stats, turns: int) -> Dict[str, Dict[str, float]]:
    """label → inclusive ms and calls per turn (the largest matching entry: recursion counted once)."""
    found: Dict[str, Dict[str, float]] = {}
    for label, suffix, name in PARTS:
        best = {"ms": 0.0, "calls": 0.0, "primitive_calls": 0.0}
        for (filename, _line, function), (primitive, total, _tt, cumulative, _callers) in stats.stats.items():
            if (
                function == name
                and filename.replace(os.sep, "/").endswith(suffix)
                and cumulative * 1000 / turns > best["ms"]
            ):
                best = {"ms": cumulative * 1000 / turns, "calls": total / turns, "primitive_calls": primitive / turns}
        found[label] = best
    return found


def function_calls_under(stats: pstats.Stats, turns: int) -> float:
    """Every Python function call of the window, per turn (a load-independent measure of work)."""
    return sum(total for (_p, total, _t, _c, _callers) in stats.stats.values()) / turns


def top_growth(early: pstats.Stats, late: pstats.Stats, turns: int, count: int = 15) -> List[Dict[str, Any]]:
    """The functions whose own call count per turn grew most from the early to the late window."""
    rows = []
    for key, (_p, total, tottime, _c, _callers) in late.stats.items():
        before = early.stats.get(key, (0, 0, 0.0, 0.0, {}))
        grew = (total - before[1]) / turns
        if grew > 0:
            rows.append(
                {
                    "function": f"{Path(key[0]).name}:{key[1]} {key[2]}",
                    "calls_early": round(before[1] / turns, 1),
                    "calls_late": round(total / turns, 1),
                    "own_ms_early": round(before[2] * 1000 / turns, 2),
                    "own_ms_late": round(tottime * 1000 / turns, 2),
                }
            )
    rows.sort(key=lambda row: row["calls_late"] - row["calls_early"], reverse=True)
    return rows[:count]


async def converse(agent: Any, sender: str, texts: List[str], windows: Dict[str, Tuple[int, int]]) -> Dict[str, Any]:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    profiles = {name: cProfile.Profile() for name in windows}
    wall_ms: List[float] = []
    replies: List[List[str]] = []
    for turn, text in enumerate(texts, start=1):
        active = [profiles[name] for name, (first, last) in windows.items() if first <= turn <= last]
        for profile in active:
            profile.enable()
        started = time.perf_counter()
        output = CollectingOutputChannel()
        await agent.handle_message(UserMessage(text, output, sender, input_channel="rest"))
        wall_ms.append((time.perf_counter() - started) * 1000)
        replies.append([m.get("text") or json.dumps(m.get("custom"), ensure_ascii=False) for m in output.messages])
        for profile in active:
            profile.disable()
    return {"profiles": profiles, "wall_ms": wall_ms, "replies": replies}


async def load_and_converse(
    model: Path, endpoints_path: Path, sender: str, texts: List[str], windows: Dict[str, Tuple[int, int]]
) -> Dict[str, Any]:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints

    agent = await load_agent(model_path=str(model), endpoints=AvailableEndpoints.read_endpoints(str(endpoints_path)))
    return await converse(agent, sender, texts, windows)


def configure_logging_as_rasa_run() -> None:
    """The log level ``rasa run`` serves with (INFO): Rasa computes some debug-log arguments only when
    debug logging is on, so profiling at the wrong level measures work the server does not do."""
    import logging

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.INFO, None, warn_only_once=True, filter_repeated_logs=True)
    configure_structlog(logging.INFO)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.profile_turns", description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=150)
    parser.add_argument("--early", default="6-25", help="first window of turns (inclusive)")
    parser.add_argument("--late", default="131-150", help="second window of turns (inclusive)")
    parser.add_argument("--tracker-url", help="SQLAlchemy URL of a PostgreSQL tracker store (default: SQLite)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--pstats-dir", type=Path, help="write each window's raw cProfile stats here")
    args = parser.parse_args(argv)
    windows = {name: tuple(int(x) for x in getattr(args, name).split("-")) for name in ("early", "late")}

    from bot.rasa_server.hooks import install_hooks
    from bot.stores.endpoints import write_endpoints
    from bot.stores.settings import StoreSettings
    from bot.training.model import ensure_model
    from knowledge import loader

    loader.load()
    model = ensure_model()
    install_hooks()
    configure_logging_as_rasa_run()
    workdir = Path(tempfile.mkdtemp(prefix="wanqi-profile-"))
    action_port = free_port()
    action = servers.start_action_server(action_port, workdir)
    try:
        stores = StoreSettings(tracker_database_url=args.tracker_url)
        endpoints = write_endpoints(
            workdir / "endpoints.yml", f"http://127.0.0.1:{action_port}/webhook", workdir / "tracker.db", stores
        )
        sender = f"profile-{uuid.uuid4().hex[:8]}"
        load_at_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
        result = asyncio.run(load_and_converse(model, endpoints, sender, questions(args.turns), windows))
        load_at_end = " ".join(f"{x:.1f}" for x in os.getloadavg())
    finally:
        action.stop()

    report: Dict[str, Any] = {
        "tracker_store": "PostgreSQL" if args.tracker_url else "SQLite",
        "turns": args.turns,
        "load_avg": {"start": load_at_start, "end": load_at_end},
        "windows": {},
    }
    stats = {}
    for name, (first, last) in windows.items():
        count = last - first + 1
        stats[name] = pstats.Stats(result["profiles"][name])
        if args.pstats_dir:
            args.pstats_dir.mkdir(parents=True, exist_ok=True)
            stats[name].dump_stats(str(args.pstats_dir / f"{report['tracker_store'].lower()}-{name}.pstats"))
        report["windows"][name] = {
            "turns": f"{first}-{last}",
            "median_wall_ms": round(statistics.median(result["wall_ms"][first - 1 : last]), 1),
            "function_calls_per_turn": round(function_calls_under(stats[name], count)),
            "parts": {k: {m: round(v, 2) for m, v in d.items()} for k, d in part_stats(stats[name], count).items()},
        }
    early, late = report["windows"]["early"], report["windows"]["late"]
    report["late_over_early"] = {
        "median_wall": round(late["median_wall_ms"] / early["median_wall_ms"], 2),
        "function_calls": round(late["function_calls_per_turn"] / early["function_calls_per_turn"], 2),
    }
    report["top_growth"] = top_growth(stats["early"], stats["late"], windows["late"][1] - windows["late"][0] + 1)
    report["wall_ms_per_turn"] = [round(ms, 1) for ms in result["wall_ms"]]
    report["replies"] = result["replies"]  # to compare the answers of two runs
    print_report(report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0


def print_report(report: Dict[str, Any]) -> None:
    early, late = report["windows"]["early"], report["windows"]["late"]
    print(f"\n{report['tracker_store']} tracker store, {report['turns']} turns, load average {report['load_avg']}")
    print(
        f"median wall ms per turn: {early['median_wall_ms']} (turns {early['turns']}) → {late['median_wall_ms']} "
        f"(turns {late['turns']}), ×{report['late_over_early']['median_wall']}"
    )
    print(
        f"Python function calls per turn: {early['function_calls_per_turn']:,} → {late['function_calls_per_turn']:,}, "
        f"×{report['late_over_early']['function_calls']}"
    )
    header = f"{'ms early':>9} {'ms late':>9} {'calls early':>12} {'calls late':>12}"
    print(f"\n{'part (inclusive, per turn, under cProfile)':62} {header}")
    for label in early["parts"]:
        a, b = early["parts"][label], late["parts"][label]
        print(f"{label:62} {a['ms']:9.1f} {b['ms']:9.1f} {a['calls']:12.0f} {b['calls']:12.0f}")
    print("\nfunctions whose calls per turn grew most:")
    for row in report["top_growth"]:
        print(
            f"  {row['function']:70} {row['calls_early']:>10} → {row['calls_late']:>10}  "
            f"own ms {row['own_ms_early']} → {row['own_ms_late']}"
        )


if __name__ == "__main__":
    sys.exit(main())
