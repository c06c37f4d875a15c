"""``python -m tools.bench.training``: how long a full training takes, where the time goes, and the
ratio to a bare ``rasa init`` bot trained with ``--force`` in the same run (issue 19, item 4).

    python -m tools.bench.training                        # bare bot, then this project's model
    python -m tools.bench.training --config other.yml     # the same with another config
    python -m tools.bench.training --profile-log LOG      # only the profile of a training log

Both trainings run ``rasa train --force`` (no component reused from a cache), one after the other,
in directories of their own; this project's model goes to a temporary folder, not to models/. The
profile comes from Rasa's log (``rasa.engine.training.hooks``: "Starting to train component" /
"Finished training component", one-second timestamps): each component's own training, and the gap
after it, which is that component processing the training data for the components after it.
The machine is shared, so only the ratio to the bare bot of the same run compares; the load average
at start and end is printed (and added, with the figures, to docs/benchmarks-training.md with
``--record``).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Tuple

from bot.paths import CONFIG, DOMAIN, PROJECT_DIR
from bot.training.generated_data import training_data_paths
from bot.training.model import fingerprint, model_path_for, training_env
from knowledge.vocabulary import write_jieba_dictionary
from tools.bench import bare_rasa

HISTORY = PROJECT_DIR / "docs" / "benchmarks-training.md"
TABLE_TITLE = "## Training time against bare Rasa (python -m tools.bench.training)"
HEADER = (
    "| date (UTC) | commit | config | load avg start → end | bare bot s (CPU s) | this model s (CPU s) "
    "| ratio wall (CPU) | DIET s (epochs) "
    "| note |\n"
    "|---|---|---|---|---|---|---|---|---|\n"
)
_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) INFO\s+rasa\.engine\.training\.hooks\s+-\s+"
    r"(Starting to train|Finished training) component '([^']+)'"
)
_FIRST = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ")


@dataclass
class Step:
    component: str
    training_s: float
    processing_s: float  # until the next component started (or the last timestamp of the log)


@dataclass
class Profile:
    steps: List[Step] = field(default_factory=list)
    before_s: float = 0.0  # from the first timestamp (validation) to the first component
    last_s: float = 0.0  # first timestamp → last timestamp of the log

    def table(self, total_s: float | None = None) -> str:
        rows = ["| step | training s | processing the data s |", "|---|---|---|"]
        rows.append(f"| before the first component (validation, reading the data) | {self.before_s:.0f} | |")
        rows += [f"| {s.component} | {s.training_s:.0f} | {s.processing_s:.0f} |" for s in self.steps]
        if total_s is not None:
            rows.append(f"| whole command (imports, packing the model included) | {total_s:.0f} | |")
        return "\n".join(rows)


def _when(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp()


def profile(log_text: str) -> Profile:
    """Per component: seconds training it and seconds until the next one started."""
    events: List[Tuple[float, str, str]] = []
    first = last = None
    for raw in log_text.replace("\r", "\n").splitlines():
        stamp = _FIRST.match(raw)
        if stamp:
            first = first if first is not None else _when(stamp.group(1))
            last = _when(stamp.group(1))
        found = _LINE.match(raw)
        if found:
            events.append((_when(found.group(1)), found.group(2), found.group(3)))
    result = Profile()
    if first is None or last is None:
        return result
    result.last_s = last - first
    starts = [(t, name) for t, kind, name in events if kind.startswith("Starting")]
    finishes = [(t, name) for t, kind, name in events if kind.startswith("Finished")]
    if starts:
        result.before_s = starts[0][0] - first
    for index, ((started, name), (finished, _)) in enumerate(zip(starts, finishes, strict=False)):
        following = starts[index + 1][0] if index + 1 < len(starts) else last
        result.steps.append(Step(name, finished - started, following - finished))
    return result


def load_average() -> float:
    return round(os.getloadavg()[0], 1)


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def train_project(config: Path, log: Path, keep: Path | None = None) -> float:
    """``rasa train --force`` of this project with ``config`` into a temporary folder (the model is
    moved to ``keep`` if given); seconds."""
    write_jieba_dictionary()
    data = training_data_paths()
    with tempfile.TemporaryDirectory(prefix="wanqi-train-bench-") as out:
        command = [
            sys.executable, "-m", "rasa", "train", "--force", "--config", str(config), "--domain", str(DOMAIN),
            "--data", *map(str, data), "--out", out, "--fixed-model-name", "bench",
        ]  # fmt: skip
        started = time.monotonic()
        with log.open("wb") as output:
            result = subprocess.run(
                command, cwd=PROJECT_DIR, env=training_env(), stdout=output, stderr=subprocess.STDOUT
            )
        seconds = time.monotonic() - started
        if result.returncode != 0 or not (Path(out) / "bench.tar.gz").exists():
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
            raise SystemExit(f"training failed (exit {result.returncode}):\n{tail}")
        if keep is not None:
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(Path(out) / "bench.tar.gz"), keep)
    return seconds


def diet_epochs(log_text: str) -> str:
    found = re.findall(r"Epochs: 100%\|[^|]*\| (\d+)/\d+ \[(\d+):(\d+)", log_text.replace("\r", "\n"))
    if not found:
        return "–"
    epochs, minutes, seconds = found[0]
    return f"{int(minutes) * 60 + int(seconds)} ({epochs})"


def commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True)
    return result.stdout.strip() or "?"


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.training", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=CONFIG)
    parser.add_argument("--profile-log", type=Path, help="only print the profile of this training log")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare bot (no ratio)")
    parser.add_argument("--log-dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--record", action="store_true", help=f"add a row to {HISTORY.relative_to(PROJECT_DIR)}")
    parser.add_argument("--note", default="")
    parser.add_argument(
        "--keep", action="store_true", help="keep the model as models/wanqi-<fingerprint> (config.yml only)"
    )
    args = parser.parse_args(argv)
    if args.profile_log:
        text = args.profile_log.read_text(errors="replace")
        print(profile(text).table())
        print(f"DIET: {diet_epochs(text)} s (epochs)")
        return 0
    load_start = load_average()
    bare_s = bare_cpu_s = None
    if not args.no_bare:
        with tempfile.TemporaryDirectory(prefix="bare-rasa-") as directory:
            project = bare_rasa.create_project(Path(directory) / "bare")
            cpu_before = children_cpu_s()
            _, bare_s = bare_rasa.train(project, args.log_dir / "bare-train.log", force=True)
            bare_cpu_s = children_cpu_s() - cpu_before
        print(
            f"bare rasa init bot, rasa train --force: {bare_s:.0f} s, CPU {bare_cpu_s:.0f} s "
            f"(load {load_start} → {load_average()})"
        )
    log = args.log_dir / "wanqi-train-bench.log"
    keep = None
    if args.keep:
        if args.config.resolve() != CONFIG.resolve():
            parser.error("--keep needs the project's config.yml (the fingerprint names the model)")
        write_jieba_dictionary()
        training_data_paths()
        keep = model_path_for(fingerprint())
    cpu_before = children_cpu_s()
    ours_s = train_project(args.config.resolve(), log, keep)
    ours_cpu_s = children_cpu_s() - cpu_before
    if keep is not None:
        print(f"model kept: {keep.relative_to(PROJECT_DIR)}")
    load_end = load_average()
    text = log.read_text(errors="replace")
    print(profile(text).table(ours_s))
    ratio = f"×{ours_s / bare_s:.2f}" if bare_s else "–"
    cpu_ratio = f"×{ours_cpu_s / bare_cpu_s:.2f}" if bare_cpu_s else "–"
    print(f"this model: {ours_s:.0f} s (CPU {ours_cpu_s:.0f} s); bare bot: {bare_s and round(bare_s)} s "
          f"(CPU {bare_cpu_s and round(bare_cpu_s)} s); ratio {ratio} (CPU {cpu_ratio}); "
          f"load {load_start} → {load_end}; DIET {diet_epochs(text)}")  # fmt: skip
    if args.record:
        history = HISTORY.read_text(encoding="utf-8") if HISTORY.exists() else "# Training time\n"
        if TABLE_TITLE not in history:
            history = history.rstrip("\n") + f"\n\n{TABLE_TITLE}\n\n{HEADER}"
        cells = [
            datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"), commit(), args.config.name,
            f"{load_start} → {load_end}", f"{bare_s:.0f} (CPU {bare_cpu_s:.0f})" if bare_s and bare_cpu_s else "–",
            f"{ours_s:.0f} (CPU {ours_cpu_s:.0f})", f"{ratio} (CPU {cpu_ratio})",
            diet_epochs(text), args.note,
        ]  # fmt: skip
        HISTORY.write_text(history.rstrip("\n") + "\n| " + " | ".join(map(str, cells)) + " |\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
