"""`python -m tools.report` (make report): most asked measures, fallback and out-of-scope rates,
the questions the bot missed, answer ratings, and 转人工 as a service (handoffs by channel and
department, wait percentiles, the share within HANDOFF_TARGET_MINUTES) → reports/usage/*.csv and PNG charts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List

from bot.hotline.settings import HotlineSettingError, HotlineSettings
from bot.paths import PROJECT_DIR
from tools.report.analysis import LOW_CONFIDENCE, analyse
from tools.report.events import TrackerStoreUnavailable, read_turns, tracker_store_url
from tools.report.feedback import by_measure_and_channel, read_decisions, read_ratings, worst_rated
from tools.report.handoffs import (
    HandoffReport,
    analyse_handoffs,
    handoffs_of,
    knowledge_departments,
    read_handoff_events,
)
from tools.report.output import write_chart, write_csvs, write_feedback_csvs, write_handoff_chart, write_handoff_csvs


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.report", description=__doc__)
    parser.add_argument("--tracker-store", help="SQLAlchemy URL of the tracker store (default: var/tracker.db)")
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "reports" / "usage")
    parser.add_argument("--low-confidence", type=float, default=LOW_CONFIDENCE)
    parser.add_argument("--decisions", type=Path, default=PROJECT_DIR / "reviews" / "decisions.jsonl",
                        help="the review inbox's decision log (default: reviews/decisions.jsonl)")  # fmt: skip
    parser.add_argument(
        "--target-minutes", type=float, help="staff's first-reply target (default: HANDOFF_TARGET_MINUTES, 3)"
    )
    args = parser.parse_args(argv)
    try:
        target_s = args.target_minutes * 60 if args.target_minutes else HotlineSettings.from_env().target_s
    except HotlineSettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    url = tracker_store_url(args.tracker_store)
    try:
        turns = read_turns(url)
        rated = read_ratings(url)
        handoff_rows = read_handoff_events(url)
    except TrackerStoreUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report = analyse(turns, args.low_confidence)
    paths = write_csvs(report, args.out)
    ratings, worst, decided = by_measure_and_channel(rated), worst_rated(rated), read_decisions(args.decisions)
    paths.update(write_feedback_csvs(ratings, worst, decided, args.out))
    chart = write_chart(report, args.out / "most_asked_measures.png")
    handoffs = analyse_handoffs(handoffs_of(handoff_rows, knowledge_departments()), target_s)
    paths.update(write_handoff_csvs(handoffs, args.out))
    handoff_chart = write_handoff_chart(handoffs, args.out / "handoffs.png")

    print(f"Tracker store: {url}")
    print(f"{report.turns} questions in {report.conversations} conversations")
    if not report.turns:
        print("No conversations yet: chat with the assistant (make run) and run this again.")
    print(f"fallback rate {report.fallback_rate:.1%}, out-of-scope rate {report.out_of_scope_rate:.1%}")
    for number, count in report.measures[:5]:
        print(f"  第{number}条  cited {count} times")
    print(f"{len(report.missed)} questions to look at (fell back, out of scope or low confidence):")
    for missed in report.missed[:10]:
        print(f"  [{missed.reason}] ×{missed.count} {missed.text}")
    useful = sum(row[2] for row in ratings)
    print(f"{len(rated)} answers rated: {useful} 有用, {len(rated) - useful} 没用")
    for measure, channel, good, bad in ratings[:5]:
        print(f"  {measure} on {channel}: {good} 有用, {bad} 没用")
    for entry in worst[:3]:
        print(f"  worst rated ×{entry['not_useful']}: {entry['answer'][:60]}")
    print(f"{len(decided)} inbox decisions recorded")
    _print_handoffs(handoffs)
    print("Wrote " + ", ".join(_display(p) for p in [*paths.values(), chart, handoff_chart]))
    return 0


def _print_handoffs(handoffs: HandoffReport) -> None:
    minutes = lambda s: "–" if s is None else f"{s / 60:.1f} min"  # noqa: E731
    share = "–" if handoffs.within_target is None else f"{handoffs.within_target:.0%}"
    hotline_only = len(handoffs.handoffs) - handoffs.to_staff
    print(f"{len(handoffs.handoffs)} handoffs (转人工): {handoffs.to_staff} to staff, {hotline_only} offered "
          f"the hotline, {handoffs.callbacks} call-backs left")  # fmt: skip
    print(f"  first reply p50 {minutes(handoffs.wait_percentiles.get('p50'))}, p90 "
          f"{minutes(handoffs.wait_percentiles.get('p90'))}; {share} within {handoffs.target_s / 60:g} min; "
          f"{handoffs.timed_out} timed out")  # fmt: skip
    for channel, count in handoffs.by_channel:
        print(f"  {channel}: {count}")
    for department, count in handoffs.by_department[:5]:
        print(f"  {department}: {count}")


def _display(path: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(PROJECT_DIR)) if resolved.is_relative_to(PROJECT_DIR) else str(resolved)


if __name__ == "__main__":
    sys.exit(main())
