"""``python -m tools.typecheck`` (part of ``make lint``): mypy over knowledge/ and actions/, failing on new errors.

The errors that were there when the check was introduced are listed in tools/typecheck_baseline.txt
(file, error code and message, without line numbers, so unrelated edits do not move them). A new
error fails the check; a fixed one is reported so that its line can be deleted from the baseline.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import List

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASELINE = Path(__file__).with_name("typecheck_baseline.txt")
CHECKED = ["knowledge", "actions"]
ERROR_LINE = re.compile(r"^(?P<path>[^:]+):\d+: error: (?P<message>.*)$")


def current_errors() -> List[str]:
    command = [sys.executable, "-m", "mypy", *CHECKED]
    result = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True)
    if result.returncode not in (0, 1) or "error: " in result.stderr:
        raise SystemExit(f"mypy could not run (exit {result.returncode}):\n{result.stderr or result.stdout}")
    errors = []
    for line in result.stdout.splitlines():
        match = ERROR_LINE.match(line)
        if match:
            errors.append(f"{match['path']}: {match['message']}")
    return errors


def baseline() -> List[str]:
    if not BASELINE.exists():
        return []
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def main() -> int:
    found, known = Counter(current_errors()), Counter(baseline())
    new, fixed = found - known, known - found
    for error in sorted(fixed.elements()):
        print(f"fixed (delete it from {BASELINE.relative_to(PROJECT_DIR)}): {error}")
    if new:
        print(f"Type check: {sum(new.values())} new mypy error(s) in {', '.join(CHECKED)}:")
        for error in sorted(new.elements()):
            print(f"  {error}")
        print("Fix them (`.venv/bin/mypy knowledge actions` shows the lines).")
        return 1
    print(f"Type check: no new errors ({sum(found.values())} known, listed in {BASELINE.name}).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
