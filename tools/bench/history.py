"""docs/benchmarks.md's history of ``make bench`` runs: one table row per run, figures beside their
ratio to the bare Rasa bot of the same run."""

from __future__ import annotations

from typing import Any, Dict

from bot.paths import PROJECT_DIR

HISTORY = PROJECT_DIR / "docs" / "benchmarks.md"
TABLE_TITLE = "## Runs against bare Rasa (make bench, since 2026-12-03)"
HEADER = (
    "| date (UTC) | commit | model | setup | load avg start → end | single-user p50 / p95 ms | turns/s 20 users | "
    "turns/s 50 users | p95 ms at 50 users | 150-turn conversation: turns 131–150 / 6–25 | errors, lost events | "
    "ready s | peak RSS MB, all servers | note |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
)


def cell(figure: Dict[str, Any] | None, digits: int = 1) -> str:
    """'ours (× ratio; bare value)' — or what there is of it."""
    if not figure or figure.get("ours") is None:
        return "–"
    ours = f"{figure['ours']:.{digits}f}"
    if figure.get("ratio") is None:
        return ours
    return f"{ours} (×{figure['ratio']:.2f}; bare {figure['bare']:.{digits}f})"


def row(report: Dict[str, Any]) -> str:
    f = report["figures"]
    single = f"{cell(f.get('single_user_p50_ms'))} / {cell(f.get('single_user_p95_ms'))}"
    lost = report["lost_events"] if report["lost_events"] is not None else "–"
    cells = [
        report["date"], report["commit"], report["model"], report["setup"],
        f"{report['load_avg']['start']} → {report['load_avg']['end']}", single,
        cell(f.get("turns_per_s_20_users")), cell(f.get("turns_per_s_50_users")), cell(f.get("p95_ms_50_users"), 0),
        cell(f.get("long_conversation_late_over_early"), 2), f"{report['errors']}, {lost}", cell(f.get("ready_s")),
        cell(f.get("rss_mb_all_servers"), 0), report.get("note") or "",
    ]  # fmt: skip
    return "| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |\n"


def append(report: Dict[str, Any]) -> None:
    HISTORY.parent.mkdir(parents=True, exist_ok=True)
    text = HISTORY.read_text(encoding="utf-8") if HISTORY.exists() else "# Load benchmark runs\n"
    if TABLE_TITLE not in text:
        text = text.rstrip("\n") + f"\n\n{TABLE_TITLE}\n\n{HEADER}"
    # The table is the last thing in the file: a new row goes at the end.
    HISTORY.write_text(text.rstrip("\n") + "\n" + row(report), encoding="utf-8")


def summary_lines(report: Dict[str, Any]) -> str:
    lines = [f"\n{'figure':40} {'ours':>10} {'bare':>10} {'ours/bare':>10}"]
    for name, figure in report["figures"].items():
        values = [figure.get("ours"), figure.get("bare"), figure.get("ratio")]
        lines.append(f"{name:40} " + " ".join(f"{'–' if v is None else v:>10}" for v in values))
    lines.append(f"load average {report['load_avg']['start']} → {report['load_avg']['end']}")
    return "\n".join(lines)
