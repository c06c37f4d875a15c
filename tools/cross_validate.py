"""Intent quality by cross-validation: ``rasa test nlu --cross-validation`` on the training data.

    python -m tools.cross_validate [--folds 3]

The NLU data is data/nlu/ plus the lookup tables generated from the knowledge base (var/nlu/);
``rasa test nlu`` takes one path, so both are copied into one temporary folder. Writes Rasa's
reports to reports/cv/ and prints the intent macro-F1 (also in reports/cv-summary.json).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List

from bot.paths import CONFIG, DATA_DIR, PROJECT_DIR
from bot.training.generated_data import training_data_paths
from bot.training.model import training_env
from knowledge.vocabulary import write_jieba_dictionary

REPORTS_DIR = PROJECT_DIR / "reports"


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    args = parser.parse_args(argv)
    write_jieba_dictionary()
    generated = [path for path in training_data_paths() if path != DATA_DIR]
    out = REPORTS_DIR / "cv"
    with tempfile.TemporaryDirectory(prefix="wanqi-cv-") as folder:
        nlu = Path(folder) / "nlu"
        shutil.copytree(DATA_DIR / "nlu", nlu / "data")
        for index, path in enumerate(generated):
            shutil.copytree(path, nlu / f"generated{index}")
        command = [
            sys.executable, "-m", "rasa", "test", "nlu", "--cross-validation", "--folds", str(args.folds),
            "--config", str(CONFIG), "--nlu", str(nlu), "--out", str(out),
        ]  # fmt: skip
        started = time.monotonic()
        log = REPORTS_DIR / "cv.log"
        REPORTS_DIR.mkdir(exist_ok=True)
        with log.open("w") as output:
            result = subprocess.run(
                command, cwd=PROJECT_DIR, stdout=output, stderr=subprocess.STDOUT, env=training_env()
            )
    if result.returncode != 0:
        print(f"rasa test nlu failed (exit {result.returncode}); see {log}", file=sys.stderr)
        return result.returncode
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    summary = {
        "folds": args.folds,
        "intent_macro_f1": round(report["macro avg"]["f1-score"], 4),
        "intent_weighted_f1": round(report["weighted avg"]["f1-score"], 4),
        "accuracy": round(report.get("accuracy", 0.0), 4),
        "seconds": round(time.monotonic() - started),
    }
    (REPORTS_DIR / "cv-summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
