"""Writing the report: CSV files a maintainer opens in a spreadsheet, and a PNG chart."""

from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Tuple

from bot.rasa_server.log_masking import mask
from tools.report.analysis import Report
from tools.report.handoffs import HandoffReport

CSV_ENCODING = "utf-8-sig"  # with a BOM, so Excel shows the Chinese text correctly
# A cell starting with one of these is a formula to Excel, WPS and LibreOffice (=HYPERLINK(…) runs).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """What users typed, fit for a spreadsheet: personal numbers and addresses masked
    (bot/rasa_server/log_masking.py), and never read as a formula (a leading ' makes it text)."""
    text = mask(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csvs(report: Report, folder: Path) -> Dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "measures": folder / "most_asked_measures.csv",
        "missed": folder / "missed_questions.csv",
        "summary": folder / "summary.csv",
    }
    with paths["measures"].open("w", newline="", encoding=CSV_ENCODING) as handle:
        writer = csv.writer(handle)
        writer.writerow(["measure", "times_cited"])
        writer.writerows([f"第{number}条", count] for number, count in report.measures)
    with paths["missed"].open("w", newline="", encoding=CSV_ENCODING) as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "reason", "times", "intent", "confidence"])
        for missed in report.missed:
            confidence = "" if missed.confidence is None else f"{missed.confidence:.3f}"
            writer.writerow([safe_cell(missed.text), missed.reason, missed.count, missed.intent or "", confidence])
    with paths["summary"].open("w", newline="", encoding=CSV_ENCODING) as handle:
        writer = csv.writer(handle)
        writer.writerow(["metric", "value"])
        writer.writerows(
            [
                ["conversations", report.conversations],
                ["user_turns", report.turns],
                ["fallback_rate", f"{report.fallback_rate:.4f}"],
                ["out_of_scope_rate", f"{report.out_of_scope_rate:.4f}"],
                ["missed_questions", len(report.missed)],
            ]
        )
    return paths


def write_feedback_csvs(
    ratings: List[Tuple[str, str, int, int]], worst: List[Dict[str, Any]], decided: List[Dict[str, Any]], folder: Path
) -> Dict[str, Path]:
    """feedback_by_measure.csv, worst_rated_answers.csv, review_decisions.csv (tools/report/feedback.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "feedback": folder / "feedback_by_measure.csv",
        "worst": folder / "worst_rated_answers.csv",
        "decisions": folder / "review_decisions.csv",
    }
    with paths["feedback"].open("w", newline="", encoding=CSV_ENCODING) as handle:
        writer = csv.writer(handle)
        writer.writerow(["measure", "channel", "useful", "not_useful"])
        writer.writerows(ratings)
    with paths["worst"].open("w", newline="", encoding=CSV_ENCODING) as handle:
        writer = csv.writer(handle)
        writer.writerow(["not_useful", "useful", "citations", "reasons", "questions", "comments", "answer"])
        for e in worst:
            writer.writerow([e["not_useful"], e["useful"], " ".join(f"第{n}条" for n in e["citations"]),
                             "；".join(f"{r}×{n}" for r, n in e["reasons"].most_common()),
                             "；".join(q for q, _ in e["questions"].most_common(5)), "；".join(e["comments"][:5]),
                             e["answer"]])  # fmt: skip
    with paths["decisions"].open("w", newline="", encoding=CSV_ENCODING) as handle:
        writer = csv.writer(handle)
        writer.writerow(["when_utc", "by", "decision", "intent", "aspect", "text", "file"])
        for d in decided:
            when = datetime.fromtimestamp(d.get("at") or 0, timezone.utc).strftime("%Y-%m-%d %H:%M")
            writer.writerow([when, d.get("by"), d.get("kind"), d.get("intent"), d.get("aspect") or "", d.get("text"),
                             d.get("file")])  # fmt: skip
    return paths


def _chinese_font() -> List[str]:
    from matplotlib import font_manager

    wanted = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "SimHei", "Source Han Sans SC")
    available = {font.name for font in font_manager.fontManager.ttflist}
    return [name for name in wanted if name in available]


def write_chart(report: Report, path: Path) -> Path:
    """Bar chart of the most cited measures, with fallback and out-of-scope rates in the title."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fonts = _chinese_font()
    if fonts:
        plt.rcParams["font.sans-serif"] = fonts + list(plt.rcParams["font.sans-serif"])
    label = (lambda n: f"第{n}条") if fonts else (lambda n: f"No.{n}")
    top = report.measures[:15]
    figure, axis = plt.subplots(figsize=(9, 4.5), dpi=110)
    if top:
        axis.bar([label(n) for n, _ in top], [c for _, c in top], color="#2f6db5")
        axis.set_ylabel("times cited" if not fonts else "被引用次数")
        plt.setp(axis.get_xticklabels(), rotation=45, ha="right")
    else:
        axis.text(0.5, 0.5, "no answered questions yet", ha="center", va="center", transform=axis.transAxes)
        axis.set_axis_off()
    axis.set_title(
        f"{report.turns} questions in {report.conversations} conversations · "
        f"fallback {report.fallback_rate:.1%} · out of scope {report.out_of_scope_rate:.1%}"
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def write_handoff_csvs(report: HandoffReport, folder: Path) -> Dict[str, Path]:
    """handoffs_by_channel.csv, handoffs_by_department.csv, handoff_times.csv (tools/report/handoffs.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "handoff_channels": folder / "handoffs_by_channel.csv",
        "handoff_departments": folder / "handoffs_by_department.csv",
        "handoff_times": folder / "handoff_times.csv",
    }
    for key, column, rows in (("handoff_channels", "channel", report.by_channel),
                              ("handoff_departments", "department", report.by_department)):  # fmt: skip
        with paths[key].open("w", newline="", encoding=CSV_ENCODING) as handle:
            writer = csv.writer(handle)
            writer.writerow([column, "handoffs"])
            writer.writerows(rows)
    with paths["handoff_times"].open("w", newline="", encoding=CSV_ENCODING) as handle:
        writer = csv.writer(handle)
        writer.writerow(["metric", "value"])
        writer.writerows([
            ["handoffs", len(report.handoffs)],
            ["to_staff", report.to_staff],
            ["no_staff_or_off_hours", len(report.handoffs) - report.to_staff],
            ["callbacks_left", report.callbacks],
            ["answered_by_staff", report.answered],
            ["timed_out", report.timed_out],
            ["target_s", f"{report.target_s:.0f}"],
            ["within_target_share", "" if report.within_target is None else f"{report.within_target:.4f}"],
            *[[f"first_reply_wait_{k}_s", _seconds(v)] for k, v in report.wait_percentiles.items()],
            *[[f"hand_back_{k}_s", _seconds(v)] for k, v in report.handoff_percentiles.items()],
        ])  # fmt: skip
    return paths


def write_handoff_chart(report: HandoffReport, path: Path) -> Path:
    """Staff's first-reply waits against the target, and handoffs per channel."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fonts = _chinese_font()
    if fonts:
        plt.rcParams["font.sans-serif"] = fonts + list(plt.rcParams["font.sans-serif"])
    figure, (waits, channels) = plt.subplots(1, 2, figsize=(10, 4.2), dpi=110)
    minutes = [h.wait_s / 60 for h in report.handoffs if h.wait_s is not None]
    if minutes:
        waits.hist(minutes, bins=min(20, max(5, len(minutes))), color="#2f6db5")
        waits.axvline(
            report.target_s / 60, color="#c0392b", linestyle="--", label=f"target {report.target_s / 60:g} min"
        )
        waits.legend()
        waits.set_xlabel("minutes to staff's first reply")
        waits.set_ylabel("handoffs")
    else:
        waits.text(0.5, 0.5, "no staff replies yet", ha="center", va="center", transform=waits.transAxes)
        waits.set_axis_off()
    share = "–" if report.within_target is None else f"{report.within_target:.0%}"
    waits.set_title(f"{report.to_staff} to staff · {share} within target · {report.timed_out} timed out")
    if report.by_channel:
        channels.bar([c for c, _ in report.by_channel], [n for _, n in report.by_channel], color="#5b8c3a")
        channels.set_ylabel("handoffs")
    else:
        channels.set_axis_off()
    channels.set_title(f"{len(report.handoffs)} handoffs by channel · {report.callbacks} call-backs left")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path
