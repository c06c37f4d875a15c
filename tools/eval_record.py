"""The record of scorings kept in the repository (docs/eval/): the first scoring of each set for each
version of the assistant, question by question.

A set's headline number is its first scoring after the last change to the assistant: scoring the
same version again (after reading its misses, say) cannot replace it. The version is the model
(``wanqi-<fingerprint>``: config, domain, training data, NLU components) and a hash of the code and
data that answer (CODE_PATHS: actions/, knowledge/, bot/, domain.yml, config.yml, endpoints.yml);
the set's own file is hashed too, so a corrected label starts a new record.

docs/eval/index.json lists the records (set, version, when, the summary); each record's rows, one
JSON line per question or dialogue exactly as scored, are in docs/eval/<set>-<model>-<code>.jsonl.
tests/test_eval_record.py recomputes every summary of the index from its rows, so every number
reported from the index is backed by the kept rows. reports/ (git-ignored) keeps the last scoring.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List

from bot.paths import PROJECT_DIR

RECORD_DIR = PROJECT_DIR / "docs" / "eval"
INDEX_FILE = "index.json"
CODE_PATHS = ("actions", "knowledge", "bot", "domain.yml", "config.yml", "endpoints.yml")
CODE_SUFFIXES = (".py", ".yml", ".yaml", ".json", ".txt")


@dataclass(frozen=True)
class Version:
    model: str  # "wanqi-12cf4b880fc5c222"
    code: str  # 12 hex digits

    @property
    def name(self) -> str:
        return f"{self.model}-{self.code}"


def _code_files(root: Path) -> List[Path]:
    files: List[Path] = []
    for name in CODE_PATHS:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix in CODE_SUFFIXES
                and "__pycache__" not in p.parts
                and "static" not in p.parts
            ]
    return files


def code_hash(root: Path = PROJECT_DIR) -> str:
    digest = hashlib.sha256()
    for path in _code_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def version_of(model_path: Path, root: Path = PROJECT_DIR) -> Version:
    return Version(model=model_path.name.removesuffix(".tar.gz"), code=code_hash(root))


def git_commit(root: Path = PROJECT_DIR) -> str:
    """HEAD, with "+changes" when the working tree differs from it (informative only)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def load_index(folder: Path = RECORD_DIR) -> List[Dict[str, Any]]:
    path = folder / INDEX_FILE
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def find_record(
    index: List[Dict[str, Any]], set_name: str, set_file_hash: str, version: Version
) -> Dict[str, Any] | None:
    return next(
        (
            entry
            for entry in index
            if entry["set"] == set_name
            and entry["set_file_hash"] == set_file_hash
            and entry["version"] == asdict(version)
        ),
        None,
    )


def read_rows(entry: Dict[str, Any], folder: Path = RECORD_DIR) -> List[Dict[str, Any]]:
    lines = (folder / entry["rows"]).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def record_first_scoring(
    set_name: str, set_path: Path, result: Dict[str, Any], version: Version, folder: Path = RECORD_DIR
) -> tuple:
    """Keep ``result`` (a set's entry of heldout.json) as the record of this version, unless one is
    kept already. Returns (the record's index entry, True when this scoring is the first)."""
    index = load_index(folder)
    set_file_hash = file_hash(set_path)
    existing = find_record(index, set_name, set_file_hash, version)
    if existing is not None:
        return existing, False
    folder.mkdir(parents=True, exist_ok=True)
    rows = f"{set_name}-{version.name}.jsonl"
    (folder / rows).write_text(
        "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in result["outcomes"]),
        encoding="utf-8",
    )
    entry = {
        "set": set_name,
        "file": result["file"],
        "set_file_hash": set_file_hash,
        "version": asdict(version),
        "commit": git_commit(),
        "scored_at": result["scored_at"],
        "summary": result["summary"],
        "rows": rows,
    }
    index.append(entry)
    (folder / INDEX_FILE).write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return entry, True


def differing_rows(first: List[Dict[str, Any]], now: List[Dict[str, Any]]) -> List[int]:
    """Positions (1-based) where a rescoring was right where the first was not, or the reverse."""
    return [
        number
        for number, (a, b) in enumerate(zip(first, now, strict=False), start=1)
        if a.get("right") != b.get("right")
    ]
