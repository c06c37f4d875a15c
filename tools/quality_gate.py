"""Compare the measured quality with the floor recorded in quality_floor.yml (``make eval``).

    python -m tools.quality_gate [--floor quality_floor.yml] [--reports reports/]

Reads reports/cv-summary.json (from ``python -m tools.cross_validate``) and reports/heldout.json
(from ``python -m tools.evaluate``), prints measured vs floor, writes reports/quality.md, and exits 1
when any number is below its floor (2 when a report is missing).

A floor is a number (the measured value must be at least that) or ``{at_most: N}`` for a count
that must not rise above N: the eligibility dialogues' false eligibles (``false_eligible``, an
'eligible' the stated facts contradict) have the ceiling 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot.paths import PROJECT_DIR

FLOOR_FILE = PROJECT_DIR / "quality_floor.yml"
REPORTS_DIR = PROJECT_DIR / "reports"
# Which report file holds the numbers of each section of the floor file, and the keys leading to
# them in it. heldout.json is keyed by question set; the floor guards the first set (the later,
# blind sets, tests/heldout/*_questions.yml, are benchmarks without a floor).
# The eligibility dialogues (tests/heldout/eligibility_dialogues.yml) have a verdict floor.
SOURCES = {
    "cv": ("cv-summary.json", ()),
    "heldout": ("heldout.json", ("heldout", "summary")),
    "eligibility": ("heldout.json", ("eligibility", "summary")),
}
AT_MOST = "at_most"


class MissingReport(RuntimeError):
    pass


@dataclass
class Check:
    name: str
    measured: float
    floor: float
    # True for a ceiling ({at_most: N}): the measured value may not exceed ``floor``.
    at_most: bool = False

    @property
    def ok(self) -> bool:
        return self.measured <= self.floor if self.at_most else self.measured >= self.floor

    @property
    def limit(self) -> str:
        return f"≤ {self.floor:.4f}" if self.at_most else f"{self.floor:.4f}"


def _measured(reports: Path, section: str) -> Dict[str, Any]:
    filename, keys = SOURCES[section]
    path = reports / filename
    command = "python -m tools.cross_validate" if section == "cv" else "python -m tools.evaluate"
    if not path.exists():
        raise MissingReport(f"{path} is missing: run `{command}` (or `make eval`) first")
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            raise MissingReport(f"{path} has no {'.'.join(keys)}: run `{command}` (or `make eval`) first")
        data = data[key]
    return data


def compare(floor: Dict[str, Dict[str, float]], reports: Path) -> List[Check]:
    checks = []
    for section, floors in floor.items():
        if section not in SOURCES:
            raise ValueError(f"unknown section {section!r} in the floor file (known: {', '.join(SOURCES)})")
        measured = _measured(reports, section)
        for name, minimum in floors.items():
            if name not in measured:
                raise MissingReport(f"{SOURCES[section][0]} has no {name!r}")
            checks.append(_check(f"{section}.{name}", measured[name], minimum))
    return checks


def _check(name: str, measured: Any, limit: Any) -> Check:
    if isinstance(limit, dict):
        if set(limit) != {AT_MOST}:
            raise ValueError(f"floor of {name} must be a number or {{{AT_MOST}: N}}, got {limit!r}")
        return Check(name, float(measured), float(limit[AT_MOST]), at_most=True)
    return Check(name, float(measured), float(limit))


def render(checks: List[Check]) -> str:
    rows = ["| metric | measured | floor | |", "|---|---|---|---|"]
    rows += [f"| {c.name} | {c.measured:.4f} | {c.limit} | {'ok' if c.ok else _failed(c)} |" for c in checks]
    return "\n".join(rows) + "\n"


def _failed(check: Check) -> str:
    return "ABOVE" if check.at_most else "BELOW"


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.quality_gate", description=__doc__.splitlines()[0])
    parser.add_argument("--floor", type=Path, default=FLOOR_FILE)
    parser.add_argument("--reports", type=Path, default=REPORTS_DIR)
    args = parser.parse_args(argv)
    try:
        checks = compare(yaml.safe_load(args.floor.read_text(encoding="utf-8")), args.reports)
    except (MissingReport, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    table = render(checks)
    args.reports.mkdir(parents=True, exist_ok=True)
    (args.reports / "quality.md").write_text(table, encoding="utf-8")
    print(table, end="")
    below = [c for c in checks if not c.ok]
    if below:
        names = ", ".join(c.name for c in below)
        print(f"Quality below the floor in {names}: look at reports/ (cv/intent_errors.json, heldout.json, "
              "heldout-summary.md) for the questions that went wrong.", file=sys.stderr)  # fmt: skip
        return 1
    print("Quality at or above the recorded floor.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
