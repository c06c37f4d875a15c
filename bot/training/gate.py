"""The model gate: a correction goes live only if the model trained with it is no worse.

    python -m bot.training.gate --serving models/wanqi-….tar.gz [--workspace .] [--status var/review/gate.json]

Steps, each written to the status file (the review console polls it):
1. train a candidate from the workspace's config, domain and data (``rasa train``, in the
   background, progress = components trained);
2. score it on the question sets (default: every held-out set in tests/heldout/) through the REST
   channel of a private stack of its own, so the serving assistant is not loaded with it;
3. score the serving model the same way, unless the switch log already holds its scores on the
   same sets;
4. compare: every floor of the ``heldout`` section of quality_floor.yml (on the set named
   ``heldout``), and on every set no number below the serving model's less ``tolerance``.

The status ends ``passed`` (with the candidate's path) or ``refused`` (with the numbers that
fell); the console then switches the serving model (bot/channels/webchat/model_switch.py) or
leaves it. The cross-validation floor (``cv``) takes ~45 min of training and is ``make eval``'s to
check, not the gate's.

For tests, everything is a parameter: a fast training config (GATE_CONFIG), small question sets
(GATE_SETS ``name=path,…``), another floor file (GATE_FLOOR).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List

import yaml

from bot.paths import PROJECT_DIR
from bot.training.generated_data import GENERATED_NLU_DIR, training_data_paths
from bot.training.heldout_score import COUNTING, score_set
from bot.training.model import training_env
from knowledge.vocabulary import write_jieba_dictionary

DEFAULT_TOLERANCE = 0.0
METRICS = ("clause_accuracy", "out_of_scope_rejection")
# Components a training of config.yml trains (pipeline + policies + Rasa's own); progress only.
EXPECTED_COMPONENTS = 14


@dataclass
class Check:
    name: str
    measured: float
    floor: float
    against: str  # "quality_floor.yml" | "serving model"

    @property
    def ok(self) -> bool:
        return self.measured >= self.floor


def default_sets(workspace: Path) -> Dict[str, Path]:
    folder = workspace / "tests" / "heldout"
    sets = {"heldout": folder / "questions.yml"}
    sets.update({p.name.removesuffix("_questions.yml"): p for p in sorted(folder.glob("*_questions.yml"))})
    return {name: path for name, path in sets.items() if path.exists()}


def sets_from_env(workspace: Path) -> Dict[str, Path]:
    raw = os.environ.get("GATE_SETS", "").strip()
    if not raw:
        return default_sets(workspace)
    return {name: Path(path) for name, path in (item.split("=", 1) for item in raw.split(",") if "=" in item)}


def compare(
    candidate: Dict[str, Dict[str, float]],
    serving: Dict[str, Dict[str, float]],
    floors: Dict[str, float],
    tolerance: float = DEFAULT_TOLERANCE,
) -> List[Check]:
    """The checks a candidate must pass: ``floors`` (metric → minimum, on the set ``heldout``) and,
    on every set, each metric at least the serving model's less ``tolerance``."""
    checks: List[Check] = []
    if "heldout" in candidate:
        for metric, minimum in floors.items():
            checks.append(Check(f"heldout.{metric}", candidate["heldout"][metric], float(minimum), "quality_floor.yml"))
    for name, scores in candidate.items():
        for metric in METRICS:
            if name in serving and metric in serving[name]:
                floor = round(serving[name][metric] - tolerance, 4)
                checks.append(Check(f"{name}.{metric}", scores[metric], floor, "serving model"))
    return checks


def train_candidate(workspace: Path, config: Path, out_dir: Path, progress: Callable[[float, str], None]) -> Path:
    """``rasa train`` of the workspace's data into ``out_dir``; reports components as they finish."""
    write_jieba_dictionary()
    training_data_paths()  # writes var/nlu (generated from knowledge/)
    name = f"candidate-{time.strftime('%Y%m%d-%H%M%S')}"
    command = [
        sys.executable, "-m", "rasa", "train", "--config", str(config), "--domain", str(workspace / "domain.yml"),
        "--data", str(workspace / "data"), str(GENERATED_NLU_DIR), "--out", str(out_dir), "--fixed-model-name", name,
    ]  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True)
    env = {**training_env(), "PYTHONPATH": str(PROJECT_DIR)}
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, errors="replace")  # fmt: skip
    finished = 0
    tail: List[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        tail = (tail + [line.rstrip()])[-20:]
        if "Finished training component" in line or "Restored component" in line:
            finished += 1
            component = line.rsplit("component", 1)[-1].strip(" '.\n")
            progress(min(0.95, finished / EXPECTED_COMPONENTS), f"training: {component} done ({finished})")
    path = out_dir / f"{name}.tar.gz"
    if process.wait() != 0 or not path.exists():
        raise RuntimeError("training failed:\n" + "\n".join(tail))
    return path


def score_model(model: Path, sets: Dict[str, Path], label: str, progress: Callable[[float, str], None]) -> Dict:
    """Each set's scores for ``model``, served by a private stack (action + Rasa server) of its own."""
    from bot.processes.servers import start_private_stack

    workdir = Path(tempfile.mkdtemp(prefix="wanqi-gate-"))
    progress(0.0, f"starting a private assistant with the {label}")
    stack = start_private_stack(model, workdir)
    try:
        scores = {}
        for index, (name, path) in enumerate(sets.items()):
            progress(index / len(sets), f"scoring the {label} on {name}")
            scores[name] = score_set(stack.rasa_url, path)
        return scores
    finally:
        stack.stop()


def switch_log(workspace: Path) -> List[Dict[str, Any]]:
    path = workspace / "reviews" / "switches.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def known_scores(workspace: Path, model: Path, sets: Dict[str, Path], status: Dict[str, Any]) -> Dict | None:
    """The serving model's scores on the same sets, from the switch log or the last gate run."""
    for entry in reversed(switch_log(workspace)):
        if entry.get("model") == model.name and _comparable(entry.get("scores"), sets):
            return entry["scores"]
    last = status.get("serving_scores")
    if status.get("serving") == str(model) and _comparable(last, sets):
        return last
    return None


def _comparable(scores: Any, sets: Dict[str, Path]) -> bool:
    """Scores of the same sets, counted as the candidate's are (scores kept before the counting
    changed are measured again)."""
    return (
        isinstance(scores, dict)
        and set(scores) == set(sets)
        and all(isinstance(item, dict) and item.get("counting") == COUNTING for item in scores.values())
    )


class Status:
    """The status file the console polls: state, progress (0–1), step, and the result."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.previous: Dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.previous = {}
        # The serving model's scores of the last run stay: the next run need not measure them again.
        kept = {key: self.previous[key] for key in ("serving", "serving_scores") if key in self.previous}
        self.data: Dict[str, Any] = {"state": "training", "progress": 0.0, "step": "starting",
                                     "started_at": time.time(), **kept}  # fmt: skip

    def update(self, **values: Any) -> None:
        self.data.update(values, updated_at=time.time())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.data, ensure_ascii=False, indent=1), encoding="utf-8")
        temporary.replace(self.path)  # the console never reads half a file


def run(workspace: Path, serving: Path, status: Status, config: Path, sets: Dict[str, Path], floor_file: Path,
        tolerance: float) -> Dict[str, Any]:  # fmt: skip
    def stage(state: str, start: float, width: float) -> Callable[[float, str], None]:
        return lambda fraction, step: status.update(state=state, progress=round(start + width * fraction, 3), step=step)

    candidate = train_candidate(workspace, config, workspace / "models" / "candidates", stage("training", 0, 0.6))
    status.update(candidate=str(candidate))
    candidate_scores = score_model(candidate, sets, "candidate", stage("scoring", 0.6, 0.2))
    serving_scores = known_scores(workspace, serving, sets, status.previous)
    if serving_scores is None:
        serving_scores = score_model(serving, sets, "serving model", stage("scoring", 0.8, 0.2))
    floors = (yaml.safe_load(floor_file.read_text(encoding="utf-8")) or {}).get("heldout") or {}
    checks = compare(candidate_scores, serving_scores, floors, tolerance)
    fell = [asdict(c) for c in checks if not c.ok]
    result = {
        "state": "refused" if fell else "passed",
        "progress": 1.0,
        "step": "a number fell: the serving model stays" if fell else "no number fell: the candidate may serve",
        "candidate": str(candidate),
        "serving": str(serving),
        "candidate_scores": candidate_scores,
        "serving_scores": serving_scores,
        "checks": [{**asdict(c), "ok": c.ok} for c in checks],
        "fell": fell,
    }
    status.update(**result)
    return result


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.training.gate", description=__doc__.splitlines()[0])
    parser.add_argument("--serving", type=Path, required=True, help="the model serving now")
    parser.add_argument("--workspace", type=Path, default=PROJECT_DIR)
    parser.add_argument("--status", type=Path, help="default: <workspace>/var/review/gate.json")
    args = parser.parse_args(argv)
    workspace = args.workspace.resolve()
    status = Status(args.status or workspace / "var" / "review" / "gate.json")
    config = Path(os.environ.get("GATE_CONFIG") or workspace / "config.yml")
    floor_file = Path(os.environ.get("GATE_FLOOR") or workspace / "quality_floor.yml")
    tolerance = float(os.environ.get("GATE_TOLERANCE", DEFAULT_TOLERANCE))
    try:
        result = run(workspace, args.serving, status, config, sets_from_env(workspace), floor_file, tolerance)
    except Exception as error:  # noqa: BLE001 - whatever failed, the console must show it
        status.update(state="failed", step=f"{type(error).__name__}: {error}"[-2000:])
        print(f"gate failed: {error}", file=sys.stderr)
        return 2
    print(json.dumps({k: result[k] for k in ("state", "candidate", "fell")}, ensure_ascii=False))
    return 0 if result["state"] == "passed" else 1


if __name__ == "__main__":
    sys.exit(main())
