"""A maintainer's decision about a user message, written as training data after the checks
``make faq-add`` makes (knowledge.faq.problems, bot/training/faq_data.py), plus one more: a
message that is a near copy of a held-out question is refused, so the held-out sets stay blind.

Decisions (``kind``):
- ``measure``: the message asks about measure ``measure`` (its key), aspect ``aspect`` → an
  example of the intent ``measure_<key>``;
- ``faq``: it asks the FAQ ``faq`` → an example of the retrieval intent ``faq/<key>``;
- ``out_of_scope``: outside the document → an example of ``out_of_scope``;
- ``chitchat``: small talk, ``intent`` one of CHITCHAT_INTENTS → an example of it;
- ``new_faq``: a new FAQ entry (``entry``: key, questions, answer, citations) whose questions
  include the message → appended to knowledge/data/faq.yaml, data/faq.yml regenerated.

Examples go to ``data/nlu/reviewed.yml``, each block under a comment saying who decided what and
when; every decision is also a line of ``reviews/decisions.jsonl`` (what the inbox resolved, for
``make report``). Nothing is written when a check fails.
"""

from __future__ import annotations

import difflib
import json
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from bot.training.faq_data import _append_entry, _strip_annotations, render_training_data
from knowledge.aspects import aspects
from knowledge.faq import FaqError, entry_from_mapping, load_entries, problems
from knowledge.textnorm import normalise

KINDS = ("measure", "faq", "out_of_scope", "chitchat", "new_faq")
CHITCHAT_INTENTS = ("greet", "goodbye", "thank", "bot_challenge")
MAX_TEXT_CHARS = 200
# How close to a held-out question a training example may come (difflib ratio of the normalised
# texts, punctuation dropped): above this it is a near copy and would make the held-out score lie.
NEAR_COPY_RATIO = 0.85
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


class DecisionRefused(ValueError):
    """The decision fails a check; ``problems`` say which (nothing was written)."""

    def __init__(self, problems: List[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Workspace:
    """The project folder the decisions are written to (a copy in tests)."""

    root: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def reviewed_file(self) -> Path:
        return self.root / "data" / "nlu" / "reviewed.yml"

    @property
    def faq_file(self) -> Path:
        return self.root / "knowledge" / "data" / "faq.yaml"

    @property
    def generated_faq(self) -> Path:
        return self.root / "data" / "faq.yml"

    @property
    def heldout_dir(self) -> Path:
        return self.root / "tests" / "heldout"

    @property
    def log_file(self) -> Path:
        return self.root / "reviews" / "decisions.jsonl"

    @property
    def measures_dir(self) -> Path:
        return self.root / "knowledge" / "data" / "policies"


def comparable(text: str) -> str:
    """The form near copies are compared in: normalised, without punctuation or spaces."""
    return _PUNCTUATION.sub("", normalise(text))


def training_examples(workspace: Workspace) -> Dict[str, Tuple[str, str]]:
    """Every training example, comparable → (intent, file)."""
    found: Dict[str, Tuple[str, str]] = {}
    for path in sorted(workspace.data_dir.rglob("*.yml")):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue
        for item in (raw.get("nlu") or []) if isinstance(raw, dict) else []:
            if not isinstance(item, dict) or not isinstance(item.get("examples"), str):
                continue
            for line in item["examples"].splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    key = comparable(_strip_annotations(text))
                    found.setdefault(key, (str(item.get("intent")), str(path.relative_to(workspace.root))))
    return found


def heldout_questions(workspace: Workspace) -> List[Tuple[str, str]]:
    """(question, set file) of every held-out set."""
    questions = []
    for path in sorted(workspace.heldout_dir.glob("*questions.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in raw.get("questions") or []:
            if isinstance(item, dict) and isinstance(item.get("q"), str):
                questions.append((item["q"], path.name))
    return questions


def near_heldout(workspace: Workspace, text: str) -> str | None:
    """The held-out question ``text`` nearly copies (and its set), if any."""
    mine = comparable(text)
    for question, set_name in heldout_questions(workspace):
        theirs = comparable(question)
        if mine == theirs or difflib.SequenceMatcher(None, mine, theirs).ratio() >= NEAR_COPY_RATIO:
            return f"“{question}” ({set_name})"
    return None


def measure_keys(workspace: Workspace) -> List[str]:
    keys = []
    for path in sorted(workspace.measures_dir.glob("*/measures/*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if raw.get("key"):
            keys.append(str(raw["key"]))
    return keys


def _intent_of(workspace: Workspace, decision: Dict[str, Any], found: List[str]) -> str | None:
    kind = decision.get("kind")
    if kind == "measure":
        key, aspect = decision.get("measure"), decision.get("aspect")
        if key not in measure_keys(workspace):
            found.append(f"there is no measure with the key {key!r}")
        if aspect is not None and aspect not in aspects():
            found.append(f"there is no aspect {aspect!r} (knowledge/data/aspects.yaml: {', '.join(aspects())})")
        return f"measure_{key}"
    if kind == "faq":
        key = decision.get("faq")
        if key not in {entry.key for entry in load_entries(workspace.faq_file)}:
            found.append(f"there is no FAQ {key!r}")
        return f"faq/{key}"
    if kind == "out_of_scope":
        return "out_of_scope"
    if kind == "chitchat":
        if decision.get("intent") not in CHITCHAT_INTENTS:
            found.append(f"chit-chat is one of {', '.join(CHITCHAT_INTENTS)}")
        return str(decision.get("intent"))
    return None


def check(workspace: Workspace, decision: Dict[str, Any]) -> List[str]:
    """Everything that stops ``decision`` from becoming training data (empty: it can be written)."""
    found: List[str] = []
    text = decision.get("text")
    if decision.get("kind") not in KINDS:
        return [f"kind must be one of {', '.join(KINDS)}"]
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT_CHARS:
        return [f"text must be the user's message (1 to {MAX_TEXT_CHARS} characters)"]
    if decision["kind"] == "new_faq":
        try:
            entry = entry_from_mapping(decision.get("entry"), "the new FAQ")
        except FaqError as error:
            return [str(error)]
        if comparable(text) not in {comparable(q) for q in entry.questions}:
            found.append("the new FAQ's questions must include the user's message")
        others = {k: f"{file} ({intent})" for k, (intent, file) in training_examples(workspace).items()}
        found += problems([*load_entries(workspace.faq_file), entry], others)
        texts = entry.questions
    else:
        intent = _intent_of(workspace, decision, found)
        existing = training_examples(workspace).get(comparable(text))
        if existing is not None:
            other_intent, file = existing
            if other_intent == intent:
                found.append(f"“{text}” is already a training example of {intent} ({file})")
            else:
                found.append(f"“{text}” is already a training example of {other_intent} ({file}): a conflict")
        texts = [text]
    for question in texts:
        copied = near_heldout(workspace, question)
        if copied:
            found.append(f"“{question}” is a near copy of the held-out question {copied}: it must stay unseen")
    return found


def _stamp(who: str, when: float) -> str:
    return datetime.fromtimestamp(when, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _append_example(workspace: Workspace, intent: str, text: str, note: str) -> None:
    path = workspace.reviewed_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "# Examples a maintainer confirmed in the review inbox of the staff console\n"
            '# (bot/training/review_data.py). Each block says who decided and when.\nversion: "3.1"\nnlu:\n',
            encoding="utf-8",
        )
    example = yaml.safe_dump(text, allow_unicode=True, width=1000).strip().removesuffix("...").strip()
    block = f"  # {note}\n  - intent: {intent}\n    examples: |\n      - {example}\n"
    with path.open("a", encoding="utf-8") as out:
        out.write(block)


def apply(workspace: Workspace, decision: Dict[str, Any], who: str, now: float | None = None) -> Dict[str, Any]:
    """Write ``decision`` (checked first; refused with DecisionRefused); returns its log record."""
    found = check(workspace, decision)
    if found:
        raise DecisionRefused(found)
    when = time.time() if now is None else now
    text = decision["text"].strip()
    kind = decision["kind"]
    snapshot = {p: p.read_bytes() if p.exists() else None for p in (workspace.reviewed_file, workspace.faq_file,
                                                                      workspace.generated_faq)}  # fmt: skip
    try:
        if kind == "new_faq":
            entry = entry_from_mapping(decision["entry"], "the new FAQ")
            _append_entry(workspace.faq_file, entry)
            workspace.generated_faq.write_text(render_training_data(load_entries(workspace.faq_file)), encoding="utf-8")
            target, written = f"faq/{entry.key}", str(workspace.faq_file.relative_to(workspace.root))
        else:
            target = _intent_of(workspace, decision, [])
            assert target is not None
            aspect = f", aspect {decision['aspect']}" if decision.get("aspect") else ""
            _append_example(workspace, target, text, f"{kind} by {who}, {_stamp(who, when)}{aspect}")
            written = str(workspace.reviewed_file.relative_to(workspace.root))
    except BaseException:
        for path, content in snapshot.items():
            if content is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(content)
        raise
    record = {"text": text, "kind": kind, "intent": target, "aspect": decision.get("aspect"), "file": written,
              "by": who, "at": when, "comparable": comparable(text)}  # fmt: skip
    workspace.log_file.parent.mkdir(parents=True, exist_ok=True)
    with workspace.log_file.open("a", encoding="utf-8") as log:
        log.write(json.dumps(record, ensure_ascii=False) + "\n")
    return record


def decisions(workspace: Workspace) -> List[Dict[str, Any]]:
    """Every decision recorded, oldest first."""
    if not workspace.log_file.exists():
        return []
    lines = workspace.log_file.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
